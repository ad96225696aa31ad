"""Positions: quantity, average price, mark, unrealized and realized PnL, fees."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from tradeterm.core.views import PortfolioView
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import palette
from tradeterm.ui.widgets.fit import Column, fit_columns, header_row, table_row
from tradeterm.ui.widgets.pane import Row, TextPane

# most important kept longest: a narrow pane shows symbol, qty and unrealized PnL
COLUMNS = (Column("symbol", 11, 0, left=True), Column("qty", 8, 0), Column("avg", 9, 3),
           Column("mark", 10, 4), Column("unreal", 9, 1), Column("real", 9, 2),
           Column("fees", 8, 5))


def money(value: Decimal | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:,.{places}f}"


def signed_style(value: Decimal) -> str:
    pal = palette()
    return pal.buy if value > 0 else pal.sell if value < 0 else ""


class PositionsPane(TextPane):
    DEFAULT_CSS = "PositionsPane { height: 1fr; }"

    def __init__(self, view: PortfolioView, instruments: Mapping[str, Instrument],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.instruments = instruments

    def refresh_view(self) -> None:
        if not self.changed(self.view.version, self.size.width, palette()):
            return
        keep = fit_columns(COLUMNS, self.size.width or 80)
        rows: list[Row] = [header_row(COLUMNS, keep)]
        for iid, p in sorted(self.view.positions.items()):
            if p.qty == 0 and p.realized == 0 and p.fees == 0:
                continue
            inst = self.instruments.get(iid)
            qty = inst.lots_to_qty(p.qty) if inst else Decimal(p.qty)
            px = inst.price_decimals + 1 if inst else 2  # an average sits between ticks
            rows.append(table_row(COLUMNS, keep, [
                (inst.symbol if inst else iid, ""),
                (f"{qty.normalize():+f}", "bold " + signed_style(qty)),
                (money(p.avg_price, px), ""),
                (money(p.mark, px - 1), ""),
                (money(p.unrealized), signed_style(p.unrealized)),
                (money(p.realized), signed_style(p.realized)),
                (money(p.fees), "dim"),
            ]))
        if len(rows) == 1:
            rows.append((("flat: no positions", "dim italic"),))
        self.set_rows(rows)
