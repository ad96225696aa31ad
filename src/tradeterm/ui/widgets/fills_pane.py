"""Fills, newest first: time, symbol, side, qty @ price, maker/taker, fee, and the paper-fill
note (a fee in another currency than the quote says which). Columns are fitted to the width,
never cut: the note, the symbol, the time, the fee and
the liquidity go first; side, quantity and price always stay."""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len

from tradeterm.core.views import RingView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.events import OrderFilled
from tradeterm.ui.format import hms, money, palette
from tradeterm.ui.widgets.fit import Column, fit_columns, header_row, table_row
from tradeterm.ui.widgets.pane import Row, TextPane

# (title, priority: 0 never dropped, higher goes first, left-aligned)
FIELDS = (
    ("time", 3, True),
    ("symbol", 4, True),
    ("side", 0, True),
    ("qty", 0, False),
    ("price", 0, False),
    ("liq", 1, True),
    ("fee", 2, False),
    ("note", 5, True),
)


def fee_text(fill: OrderFilled, inst: Instrument | None) -> str:
    """In the quote currency's precision, bare; any other currency named (a fee paid in BTC or
    BNB is not dollars), never rounded to zero (before: 0.00002 BTC showed as 0.0000)."""
    quote = inst.quote if inst is not None else ""
    currency = fill.fee_currency or quote
    return money(fill.fee, currency, unit=currency != quote)


class FillsPane(TextPane):
    DEFAULT_CSS = "FillsPane { height: 1fr; }"

    def __init__(self, fills: RingView, instruments: Mapping[str, Instrument], **kwargs) -> None:
        super().__init__(**kwargs)
        self.fills = fills
        self.instruments = instruments

    def refresh_view(self) -> None:
        if not self.changed(self.fills.version, self.size, palette()):
            return
        pal = palette()
        shown = list(reversed(self.fills.items))[: max(1, (self.size.height or 10) - 1)]
        table = []
        for f in shown:
            inst = self.instruments.get(f.instrument)
            table.append(
                [
                    hms(f.ts_event),
                    inst.symbol if inst else f.instrument,
                    f.side.name,
                    inst.format_qty(f.qty) if inst else str(f.qty),
                    inst.format_price(f.price) if inst else str(f.price),
                    "M" if f.liquidity.value == "MAKER" else "T",
                    fee_text(f, inst),
                    f.note,
                ]
            )
        columns = [
            Column(title, max([cell_len(title)] + [cell_len(r[i]) for r in table]), prio, left)
            for i, (title, prio, left) in enumerate(FIELDS)
        ]
        keep = fit_columns(columns, self.size.width or 80)
        rows: list[Row] = [header_row(columns, keep)]
        if not table:
            rows.append((("no fills yet", "dim italic"),))
        for f, row in zip(shown, table):
            side = pal.buy if f.side is Side.BUY else pal.sell
            styles = ("dim", "", side, "", "", "", "", "dim italic")
            rows.append(table_row(columns, keep, list(zip(row, styles))))
        self.set_rows(rows)
