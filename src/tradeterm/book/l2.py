"""An L2 (price-level) order book kept from a snapshot plus deltas.

Levels live in one dict per side (price ticks -> size lots). The best bid and ask are kept
incrementally: a level better than the best becomes the best; when the best level empties, the
next best is found by one scan of that side after the update (best levels empty in about one
update in ten on BTCUSDT, so this beats maintaining a heap on every new level). ``top(n)`` and
ladder reads happen only when a reader asks (the UI at <= 30 Hz), never per update.

Sequencing (Binance's documented procedure): deltas entirely at or below the snapshot's update id
``N`` are dropped; the first applied delta must straddle it (``first_update_id <= N + 1``); each
later one must start right after the previous one (spot: ``first_update_id == last + 1``) or, when
the venue supplies ``prev_update_id`` (futures ``pu``), name the previous one's last id.
Anything else is a gap: the book marks itself unsynced, calls ``on_gap`` and ignores deltas until
the next snapshot. A crossed book (best bid >= best ask) after an update calls ``on_crossed``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from tradeterm.domain.market import BookDelta, BookSnapshot


class SequenceGap(Exception):
    pass


GapHook = Callable[["L2Book", int, int], None]  # (book, expected first id, got first id)
CrossedHook = Callable[["L2Book"], None]


class L2Book:
    __slots__ = (
        "instrument",
        "bids",
        "asks",
        "best_bid",
        "best_ask",
        "last_update_id",
        "version",
        "synced",
        "ts_event",
        "on_gap",
        "on_crossed",
        "gaps",
        "_fresh",
    )

    def __init__(self, instrument: str) -> None:
        self.instrument = instrument
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self.best_bid: int | None = None
        self.best_ask: int | None = None
        self.last_update_id = -1
        self.version = 0  # bumped on every applied update; readers redraw when it changed
        self.synced = False
        self._fresh = False  # no delta applied since the snapshot
        self.ts_event = 0
        self.gaps = 0
        self.on_gap: GapHook | None = None
        self.on_crossed: CrossedHook | None = None

    # --- updates ---------------------------------------------------------------------------
    def apply_snapshot(self, snap: BookSnapshot) -> None:
        self.bids = {p: s for p, s in snap.bids if s > 0}
        self.asks = {p: s for p, s in snap.asks if s > 0}
        self.best_bid = max(self.bids) if self.bids else None
        self.best_ask = min(self.asks) if self.asks else None
        self.last_update_id = snap.update_id
        self.ts_event = snap.ts_event
        self.synced = True
        self._fresh = True
        self.version += 1
        self._check_crossed()

    def restore(
        self,
        bids: dict[int, int],
        asks: dict[int, int],
        last_update_id: int,
        synced: bool,
        fresh: bool,
        ts_event: int,
        gaps: int,
    ) -> None:
        """Put the book in a state it had (a replay's keyframe: ``record/keyframes.py``): the
        same levels and sequencing state, so the updates that followed apply the same way."""
        self.bids, self.asks = bids, asks
        self.best_bid = max(bids) if bids else None
        self.best_ask = min(asks) if asks else None
        self.last_update_id, self.synced, self._fresh = last_update_id, synced, fresh
        self.ts_event, self.gaps = ts_event, gaps
        self.version += 1

    @property
    def fresh(self) -> bool:
        """No delta applied since the last snapshot (the next must straddle it)."""
        return self._fresh

    def apply_delta(self, delta: BookDelta) -> bool:
        """Apply one venue update. Returns False (and applies nothing) if it is stale or a gap."""
        if not self.synced:
            return False
        last = self.last_update_id
        if delta.last_update_id <= last:
            return False  # already covered by the snapshot or a previous update
        if self._fresh:  # the first delta after a snapshot must straddle it
            in_sequence = delta.first_update_id <= last + 1
        elif delta.prev_update_id >= 0:  # futures: each message names the last id before it
            in_sequence = delta.prev_update_id == last
        else:  # spot: ids are contiguous
            in_sequence = delta.first_update_id == last + 1
        if not in_sequence:
            self.synced = False
            self.gaps += 1
            if self.on_gap is not None:
                self.on_gap(self, last + 1, delta.first_update_id)
            return False
        # both sides inlined (this runs for every level of every update): a level above the
        # best bid becomes the best; if the best level goes, the best is found again once after
        # the whole update by a scan (on BTCUSDT that is ~1 update in 10, far cheaper than
        # keeping a heap of prices up to date on every new level)
        if delta.bids:
            levels = self.bids
            best = self.best_bid
            lost_best = False
            for price, size in delta.bids:
                if size:
                    levels[price] = size
                    if best is None or price > best:
                        best = price
                        lost_best = False
                elif levels.pop(price, None) is not None and price == best:
                    lost_best = True
            self.best_bid = (max(levels) if levels else None) if lost_best else best
        if delta.asks:
            levels = self.asks
            best = self.best_ask
            lost_best = False
            for price, size in delta.asks:
                if size:
                    levels[price] = size
                    if best is None or price < best:
                        best = price
                        lost_best = False
                elif levels.pop(price, None) is not None and price == best:
                    lost_best = True
            self.best_ask = (min(levels) if levels else None) if lost_best else best
        self.last_update_id = delta.last_update_id
        self._fresh = False
        self.ts_event = delta.ts_event
        self.version += 1
        bb, ba = self.best_bid, self.best_ask
        if bb is not None and ba is not None and bb >= ba:
            self._check_crossed()
        return True

    def set_bid(self, price: int, size: int) -> None:
        bids = self.bids
        if size > 0:
            bids[price] = size
            if self.best_bid is None or price > self.best_bid:
                self.best_bid = price
        elif bids.pop(price, None) is not None and price == self.best_bid:
            self.best_bid = max(bids) if bids else None

    def set_ask(self, price: int, size: int) -> None:
        asks = self.asks
        if size > 0:
            asks[price] = size
            if self.best_ask is None or price < self.best_ask:
                self.best_ask = price
        elif asks.pop(price, None) is not None and price == self.best_ask:
            self.best_ask = min(asks) if asks else None

    def set_level(self, side: int, price: int, size: int) -> None:
        """Set one level; ``side`` is ``Side.BUY`` (1) for bids, ``Side.SELL`` (-1) for asks."""
        (self.set_bid if side > 0 else self.set_ask)(price, size)

    def _check_crossed(self) -> None:
        if self.is_crossed and self.on_crossed is not None:
            self.on_crossed(self)

    # --- reads -----------------------------------------------------------------------------
    @property
    def is_crossed(self) -> bool:
        return (
            self.best_bid is not None
            and self.best_ask is not None
            and self.best_bid >= self.best_ask
        )

    @property
    def mid_x2(self) -> int | None:
        """Twice the mid price in ticks (an integer, so no rounding)."""
        if self.best_bid is None or self.best_ask is None:
            return None
        return self.best_bid + self.best_ask

    def size_at(self, side: int, price: int) -> int:
        return (self.bids if side > 0 else self.asks).get(price, 0)

    def top(self, n: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """The best ``n`` levels of each side, best first."""
        bids = self.bids
        asks = self.asks
        bid_prices = heapq.nlargest(n, bids) if len(bids) > n else sorted(bids, reverse=True)
        ask_prices = heapq.nsmallest(n, asks) if len(asks) > n else sorted(asks)
        return [(p, bids[p]) for p in bid_prices], [(p, asks[p]) for p in ask_prices]

    def depth(self) -> tuple[int, int]:
        return len(self.bids), len(self.asks)
