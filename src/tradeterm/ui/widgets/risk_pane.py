"""Risk: TradingState, orders denied, limit usage bars and the last denial's reason.

Nothing is cut: a limit whose name, bar and share do not fit on one line puts the bar on the
next; the amounts go before the share does; the state's reason and the last denial wrap."""

from __future__ import annotations

from rich.cells import cell_len

from tradeterm.core.views import RiskView
from tradeterm.domain.events import TradingState
from tradeterm.ui.widgets.fit import flow_text
from tradeterm.ui.widgets.ladder_rows import bar
from tradeterm.ui.widgets.pane import Row, TextPane

STATE_STYLES = {
    TradingState.ACTIVE: "bold green",
    TradingState.REDUCING: "bold black on yellow",
    TradingState.HALTED: "bold white on red",
}
MIN_BAR = 4


def short_name(name: str) -> str:
    return name.replace("position value ", "pos$ ").replace("position ", "pos ")


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
        state = f" {v.state.value} "
        head = f"denied {v.denied}" + (f" · {v.reason}" if v.reason else "")
        lines = flow_text(head, [], width - cell_len(state) - 1, "")
        rows: list[Row] = [((state, STATE_STYLES[v.state]), (" " + lines[0].strip(), "dim"))]
        rows += [((" " * cell_len(state) + " " + line.strip(), "dim"),) for line in lines[1:]]
        names = [short_name(lim.name) for lim in v.limits]
        name_w = max([cell_len(n) for n in names], default=0)
        for lim, name in zip(v.limits, names):
            share = lim.share
            style = "red" if share >= 0.9 else "yellow" if share >= 0.6 else "green"
            amounts = f" {share:>4.0%} {lim.used:,.0f}/{lim.limit:,.0f} {lim.unit}".rstrip()
            short = f" {share:>4.0%}"
            one_line = width - name_w - 1
            usage = amounts if one_line - cell_len(amounts) >= MIN_BAR else short
            bar_w = min(12, one_line - cell_len(usage))
            if bar_w >= MIN_BAR:  # name, bar and usage on one line
                rows.append(
                    ((f"{name:<{name_w}} ", ""), (self._bar(share, bar_w), style), (usage, ""))
                )
                continue
            usage = amounts if width - 2 - cell_len(amounts) >= MIN_BAR else short
            bar_w = max(1, min(12, width - 2 - cell_len(usage)))
            rows.append(((name, ""),))
            rows.append((("  ", ""), (self._bar(share, bar_w), style), (usage, "")))
        if v.last_denied:
            rows += [
                ((line.strip(), "yellow"),)
                for line in flow_text(f"last denied: {v.last_denied}", [], width, "")
            ]
        self.set_rows(rows)

    @staticmethod
    def _bar(share: float, width: int) -> str:
        return bar(int(min(share, 1) * 1000), 1000, width).replace(" ", "·")
