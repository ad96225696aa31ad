"""The position on the ladder (no Textual here): the row of its average entry, and its
unrealized PnL, in ticks and money, if it were closed at a price (the cursor's, else the touch
it would close at: the best bid for a long, the best ask for a short).

Money is exact (Decimal): (price - entry) x signed quantity, in the quote currency; ticks are
(price - entry) / tick for a long, the other way for a short, so a position in profit always
reads positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import Palette
from tradeterm.ui.widgets.ladder_view import bid_row
from tradeterm.ui.widgets.pane import Row, Run

TENTH = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Held:
    """A position as the ladder marks it."""

    lots: int  # signed: > 0 long, < 0 short
    entry: Decimal  # average entry price


def entry_row(held: Held, inst: Instrument, group: int) -> int:
    """The row (on a grid of ``group`` ticks) the average entry falls in: rounded down to the
    tick, like a bid, so an entry between two ticks is marked in the row under it."""
    return bid_row(inst.price_to_ticks_rounded(held.entry, up=False), group)


def pnl_at(held: Held, inst: Instrument, price: int) -> tuple[Decimal, Decimal]:
    """(ticks, money) of the position closed at ``price`` (ticks of the instrument)."""
    move = inst.ticks_to_price(price) - held.entry
    side = 1 if held.lots > 0 else -1
    return side * move / inst.tick_size, move * inst.lots_to_qty(held.lots)


CENT = Decimal("0.01")


def signed_qty(inst: Instrument, lots: int) -> str:
    return ("+" if lots > 0 else "") + inst.format_qty(lots)


def position_line(
    held: Held, inst: Instrument, price: int | None, where: str, pal: Palette, width: int
) -> Row:
    """The ladder's position line, in the longest form that fits ``width``: the position, its
    entry, and its unrealized PnL at ``price`` (``where``: "cursor", "bid" or "ask")."""
    colour = pal.buy if held.lots > 0 else pal.sell
    qty = signed_qty(inst, held.lots)
    entry = f"{held.entry.normalize():f}"
    if price is None:
        forms: list[list[Run]] = [
            [("pos ", "dim"), (qty, f"bold {colour}"), (f" @ {entry}", "")],
            [(qty, f"bold {colour}"), (f"@{entry}", "")],
        ]
    else:
        ticks, money = pnl_at(held, inst, price)
        tone = pal.buy if money > 0 else pal.sell if money < 0 else ""
        t = f"{ticks.quantize(TENTH, ROUND_HALF_EVEN).normalize():+f}t".replace("+0t", "0t")
        # rounded here, half to even: a Decimal's format rounds by the thread's context, which a
        # library may change (ccxt sets ROUND_HALF_UP)
        m = f"{money.quantize(CENT, ROUND_HALF_EVEN):+,.2f}"
        forms = [
            [
                ("pos ", "dim"),
                (qty, f"bold {colour}"),
                (f" @ {entry}", ""),
                (f"  {where} {inst.format_price(price)} ", "dim"),
                (f"{t} {m} {inst.quote}", f"bold {tone}"),
            ],
            [
                ("pos ", "dim"),
                (qty, f"bold {colour}"),
                (f" @ {entry}  ", ""),
                (f"{t} {m} {inst.quote}", f"bold {tone}"),
            ],
            [(qty, f"bold {colour}"), (f"@{entry} ", ""), (f"{t} {m}", f"bold {tone}")],
            [(qty, f"bold {colour}"), (f" {t} {m}", f"bold {tone}")],
            [(f"{t} {m}", f"bold {tone}")],
        ]
    for runs in forms:
        if sum(len(text) for text, _ in runs) <= width:
            return tuple(runs)
    return tuple(forms[-1])
