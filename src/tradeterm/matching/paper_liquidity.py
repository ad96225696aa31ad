"""What the external book's levels still offer a paper order.

A level offers what the venue shows, less what is already gone although the book still shows it:
lots paper orders took (they stay taken until the venue next updates that level) and lots trades
took that no book update reflects yet (see ``paper_queue``). Both are forgotten when the venue
updates the level.
"""

from __future__ import annotations

from collections.abc import Iterator

from tradeterm.book.l2 import L2Book

Key = tuple[int, int]  # (side, price): side 1 = bids, -1 = asks


class VisibleLiquidity:
    __slots__ = ("book", "_gone")

    def __init__(self, book: L2Book) -> None:
        self.book = book
        self._gone: dict[Key, int] = {}

    def take(self, key: Key, qty: int) -> None:
        """A paper order took ``qty`` from the level, or a trade the book does not show yet."""
        self._gone[key] = self._gone.get(key, 0) + qty

    def refreshed(self, bids: list[tuple[int, int]], asks: list[tuple[int, int]]) -> None:
        """The venue updated these levels: what they show now is what is there."""
        gone = self._gone
        if gone:
            for price, _size in bids:
                gone.pop((1, price), None)
            for price, _size in asks:
                gone.pop((-1, price), None)

    def reset(self) -> None:
        self._gone.clear()

    def offers(
        self, side: int, limit: int | None, at_limit: bool = True
    ) -> Iterator[tuple[int, int]]:
        """For an order of ``side``: the opposite levels from the best up to ``limit`` (None:
        no limit; ``at_limit`` False: strictly better than it), as (price, lots available) with
        something available. Lazy: a ``take`` between two steps is seen by the next."""
        book = self.book
        levels = book.asks if side > 0 else book.bids
        if not levels or not book.synced:
            return
        best = book.best_ask if side > 0 else book.best_bid
        if limit is not None and best is not None and (best - limit) * side > 0:
            return  # not marketable (the common case for a quote): no need to sort the side
        gone = self._gone
        for price in sorted(levels, reverse=side < 0):
            if limit is not None:
                beyond = (price - limit) * side
                if beyond > 0 or (beyond == 0 and not at_limit):
                    return
            available = levels[price] - gone.get((-side, price), 0)
            if available > 0:
                yield price, available

    def up_to(self, side: int, limit: int | None) -> int:
        """Lots an order of ``side`` could take now, at prices up to ``limit``."""
        return sum(available for _, available in self.offers(side, limit))
