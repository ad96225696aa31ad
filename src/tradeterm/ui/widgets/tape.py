"""The time-and-sales tape: newest trade on top, coloured by the aggressor's side."""

from __future__ import annotations

from tradeterm.core.views import RingView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side, Trade
from tradeterm.ui.format import hms, palette
from tradeterm.ui.widgets.fit import Column, fit_columns, header_row, table_row
from tradeterm.ui.widgets.pane import Row, TextPane

# (title, priority: 0 never dropped, higher goes first, left-aligned)
FIELDS = (("time", 2, True), ("price", 0, False), ("size", 0, False), ("side", 1, True))


class TradesTape(TextPane):
    REDRAW_S = 0.25  # a busy tape scrolls every row: four times a second is readable
    DEFAULT_CSS = """
    TradesTape { height: 1fr; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.instrument: Instrument | None = None
        self.tape: RingView[Trade] | None = None

    def show(self, instrument: Instrument, tape: RingView[Trade]) -> None:
        self.instrument, self.tape = instrument, tape
        self._drawn = None
        self.refresh_view()

    def refresh_view(self) -> None:
        if self.tape is None or not self.size.width:
            return  # not laid out yet: a frame drawn for a guessed width stayed REDRAW_S long
        if not self.changed(id(self.tape), self.tape.version, *self.size, palette()):
            return
        self.set_rows(self.tape_rows(max(1, self.size.height or 20), self.size.width or 60))

    def tape_rows(self, height: int, width: int) -> list[Row]:
        """Newest first; the columns fitted to the width, never cut: the side word goes first
        (the colour still says it), then the time; price and size always stay."""
        inst, tape = self.instrument, self.tape
        assert inst is not None and tape is not None
        pal = palette()
        millis = width >= 44  # narrow panes drop the milliseconds
        buy_style, sell_style = f"bold {pal.buy}", f"bold {pal.sell}"
        items = tape.items
        table, styles = [], []
        for i in range(min(height - 1, len(items))):
            trade = items[-1 - i]
            buy = trade.aggressor is Side.BUY
            style = buy_style if buy else sell_style
            table.append(
                (
                    hms(trade.ts_event, millis=millis),
                    inst.format_price(trade.price),
                    inst.format_qty(trade.size),
                    "BUY" if buy else "SELL",
                )
            )
            styles.append(("", style, "", style))
        columns = [
            Column(title, max([len(title)] + [len(r[i]) for r in table]), prio, left)
            for i, (title, prio, left) in enumerate(FIELDS)
        ]
        keep = fit_columns(columns, width)
        out: list[Row] = [header_row(columns, keep)]
        out += [
            table_row(columns, keep, list(zip(row, style))) for row, style in zip(table, styles)
        ]
        return out
