"""Quotes / watchlist: every instrument with bid, ask, last, change since the session's first
trade and volume. The last price is coloured by its tick (up / down); the selected instrument
is highlighted.

Bid, ask and last come from the ``MarketFrame`` the ladder draws from: the selected
instrument's row follows every frame the ladder draws (so both always show the same best bid),
the other rows four times a second (a busy watchlist at the full rate would cost bytes over SSH
for nothing a trader can read).
"""

from __future__ import annotations

import time

from tradeterm.core.views import BookReader, InstrumentStats
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import palette
from tradeterm.ui.market_frame import EMPTY, MarketFrame, Top
from tradeterm.ui.widgets.ladder_rows import qty_text
from tradeterm.ui.widgets.pane import Row, TextPane

OTHER_ROWS_S = 0.25  # the rows of instruments not on the ladder, four times a second


class QuotesPane(TextPane):
    DEFAULT_CSS = """
    QuotesPane { height: auto; max-height: 12; padding: 0 1; }
    """

    def __init__(
        self,
        instruments: list[Instrument],
        books: dict[str, BookReader],
        stats: dict[str, InstrumentStats],
        frame: MarketFrame | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.instruments = instruments
        self.stats = stats
        self.frame = frame if frame is not None else MarketFrame(books, stats)
        self.frame.readers.append(self.refresh_view)
        self.selected = 0
        self.shown: dict[str, tuple[Top, int | None, int]] = {}  # (top, open, volume) drawn
        self._others_due = 0.0
        self.styles.height = len(instruments) + 1

    def _state(self, iid: str) -> tuple[Top, int | None, int]:
        stats = self.stats[iid]
        return self.frame.top(iid), stats.open_price, stats.volume

    def refresh_view(self) -> None:
        now = time.monotonic()
        if now >= self._others_due:
            self._others_due = now + OTHER_ROWS_S
            self.shown = {inst.id: self._state(inst.id) for inst in self.instruments}
        elif self.instruments:
            selected = self.instruments[self.selected].id
            for inst in self.instruments:  # the ladder's instrument, and rows with nothing yet
                if inst.id == selected or self.shown.get(inst.id, (EMPTY,))[0] is EMPTY:
                    self.shown[inst.id] = self._state(inst.id)
        if not self.changed(tuple(self.shown.values()), self.selected, self.size.width, palette()):
            return
        self.set_rows(self.quote_rows(self.size.width or 100), throttle=False)

    def quote_rows(self, width: int) -> list[Row]:
        pal = palette()
        sw = max(11, *(len(i.symbol) + 2 for i in self.instruments))  # "1 " + symbol
        pw = 11  # never cut a price: the columns widen to the longest
        for inst in self.instruments:
            top = self.shown.get(inst.id, (self.frame.top(inst.id),))[0]
            for price in (top.bid, top.ask, top.last):
                if price is not None:
                    pw = max(pw, len(inst.format_price(price)))
        wide = width >= 2 + sw + 3 * (pw + 1) + 8 + 10
        head = f"  {'symbol':<{sw}} {'bid':>{pw}} {'ask':>{pw}} {'last':>{pw}} {'chg%':>7}"
        rows: list[Row] = [((head + (f" {'volume':>9}" if wide else ""), "bold dim"),)]
        for n, inst in enumerate(self.instruments):
            top, open_price, volume = self.shown.get(inst.id) or self._state(inst.id)
            last_style = pal.buy if top.tick > 0 else pal.sell if top.tick < 0 else ""
            change = ""
            if open_price and top.last is not None:
                pct = (top.last - open_price) * 100 / open_price
                change = f"{pct:+.2f}" if abs(pct) >= 0.005 else "0.00"
            chg_style = (
                pal.buy if change.startswith("+") else (pal.sell if change.startswith("-") else "")
            )
            marker = ("▶ ", "bold") if n == self.selected else ("  ", "")
            row: list[tuple[str, str]] = [
                marker,
                (f"{n + 1} {inst.symbol:<{sw - 2}}", "bold" if n == self.selected else ""),
                (f" {inst.format_price(top.bid):>{pw}}", pal.bid),
                (f" {inst.format_price(top.ask):>{pw}}", pal.ask),
                (f" {inst.format_price(top.last):>{pw}}", last_style),
                (f" {change:>7}", chg_style),
            ]
            if wide:
                row.append((f" {qty_text(inst.lots_to_qty(volume), 9):>9}", "dim"))
            rows.append(tuple(row))
        return rows
