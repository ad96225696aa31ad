"""Fills, newest first: time, side, qty @ price, maker/taker, fee, and the paper-fill note."""

from __future__ import annotations

from collections.abc import Mapping

from tradeterm.core.views import RingView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.ui.format import hms, palette
from tradeterm.ui.widgets.pane import Row, TextPane


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
        rows: list[Row] = [(("time      side       qty        price  liq     fee  note",
                             "bold dim"),)]
        if not len(self.fills):
            rows.append((("no fills yet", "dim italic"),))
        for f in list(reversed(self.fills.items))[: max(1, self.size.height or 10)]:
            inst = self.instruments.get(f.instrument)
            qty = inst.format_qty(f.qty) if inst else str(f.qty)
            price = inst.format_price(f.price) if inst else str(f.price)
            liq = "M" if f.liquidity.value == "MAKER" else "T"
            rows.append((
                (f"{hms(f.ts_event)}  ", "dim"),
                (f"{f.side.name:<4}", pal.buy if f.side is Side.BUY else pal.sell),
                (f" {qty:>9} {price:>12}  {liq}  {f.fee:>8.4f}  ", ""),
                (f.note, "dim italic"),
            ))
        self.set_rows(rows)
