"""The time-and-sales tape: newest trade on top, coloured by the aggressor's side."""

from __future__ import annotations

from tradeterm.core.views import RingView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side, Trade
from tradeterm.ui.format import hms, palette
from tradeterm.ui.widgets.pane import Row, TextPane


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
        if self.tape is None:
            return
        if not self.changed(id(self.tape), self.tape.version, *self.size, palette()):
            return
        self.set_rows(self.tape_rows(max(1, self.size.height or 20), self.size.width or 60))

    def tape_rows(self, height: int, width: int) -> list[Row]:
        inst, tape = self.instrument, self.tape
        assert inst is not None and tape is not None
        pal = palette()
        millis = width >= 44  # narrow panes drop the milliseconds and the price padding
        tw, pw = (12, 12) if millis else (8, 9)
        out: list[Row] = [((f"{'time':<{tw}} {'price':>{pw}} {'size':>9}  side", "bold dim"),)]
        buy_style, sell_style = f"bold {pal.buy}", f"bold {pal.sell}"
        items = tape.items
        for i in range(min(height - 1, len(items))):
            trade = items[-1 - i]
            buy = trade.aggressor is Side.BUY
            style = buy_style if buy else sell_style
            out.append((
                (f"{hms(trade.ts_event, millis=millis):<{tw}} ", ""),
                (f"{inst.format_price(trade.price):>{pw}} ", style),
                (f"{inst.format_qty(trade.size):>9}  ", ""),
                ("BUY" if buy else "SELL", style),
            ))
        return out
