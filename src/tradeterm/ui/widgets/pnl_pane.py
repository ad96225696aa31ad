"""PnL totals and the equity curve as a sparkline (one cell per sample bucket). Money in the
account currency's precision; fees paid in a currency no instrument prices (BNB with no BNB
market) are not in the totals, and are said so right after the fees.

A sparkline, not plotext: it is one line of text that costs microseconds per redraw and fits
the TextPane line cache; plotext redraws the whole canvas each time.
"""

from __future__ import annotations

from decimal import Decimal

from tradeterm.core.views import PortfolioView
from tradeterm.ui.widgets.fit import flow
from tradeterm.ui.widgets.pane import TextPane
from tradeterm.ui.format import money
from tradeterm.ui.widgets.positions_pane import signed_style

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int) -> str:
    if not values or width <= 0:
        return ""
    if len(values) > width:  # the last value of each bucket
        step = len(values) / width
        values = [values[min(len(values) - 1, int((i + 1) * step) - 1)] for i in range(width)]
    lo, hi = min(values), max(values)
    if hi == lo:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[int((v - lo) / (hi - lo) * (len(SPARKS) - 1))] for v in values)


class PnlPane(TextPane):
    DEFAULT_CSS = "PnlPane { height: 1fr; }"

    def __init__(self, view: PortfolioView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view

    def refresh_view(self) -> None:
        v = self.view
        if not self.changed(v.version, v.equity_curve.version, self.size):
            return
        width = max(10, self.size.width or 40)
        ccy = v.currency
        cash = lambda value: money(value, ccy, unit=False)  # noqa: E731
        dd = signed_style(-v.drawdown) if v.drawdown else ""
        items = [
            ("equity", money(v.equity, ccy), "bold"),
            ("day", cash(v.day_pnl), signed_style(v.day_pnl)),
            ("real", cash(v.realized), signed_style(v.realized)),
            ("unreal", cash(v.unrealized), signed_style(v.unrealized)),
            ("fees", cash(v.fees), ""),
        ]
        # fees no rate values are not in the figures above: said right after them
        items += [
            ("fees not in PnL", money(amount, currency), "yellow")
            for currency, amount in sorted(v.unpriced_fees.items())
        ]
        items += [("peak", cash(v.peak_equity), ""), ("drawdown", cash(v.drawdown), dd)]
        rows = flow(items, width)
        if len(rows) >= (self.size.height or 5):  # the figures first; the curve if room is left
            self.set_rows(rows)
            return
        curve = [float(e) for _, e in v.equity_curve.items]
        trend = Decimal(str(curve[-1] - curve[0])) if len(curve) > 1 else Decimal(0)
        rows.append(
            (
                (
                    sparkline(curve, width) or "no equity samples yet",
                    "bold " + signed_style(trend) if curve else "dim italic",
                ),
            )
        )
        self.set_rows(rows)
