"""PnL totals and the equity curve as a sparkline (one cell per sample bucket).

A sparkline, not plotext: it is one line of text that costs microseconds per redraw and fits
the TextPane line cache; plotext redraws the whole canvas each time.
"""

from __future__ import annotations

from decimal import Decimal

from tradeterm.core.views import PortfolioView
from tradeterm.ui.widgets.fit import flow
from tradeterm.ui.widgets.pane import TextPane
from tradeterm.ui.widgets.positions_pane import money, signed_style

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
        cur = f" {v.currency}" if v.currency else ""
        dd = signed_style(-v.drawdown) if v.drawdown else ""
        rows = flow([("equity", money(v.equity) + cur, "bold"),
                     ("day", money(v.day_pnl), signed_style(v.day_pnl)),
                     ("real", money(v.realized), signed_style(v.realized)),
                     ("unreal", money(v.unrealized), signed_style(v.unrealized)),
                     ("fees", money(v.fees), ""),
                     ("peak", money(v.peak_equity), ""),
                     ("drawdown", money(v.drawdown), dd)], width)
        if len(rows) >= (self.size.height or 5):  # the figures first; the curve if room is left
            self.set_rows(rows)
            return
        curve = [float(e) for _, e in v.equity_curve.items]
        trend = Decimal(str(curve[-1] - curve[0])) if len(curve) > 1 else Decimal(0)
        rows.append(((sparkline(curve, width) or "no equity samples yet",
                      "bold " + signed_style(trend) if curve else "dim italic"),))
        self.set_rows(rows)
