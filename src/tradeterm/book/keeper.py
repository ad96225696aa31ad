"""Keeps the market data views current from the bus: one L2 book per instrument, the trades
tape and per-instrument session statistics. Nothing here runs per UI frame."""

from __future__ import annotations

import logging
from typing import Protocol

from tradeterm.book.l2 import L2Book
from tradeterm.core.bus import MessageBus
from tradeterm.core.views import EngineViews, InstrumentStats, RingView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Trade

log = logging.getLogger(__name__)

TAPE_LENGTH = 200


class BookWatcher(Protocol):
    """Reads a kept book around each update (paper execution: the sizes a delta changes)."""

    def updating(self, msg: BookDelta | BookSnapshot) -> None: ...

    def updated(self, msg: BookDelta | BookSnapshot, applied: bool) -> None: ...


class MarketDataKeeper:
    def __init__(self, bus: MessageBus, views: EngineViews, instruments: list[Instrument]) -> None:
        self.views = views
        self.md_events = 0
        self._books: dict[str, L2Book] = {}  # the books it keeps; views.books reads the same ones
        self._watchers: dict[str, BookWatcher] = {}
        for inst in instruments:
            book = L2Book(inst.id)
            book.on_gap = self._on_gap
            book.on_crossed = self._on_crossed
            self._books[inst.id] = views.books[inst.id] = book
            views.trades[inst.id] = RingView(TAPE_LENGTH)
            views.stats[inst.id] = InstrumentStats()
        bus.subscribe("book.*", self.on_book)
        bus.subscribe("trade.*", self.on_trade)

    @property
    def books(self) -> dict[str, L2Book]:
        """The books it keeps, by instrument id (a replay's keyframes read and restore them)."""
        return self._books

    def watch(self, instrument: str, watcher: BookWatcher) -> None:
        """Call ``watcher`` just before and after each update of the instrument's book."""
        self._watchers[instrument] = watcher

    def unwatch(self, instrument: str) -> BookWatcher | None:
        """Stop calling the instrument's watcher (a replay going back under paper orders it
        takes off first: nothing to read meanwhile); returns it, to ``watch`` it again."""
        return self._watchers.pop(instrument, None)

    def on_book(self, msg: BookDelta | BookSnapshot) -> None:
        book = self._books.get(msg.instrument)
        if book is None:
            return
        self.md_events += 1
        watcher = self._watchers.get(msg.instrument)
        if watcher is None:
            if isinstance(msg, BookDelta):
                book.apply_delta(msg)
            else:
                book.apply_snapshot(msg)
            return
        watcher.updating(msg)
        if isinstance(msg, BookDelta):
            watcher.updated(msg, book.apply_delta(msg))
        else:
            book.apply_snapshot(msg)
            watcher.updated(msg, True)

    def on_trade(self, trade: Trade) -> None:
        tape = self.views.trades.get(trade.instrument)
        if tape is None:
            return
        self.md_events += 1
        tape.append(trade)
        stats = self.views.stats[trade.instrument]
        if stats.open_price is None:
            stats.open_price = trade.price
        elif trade.price != stats.last_price:
            stats.tick = 1 if trade.price > stats.last_price else -1  # type: ignore[operator]
        stats.last_price = trade.price
        stats.last_side = int(trade.aggressor)
        stats.volume += trade.size
        at = stats.volume_at_price
        at[trade.price] = at.get(trade.price, 0) + trade.size
        stats.trades += 1
        stats.version += 1

    def _on_gap(self, book: L2Book, expected: int, got: int) -> None:
        log.warning(
            "%s: sequence gap (expected update %d, got %d); waiting for a snapshot",
            book.instrument,
            expected,
            got,
        )

    def _on_crossed(self, book: L2Book) -> None:
        log.warning(
            "%s: crossed book (bid %s >= ask %s)", book.instrument, book.best_bid, book.best_ask
        )
