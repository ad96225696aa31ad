"""The instrument keys, composed into the app (``app.instrument_keys``): ``1``-``9`` select an
instrument, ``[`` and ``]`` step through them; the quotes, the ladder, the tape, the quoter
pane and the chart follow the selected one. The ladder's title names it and its size preset
in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradeterm.ui.widgets.chart_pane import ChartPane
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.quoter_pane import QuoterPane
from tradeterm.ui.widgets.quotes import QuotesPane
from tradeterm.ui.widgets.tape import TradesTape

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp


class InstrumentKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    def show(self) -> None:
        """The selected instrument on the quotes, ladder, tape and quoter panes."""
        app = self.app
        inst = app.instruments[app.selected]
        views = app.kernel.views
        main = app.screen_stack[0]  # works whatever modal is on top
        quotes = main.query_one(QuotesPane)
        quotes.selected = app.selected
        self.show_title()
        main.query_one("#tape-box").border_title = f"Trades {inst.symbol} F7"
        main.query_one(QuoterPane).show(inst.id)
        main.query_one(Ladder).show(inst, views.books[inst.id], views.stats[inst.id])
        main.query_one(TradesTape).show(inst, views.trades[inst.id])
        main.query_one(ChartPane).show(inst)
        app.chart_keys.show_title()
        quotes.refresh_view()

    def show_title(self) -> None:
        """The ladder's title: its instrument and the size preset in force (the header has
        no room for it at 80 columns; the ladder is always on screen)."""
        app = self.app
        inst = app.instruments[app.selected]
        lots = app.trading.default_lots(inst)
        n, of = app.trading.sizes.position(inst.id)
        app.screen_stack[0].query_one(
            "#ladder-box"
        ).border_title = f"Ladder  {inst.symbol}  size {inst.format_qty(lots)} ({n}/{of})"

    def select(self, index: int) -> None:
        app = self.app
        if 0 <= index < len(app.instruments) and index != app.selected:
            app.selected = index
            self.show()
