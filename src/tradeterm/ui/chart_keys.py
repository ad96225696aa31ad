"""The chart's keys, composed into the app (``app.chart_keys``): ``G`` swaps the panes beside
the ladder for the chart of the ladder's instrument and back, ``I`` cycles the interval of a
column (1s, 5s, 1m, 5m), ``C`` switches between the mid as a line and trade candles. Each a
binding id, remappable with ``ui.keys``, listed in the help screen; not in the footer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from tradeterm.ui.pane_keys import key_for
from tradeterm.ui.widgets.chart_pane import ChartPane

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp

BINDINGS = [
    Binding("G", "chart('toggle')", "Chart on/off", show=False, id="chart.toggle"),
    Binding("I", "chart('interval')", "Chart interval", show=False, id="chart.interval"),
    Binding("C", "chart('candles')", "Chart line/candles", show=False, id="chart.candles"),
]


class ChartKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    @property
    def pane(self) -> ChartPane:
        return self.app.screen_stack[0].query_one(ChartPane)

    @property
    def shown(self) -> bool:
        return self.app.screen_stack[0].has_class("-chart")

    def act(self, what: str) -> None:
        pane = self.pane
        if what == "toggle":
            main = self.app.screen_stack[0]
            main.set_class(not self.shown, "-chart")
            pane.refresh_view()
        elif what == "interval":
            pane.cycle_interval()
        elif what == "candles":
            pane.toggle_candles()
        self.show_title()
        if what != "toggle" and not self.shown:
            shows = key_for(self.app, "chart.toggle")
            self.app.cmdline.say(f"chart: {pane.style_name} ({shows} shows it)", True)

    def show_title(self) -> None:
        """The chart's title: its instrument, what a column is, the keys."""
        pane = self.pane
        symbol = pane.inst.symbol if pane.inst is not None else ""
        self.app.screen_stack[0].query_one(
            "#chart-box"
        ).border_title = f"Chart {symbol}  {pane.style_name}"
