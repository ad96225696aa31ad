"""Today's reference points (start and peak equity: what the daily loss and drawdown limits
resume from after a restart) and the latest equity, for ``tradeterm status``: saved on a new
day at once, otherwise every few seconds of the engine clock."""

from __future__ import annotations

from tradeterm.core.clock import NS
from tradeterm.core.views import PortfolioView
from tradeterm.oms.store_port import OrderStore
from tradeterm.portfolio.portfolio import Portfolio

DAY_SAVE_NS = 5 * NS
DAY_NS = 86_400 * NS


class DayMarks:
    def __init__(self, store: OrderStore, portfolio: Portfolio, view: PortfolioView) -> None:
        self.store = store
        self.portfolio = portfolio
        self.view = view
        self._saved_ts = 0

    def save(self, ts: int, force: bool = False) -> None:
        day = self.portfolio.day
        if day is None:
            return
        new_day = self._saved_ts // DAY_NS != ts // DAY_NS
        if force or new_day or ts - self._saved_ts >= DAY_SAVE_NS:
            self.store.controls.save_day(
                day.day, day.start_equity, day.peak_equity, self.view.equity, ts
            )
            self._saved_ts = ts
