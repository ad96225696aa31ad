"""The time-and-sales tape: newest trade on top, coloured by the aggressor's side."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tradeterm.core.views import RingView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side, Trade
from tradeterm.ui.format import BUY_STYLE, SELL_STYLE, hms


class TradesTape(Static):
    DEFAULT_CSS = """
    TradesTape { height: 1fr; padding: 0 1; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.instrument: Instrument | None = None
        self.tape: RingView[Trade] | None = None
        self._drawn: tuple[int, int, int] | None = None

    def show(self, instrument: Instrument, tape: RingView[Trade]) -> None:
        self.instrument, self.tape = instrument, tape
        self._drawn = None
        self.refresh_view()

    def refresh_view(self) -> None:
        if self.tape is None:
            return
        key = (id(self.tape), self.tape.version, *self.size)
        if key == self._drawn:
            return
        self._drawn = key
        self.update(self.render_tape(max(1, self.size.height or 20), self.size.width or 60))

    def render_tape(self, height: int, width: int) -> Text:
        inst, tape = self.instrument, self.tape
        assert inst is not None and tape is not None
        millis = width >= 44  # narrow panes drop the milliseconds and the price padding
        tw, pw = (12, 12) if millis else (8, 9)
        text = Text(no_wrap=True, overflow="crop")
        text.append(f"{'time':<{tw}} {'price':>{pw}} {'size':>9}  side\n", "bold dim")
        items = tape.items
        for i in range(min(height - 1, len(items))):
            trade = items[-1 - i]
            style = BUY_STYLE if trade.aggressor is Side.BUY else SELL_STYLE
            text.append(f"{hms(trade.ts_event, millis=millis):<{tw}} ")
            text.append(f"{inst.format_price(trade.price):>{pw}} ", style)
            text.append(f"{inst.format_qty(trade.size):>9}  ")
            text.append("BUY" if trade.aggressor is Side.BUY else "SELL", style)
            text.append("\n")
        text.rstrip()
        return text
