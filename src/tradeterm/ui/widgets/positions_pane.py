"""Positions: quantity, average price, mark, unrealized and realized PnL, fees."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from tradeterm.core.views import PortfolioView
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import palette
from tradeterm.ui.widgets.pane import Row, TextPane


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
        self._drawn: tuple[object, ...] | None = None

    def on_mount(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        key = (self.view.version, self.size.width, palette())
        if key == self._drawn:
            return
        self._drawn = key
        rows: list[Row] = [(("symbol          qty      avg       mark     unreal     real"
                             "     fees", "bold dim"),)]
        shown = 0
        for iid, p in sorted(self.view.positions.items()):
            if p.qty == 0 and p.realized == 0 and p.fees == 0:
                continue
            shown += 1
            inst = self.instruments.get(iid)
            sym = inst.symbol if inst else iid
            qty = inst.lots_to_qty(p.qty) if inst else Decimal(p.qty)
            rows.append((
                (f"{sym[:12]:<12} ", ""),
                (f"{qty:>+8f}"[:9].rjust(9), "bold " + signed_style(qty)),
                (f" {money(p.avg_price, 1):>8} {money(p.mark, 1):>10} ", ""),
                (f"{money(p.unrealized):>9}", signed_style(p.unrealized)),
                (f"{money(p.realized):>9}", signed_style(p.realized)),
                (f"{money(p.fees):>9}", "dim"),
            ))
        if not shown:
            rows.append((("flat: no positions", "dim italic"),))
        self.set_rows(rows)
