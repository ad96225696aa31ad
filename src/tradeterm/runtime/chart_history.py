"""The chart's history (``views.history``), kept by the kernel on the engine clock: every trade
into the bars of its instrument, and once a clock second a mark of each instrument (its touch,
position and PnL) read from the views the book keeper and the portfolio keep.

A second in which nothing the mark shows changed (no market data, the same position and PnL)
adds no mark: a quiet market, a paused or ended replay, or the seconds a seek jumped over
(whose market was never played) cost nothing, and the chart does not draw a flat line through
time it never saw. Nothing here trades: its handler is not essential (``core/bus.py``).
"""

from __future__ import annotations

from decimal import Decimal

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.history import Mark, PriceHistory
from tradeterm.core.views import EngineViews
from tradeterm.domain.market import Trade

ZERO = Decimal(0)


class ChartHistory:
    def __init__(self, bus: MessageBus, clock: Clock, views: EngineViews) -> None:
        self.clock = clock
        self.views = views
        self.history = views.history
        for iid in views.books:
            self.history[iid] = PriceHistory()
        self._seen: dict[str, tuple[int, int]] = {}  # (book, trades) versions at its last mark
        bus.subscribe("trade.*", self.on_trade, essential=False)

    def on_trade(self, trade: Trade) -> None:
        history = self.history.get(trade.instrument)
        if history is not None:
            history.trade(self.clock.timestamp_ns(), trade.price, trade.size)

    def sample(self, ts: int) -> None:
        """Once a clock second: a mark of each instrument whose figures moved."""
        books, stats, positions = self.views.books, self.views.stats, self.views.portfolio.positions
        for iid, history in self.history.items():
            book = books[iid]
            seen = (book.version, stats[iid].version)
            market_moved = seen != self._seen.get(iid)
            self._seen[iid] = seen
            row = positions.get(iid)
            qty = row.qty if row is not None else 0
            pnl = row.realized + row.unrealized - row.fees if row is not None else ZERO
            last = history.last
            if (
                not market_moved
                and last is not None
                and last.ts < ts
                and (last.position, last.pnl) == (qty, pnl)
            ):
                continue
            history.mark(Mark(ts, book.best_bid, book.best_ask, qty, pnl))
