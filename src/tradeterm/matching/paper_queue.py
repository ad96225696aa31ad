"""The queue ledger of a paper book: which trades a level's size already reflects.

A venue reports a trade and the book update that reflects it as two messages (often on two
streams), in either order, usually with the same timestamp. A paper order's queue position must
not depend on that order, and a trade must never be counted twice: once as the trade, and again
as the level shrinking below the queue ahead (which caps the queue ahead).

The rules, per level ``(side, price)``:

* A **moment** is the set of market events with one ``ts_event``. The book's evidence about a
  level (it shrank: by trades, or by cancels; it now shows so much) is applied when the moment is
  complete, i.e. when an event with a later timestamp arrives or an order request comes in
  (``PaperBook.settle``). Trades in the moment advance the queue at once, so fills are never
  held back; the cap and the cancels-ahead share wait until all of the moment's trades are in.
* **Trades not yet reflected.** A trade is reflected in a level once the book has been updated at
  that level at or after the trade's timestamp. A trade that is not yet reflected is pending: the
  liquidity it took is gone although the book still shows it, and it explains the level's next
  decrease (so that decrease is not taken for cancels).
* **Settling** a level that the moment's updates touched: its decrease over the moment
  (``start - now``) minus the pending trades it explains is the size cancelled. Pending trades of
  that level are then cleared (the update reflects them).

``QueueLedger`` keeps this bookkeeping; ``PaperBook`` applies it to its orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tradeterm.matching.paper_orders import PaperOrder

Key = tuple[int, int]  # (side, price): side 1 = bids, -1 = asks

# A level's last update older than this (behind the newest update) is forgotten: it could only
# say that a trade at least this late is already in the level's size, and no feed delivers a
# trade a minute after the book that reflects it. Without it the ledger kept a timestamp for
# every price a long session's book ever updated.
FORGET_AFTER_NS = 60_000_000_000
FORGET_FROM = 4096  # levels remembered before the first look for old ones


class Settled:
    """One level at the end of a moment: its size when the moment began, and how much of its
    decrease was trades (the rest was cancelled)."""

    __slots__ = ("key", "start", "traded", "updated_ts")

    def __init__(self, key: Key, start: int, traded: int, updated_ts: int) -> None:
        self.key = key
        self.start = start
        self.traded = traded
        self.updated_ts = updated_ts


class QueueLedger:
    __slots__ = ("moment_ts", "_open", "_start", "_pending", "_updated", "_book_ts", "_look_at")

    def __init__(self) -> None:
        self.moment_ts = -1
        self._open = False
        self._start: dict[Key, int] = {}  # level size when the open moment began
        self._pending: dict[Key, int] = {}  # trade volume not yet matched by a decrease
        # per side (bids, asks): price -> ts of the last book update at the level
        self._updated: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self._book_ts = -1  # ts of the last snapshot (every level)
        self._look_at = FORGET_FROM  # levels remembered when old ones are next forgotten

    # --- moments -----------------------------------------------------------------------------
    def due(self, ts: int) -> bool:
        """Does an event at ``ts`` end the open moment (so it must be settled first)?"""
        return self._open and ts > self.moment_ts

    @property
    def is_open(self) -> bool:
        return self._open

    def enter(self, ts: int) -> None:
        """An event at ``ts`` belongs to the open moment (a late one keeps the moment's ts)."""
        if not self._open or ts > self.moment_ts:
            self.moment_ts = ts
        self._open = True

    def settle(self) -> list[Settled]:
        """Close the open moment: every level it updated, with what its decrease was made of."""
        self._open = False
        if not self._start:
            return []
        out = []
        pending = self._pending
        for key, start in self._start.items():
            out.append(Settled(key, start, pending.pop(key, 0), self.updated_ts(key)))
        self._start.clear()
        return out

    # --- events ------------------------------------------------------------------------------
    def updated_ts(self, key: Key) -> int:
        """When the book last updated the level (trades up to then are in its size)."""
        return self._updated[0 if key[0] > 0 else 1].get(key[1], self._book_ts)

    def traded(self, key: Key, size: int, ts: int) -> bool:
        """A trade took ``size`` from the level ``key``. Returns whether the book already
        reflects it (updated at the level at or after ``ts``)."""
        reflected = ts <= self.updated_ts(key)
        if not reflected or key in self._start:  # a decrease still to come or to settle
            self._pending[key] = self._pending.get(key, 0) + size
        return reflected

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def start_size(self, key: Key, now: int) -> int:
        """The level's size when the open moment began (``now`` if the moment left it alone)."""
        return self._start.get(key, now)

    def updated(
        self,
        ts: int,
        bids: list[tuple[int, int]],
        asks: list[tuple[int, int]],
        before: dict[Key, int],
    ) -> None:
        """The book updated these levels at ``ts``; ``before`` has the sizes, before the
        update, of those worth settling (an order waits there, or trades await the update)."""
        updated_bids, updated_asks = self._updated
        for price, _size in bids:
            updated_bids[price] = ts
        for price, _size in asks:
            updated_asks[price] = ts
        if len(updated_bids) + len(updated_asks) > self._look_at:
            self._forget_before(ts - FORGET_AFTER_NS)
        start = self._start
        for key, size in before.items():
            if key not in start:
                start[key] = size

    def _forget_before(self, ts: int) -> None:
        """Forget the levels last updated before ``ts`` (they read as updated at the last
        snapshot, as a level never updated since does); look again once twice as many are
        remembered, so the cost per update stays constant."""
        kept = 0
        for side in self._updated:
            for price in [p for p, at in side.items() if at < ts]:
                del side[price]
            kept += len(side)
        self._look_at = max(FORGET_FROM, 2 * kept)

    def snapshot(self, before: dict[Key, int], ts: int) -> None:
        """A snapshot updates every level; ``before`` has the sizes of the levels worth
        settling (see ``updated``) as they were."""
        for key, size in before.items():
            if key not in self._start:
                self._start[key] = size
        self._updated[0].clear()
        self._updated[1].clear()
        self._book_ts = ts

    def pending_levels(self) -> list[Key]:
        return list(self._pending)


def settle_queue(
    waiting: list[PaperOrder], shown: int, level: Settled, cancels_ahead: float
) -> None:
    """Apply a settled level to the paper orders waiting there (in queue order): the size
    cancelled, in share ``cancels_ahead``, was ahead of them; and what is ahead of an order can
    never exceed what the level shows plus earlier own orders. An order capped that way has its
    basis moved to the level's update: trades up to then are out of its queue already."""
    cancelled = max(0, level.start - shown - level.traded)
    own_ahead = 0
    for order in waiting:
        ahead = order.queue_ahead
        if cancelled and cancels_ahead:
            ahead = max(0, ahead - int(cancelled * cancels_ahead))
        if ahead > shown + own_ahead:
            ahead = shown + own_ahead
            order.basis_ts = level.updated_ts
        order.queue_ahead = ahead
        own_ahead += order.leaves
