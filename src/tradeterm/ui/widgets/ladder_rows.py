"""The ladder's columns at a given width and the text of its rows (no Textual here).

Left to right: size bar, bid size, cursor mark, price, last-trade mark, ask size, size bar, own
orders (side, size, count, estimated queue ahead), session volume at price (number and bar).
The price and both sizes are always there; the rest is added in order of what a DOM trader
needs most while it fits: own orders, size bars, the queue estimate, volume, wider bars, own buys
in a column of their own on the bid side. No figure is ever cut: a column that does not fit is
left out whole, and a size that does not fit its column is rounded (never below one step:
"<0.0001"), never printed in scientific notation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from tradeterm.ui.format import Palette
from tradeterm.ui.widgets.pane import Row, Run

BLOCKS = " ▏▎▍▌▋▊▉█"
SIZE = 7  # a size column: "0.09247", "12.35k"
OWN = 7  # own orders, short: "B0.0002", "S1.5×2"
QUEUE = 6  # the queue estimate added to the own column: " q1.2k"
MIN_BAR, BAR_STEP, MAX_BAR = 3, 8, 30
VOLUME = 7
SUFFIXES = (
    (Decimal(1), ""),
    (Decimal(10) ** 3, "k"),
    (Decimal(10) ** 6, "M"),
    (Decimal(10) ** 9, "G"),
    (Decimal(10) ** 12, "T"),
)


def qty_text(qty: Decimal, width: int) -> str:
    """A size (``qty`` >= 0) in at most ``width`` characters, never in scientific notation and
    never cut: exact when it fits, else rounded to fewer decimals, else with a k / M / G / T
    suffix. A size that would round to nothing shows as under the smallest step that fits
    ("<0.0001"); a number too large for any form is printed whole, wider than asked."""
    if not qty:
        return "0"
    exact = f"{qty.normalize():f}"
    if len(exact) <= width:
        return exact
    for scale, suffix in SUFFIXES:
        value = qty / scale
        room = width - len(suffix)
        whole = len(str(int(value)))
        if whole > room:
            continue
        for decimals in range(max(0, room - whole - 1), -1, -1):
            rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
            text = f"{rounded:f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            if len(text) <= room:
                if not rounded:  # too small for this width: say so, never "0"
                    return "<0." + "0" * max(0, width - 4) + "1"
                return text + suffix
    return exact


@lru_cache(maxsize=8192)
def size_text(lots: int, lot: Decimal, width: int) -> str:
    """``qty_text`` of a size in lots, cached: a frame redraws the same sizes again and again."""
    return qty_text(lots * lot, width)


def bar(value: int, scale: int, width: int, right_align: bool = False) -> str:
    """A size bar of ``width`` cells with eighth-cell resolution."""
    if scale <= 0 or value <= 0 or width <= 0:
        return " " * width
    eighths = max(1, min(width * 8, round(value * width * 8 / scale)))
    full, part = divmod(eighths, 8)
    s = "█" * full + (BLOCKS[part] if part else "")
    return s.rjust(width) if right_align else s.ljust(width)


@dataclass(frozen=True, slots=True)
class Layout:
    """Column widths (0: the column is left out)."""

    price: int
    size: int = SIZE
    bar: int = 0
    own: int = 0  # each own-orders column
    split: bool = False  # own buys on the bid side, own sells on the ask side
    queue: bool = False
    volume: int = 0
    volume_bar: int = 0

    @property
    def width(self) -> int:
        w = self.price + 2 * self.size + 6 + 2 * self.bar
        w += (self.own + 1) * (2 if self.split else 1) if self.own else 0
        w += (
            (self.volume + 1) + (self.volume_bar + 1 if self.volume_bar else 0)
            if self.volume
            else 0
        )
        return w


@lru_cache(maxsize=64)
def layout(width: int, price: int) -> Layout:
    """The columns that fit ``width``, in order of importance."""
    lay = Layout(price)
    if lay.width > width:  # tiny pane: narrower size columns rather than a cut figure
        lay = Layout(price, size=max(4, (width - price - 6) // 2))
    steps: list[dict[str, object]] = [
        {"own": OWN},
        {"bar": MIN_BAR},
        {"bar": 4},
        {"own": OWN + QUEUE, "queue": True},
        {"volume": VOLUME},
        {"bar": BAR_STEP},
        {"volume_bar": 8},
        {"split": True},
    ]
    needs = {"queue": "own", "split": "own", "volume_bar": "volume"}
    for step in steps:
        if any(not getattr(lay, needs[name]) for name in step if name in needs):
            continue  # a part of a column that is not there
        candidate = Layout(**{**_fields(lay), **step})
        if candidate.width <= width:
            lay = candidate
    # what is left widens the bars to 16, the volume bar to 16, then the bars to MAX_BAR
    for name, most in (("bar", 16), ("volume_bar", 16), ("bar", MAX_BAR)):
        if not getattr(lay, name):
            continue  # only a bar that is there grows
        room = width - lay.width
        per = 2 if name == "bar" else 1
        grow = max(0, min(most - getattr(lay, name), room // per))
        if grow:
            lay = Layout(**{**_fields(lay), name: getattr(lay, name) + grow})
    return lay


def _fields(lay: Layout) -> dict[str, object]:
    return {name: getattr(lay, name) for name in Layout.__slots__}


@dataclass(frozen=True, slots=True)
class Own:
    """Our working orders on one side of one row."""

    side: int  # 1 buy, -1 sell
    lots: int  # leaves, summed
    count: int
    ahead: int  # estimated lots ahead of the front one (upper bound)


class RowPainter:
    """Turns one frame's figures into rows of (text, style) runs for a layout."""

    def __init__(
        self, lay: Layout, lot: Decimal, pal: Palette, scale: int, volume_scale: int
    ) -> None:
        self.lay, self.lot, self.pal = lay, lot, pal
        self.scale, self.volume_scale = scale, volume_scale

    def size(self, lots: int, width: int) -> str:
        return size_text(lots, self.lot, width) if lots else ""

    def header(self) -> Row:
        lay = self.lay
        left = (f"{'buy':>{lay.own}} " if lay.split else "") + " " * lay.bar
        text = (
            f"{left} {'bid':>{lay.size}}  {'price':^{lay.price}}  {'ask':<{lay.size}} "
            + " " * lay.bar
        )
        if lay.own:
            text += f" {'sell' if lay.split else 'orders':<{lay.own}}"
        if lay.volume:
            text += f" {'volume':>{lay.volume + lay.volume_bar + (1 if lay.volume_bar else 0)}}"
        return ((text, "bold dim"),)

    def row(
        self,
        price: str,
        bid: int,
        ask: int,
        volume: int,
        own: list[Own],
        best_bid: bool,
        best_ask: bool,
        last: bool,
        cursor: bool,
        held: int = 0,
    ) -> Row:
        """One price row. ``held``: the position (signed lots) when its average entry falls in
        this row: ``@`` beside the price and, where the own-orders column is free in the row,
        the position's size (``@+0.3``)."""
        lay, pal = self.lay, self.pal
        if best_bid:
            price_style, b_style, a_style = f"bold reverse {pal.bid}", f"bold {pal.bid}", pal.ask
        elif best_ask:
            price_style, b_style, a_style = f"bold reverse {pal.ask}", pal.bid, f"bold {pal.ask}"
        else:
            price_style, b_style, a_style = "", pal.bid, pal.ask
        runs: list[Run] = []
        buys = [o for o in own if o.side > 0]
        sells = [o for o in own if o.side < 0]
        held_colour = f"bold {pal.buy if held > 0 else pal.sell}"
        if lay.split:
            left = self.held_runs(held, right=True) if held > 0 and not buys else None
            runs += [*(left or self.own_runs(buys, right=True)), (" ", "")]
        runs += [
            (bar(bid, self.scale, lay.bar, right_align=True), pal.bid),
            (f" {self.size(bid, lay.size):>{lay.size}} ", b_style),
            ("›", "bold") if cursor else ("@", held_colour) if held else (" ", ""),
            (f"{price:>{lay.price}}", price_style + (" underline" if cursor else "")),
            ("◀" if last else " ", f"bold {pal.last}"),
            (f" {self.size(ask, lay.size):<{lay.size}} ", a_style),
            (bar(ask, self.scale, lay.bar), pal.ask),
        ]
        if lay.own:
            mine = sells if lay.split else buys + sells
            free = held and not mine and (held < 0 or not lay.split)
            runs += [(" ", ""), *(self.held_runs(held) if free else self.own_runs(mine))]
        if lay.volume:
            runs.append((f" {self.size(volume, lay.volume):>{lay.volume}}", "dim"))
            if lay.volume_bar:
                runs.append((" " + bar(volume, self.volume_scale, lay.volume_bar), "dim"))
        return tuple(runs)

    def own_runs(self, mine: list[Own], right: bool = False) -> tuple[Run, ...]:
        """Our orders in a row, in the own column: side, size, ×count and, when the column is
        wide, the queue ahead of the front one. Shortened whole, never cut."""
        width = self.lay.own
        if not mine:
            return ((" " * width, ""),)
        texts = [self._own_text(o) for o in mine]
        text = " ".join(texts)
        if len(text) > width:
            text = texts[0] + "+" if len(texts) > 1 else texts[0]
        if len(text) > width:  # drop the queue, then the size: never half a number
            o = mine[0]
            more = "+" if len(mine) > 1 else ""
            mark = "B" if o.side > 0 else "S"
            for candidate in (
                f"{mark}{qty_text(o.lots * self.lot, width - 1 - len(more))}{more}",
                mark + more,
                mark,
            ):
                if len(candidate) <= width:
                    text = candidate
                    break
        colour = self.pal.buy if mine[0].side > 0 else self.pal.sell
        pad = " " * (width - len(text))
        return (
            ((pad, ""), (text, f"bold reverse {colour}"))
            if right
            else ((text, f"bold reverse {colour}"), (pad, ""))
        )

    def held_runs(self, held: int, right: bool = False) -> tuple[Run, ...]:
        """The position's size in the own-orders column of its entry row: ``@+0.3``."""
        width = self.lay.own
        sign = "+" if held > 0 else "-"
        text = f"@{sign}{qty_text(abs(held) * self.lot, max(1, width - 2))}"
        if len(text) > width:
            text = "@"
        pad = " " * (width - len(text))
        style = f"bold underline {self.pal.buy if held > 0 else self.pal.sell}"
        return ((pad, ""), (text, style)) if right else ((text, style), (pad, ""))

    def _own_text(self, o: Own) -> str:
        mark = "B" if o.side > 0 else "S"
        count = f"×{o.count}" if o.count > 1 else ""
        text = f"{mark}{qty_text(o.lots * self.lot, 6)}{count}"
        if self.lay.queue:
            text += f" q{qty_text(o.ahead * self.lot, 4)}"
        return text


def sticky_scale(scale: int, largest: int) -> int:
    """The size that fills a bar. Sticky, with headroom: it moves only when the largest visible
    level outgrows it or falls under half of it, so one level's size change redraws that
    level's bar and not every bar on the ladder."""
    if largest <= 0:
        return 0
    if not scale or largest > scale or largest * 2 < scale:
        return largest * 5 // 4 or 1
    return scale
