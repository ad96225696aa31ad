"""Risk: TradingState, limit usage bars, orders denied and the last denial's reason."""

from __future__ import annotations

from tradeterm.core.views import RiskView
from tradeterm.domain.events import TradingState
from tradeterm.ui.widgets.ladder_rows import bar
from tradeterm.ui.widgets.pane import Row, TextPane

STATE_STYLES = {TradingState.ACTIVE: "bold green", TradingState.REDUCING: "bold black on yellow",
                TradingState.HALTED: "bold white on red"}


class RiskPane(TextPane):
    DEFAULT_CSS = "RiskPane { height: 1fr; }"

    def __init__(self, view: RiskView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view

    def refresh_view(self) -> None:
        v = self.view
        if not self.changed(v.version, self.size.width):
            return
        width = max(20, self.size.width or 40)
        rows: list[Row] = [((f" {v.state.value} ", STATE_STYLES[v.state]),
                            (f" {v.reason}"[: width - 10], "dim"))]
        bw = max(4, min(12, width - 30))
        for lim in v.limits:
            share = lim.share
            style = "red" if share >= 0.9 else "yellow" if share >= 0.6 else "green"
            name = lim.name.replace("position value ", "pos$ ").replace("position ", "pos ")
            usage = f" {share:>4.0%} {lim.used:,.0f}/{lim.limit:,.0f}{lim.unit}"
            if 15 + bw + len(usage) > width:  # no room for the amounts: the share alone
                usage = f" {share:>4.0%}"
            rows.append(((f"{name[:14]:<14} ", ""),
                         (bar(int(min(share, 1) * 1000), 1000, bw).replace(" ", "·"), style),
                         (usage, "")))
        rows.append(((f"denied {v.denied}", "dim"),
                     (f"  last: {v.last_denied}" if v.last_denied else "", "yellow")))
        self.set_rows(rows)
