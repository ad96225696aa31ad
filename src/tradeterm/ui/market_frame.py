"""The top of every book as the screen shows it: one read per frame, shared by every pane.

The watchlist, the ladder and anything else that shows a best bid, best ask or last price draw
them from one ``MarketFrame``, not each from the live book on its own beat: a watchlist drawn at
4 Hz and a ladder drawn at 10 Hz would otherwise show two different best bids on one screen.
``take`` reads each book once (the app calls it on the ladder's beat and before a key redraws
the ladder); ``redraw`` takes a frame and redraws every pane that reads it, together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tradeterm.core.views import BookReader, InstrumentStats


@dataclass(frozen=True, slots=True)
class Top:
    """One instrument's top of book and last trade at the moment of a frame (ticks)."""

    bid: int | None = None
    ask: int | None = None
    last: int | None = None
    tick: int = 0  # direction of the last price change: 1 up, -1 down, 0 none yet
    synced: bool = False
    last_side: int = 0  # aggressor of the last trade: 1 buy (it lifted the ask), -1 sell

    @property
    def mid(self) -> int | None:
        """The mid rounded down to a tick, or the one side there is."""
        if self.bid is not None and self.ask is not None:
            return (self.bid + self.ask) // 2
        return self.bid if self.bid is not None else self.ask


EMPTY = Top()


class MarketFrame:
    def __init__(
        self, books: Mapping[str, BookReader], stats: Mapping[str, InstrumentStats]
    ) -> None:
        self.books = books
        self.stats = stats
        self.tops: dict[str, Top] = {}
        self.version = 0  # bumped when any top changed since the previous frame
        self.readers: list[Callable[[], None]] = []  # panes' refresh_view, redrawn together

    def top(self, instrument_id: str) -> Top:
        return self.tops.get(instrument_id, EMPTY)

    def take(self) -> bool:
        """Read every book's top once; True if any differs from the previous frame."""
        changed = False
        tops = self.tops
        for iid, book in self.books.items():
            stats = self.stats.get(iid)
            last, tick, side = (
                (stats.last_price, stats.tick, stats.last_side)
                if stats is not None
                else (None, 0, 0)
            )
            old = tops.get(iid)
            if (
                old is None
                or old.bid != book.best_bid
                or old.ask != book.best_ask
                or old.last != last
                or old.tick != tick
                or old.synced != book.synced
                or old.last_side != side
            ):
                tops[iid] = Top(book.best_bid, book.best_ask, last, tick, book.synced, side)
                changed = True
        if changed:
            self.version += 1
        return changed

    def redraw(self) -> None:
        """A new frame, and every pane that shows the top of book drawn from it now."""
        self.take()
        for refresh in self.readers:
            refresh()
