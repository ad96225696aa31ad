"""Taking liquidity: the loop that matches an aggressing order against the opposite side.

Price-time (FIFO) by default; ``_match_pro_rata`` allocates each level in proportion to the
visible size of its orders (whole lots, the remainder one lot at a time in time order), for
instruments whose rules ask for it. Both honour self-trade prevention and iceberg refills, report
every trade to the listener and write changed level sizes into ``level_changes``.

These are methods of ``MatchingEngine`` (a mixin, so the hot loop reads the engine's attributes
directly); see engine.py for the data layout.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop
from typing import TYPE_CHECKING

from tradeterm.matching.orders import (
    SELF_TRADE, STP_CANCEL_AGGRESSING, STP_CANCEL_RESTING, EngineOrder,
)

if TYPE_CHECKING:
    from tradeterm.matching.engine import MatchingEngine

    _Base = MatchingEngine
else:
    _Base = object


class Sweeper(_Base):
    def _match(self, side: int, limit: int, qty: int, taker_id: int, taker_owner: int,
               stp: int) -> int:
        """Match up to ``qty`` lots at prices no worse than ``limit``; return what is left.
        Sets ``_stp_hit`` when self-trade prevention cancelled the aggressing order."""
        if self._pro_rata:
            return self._match_pro_rata(side, limit, qty, taker_id, taker_owner, stp)
        if side > 0:
            levels, sizes, heap, changes, sign = (
                self._asks, self._ask_size, self._ask_heap, self._ask_changes, 1)
        else:
            levels, sizes, heap, changes, sign = (
                self._bids, self._bid_size, self._bid_heap, self._bid_changes, -1)
        orders = self.orders
        on_fill = self._on_fill
        positions = self.positions
        trade_id = self.trade_id
        remaining = qty
        first = last = 0
        while heap:
            price = heap[0] * sign
            queue = levels.get(price)
            if queue is None:
                heappop(heap)
                continue
            if (price - limit) * side > 0:
                break
            size = sizes[price]
            while queue:
                maker = queue[0]
                if maker.owner == taker_owner and stp:
                    if stp != STP_CANCEL_AGGRESSING:  # cancel the resting order
                        queue.popleft()
                        size -= maker.visible
                        del orders[maker.order_id]
                        self._on_canceled(maker.order_id, maker.owner, maker.leaves, SELF_TRADE)
                        self._forget(maker)
                    if stp != STP_CANCEL_RESTING:  # cancel the aggressing order
                        self._stp_hit = True
                        break
                    continue
                fill = maker.visible
                trade_id += 1
                if fill <= remaining:  # its whole shown part trades
                    remaining -= fill
                    size -= fill
                    queue.popleft()
                    leaves = maker.leaves - fill
                    maker.leaves = leaves
                    if leaves:  # iceberg: a new slice, at the back of the queue
                        shown = maker.ext.display  # type: ignore[union-attr]
                        if shown > leaves:
                            shown = leaves
                        maker.visible = shown
                        size += shown
                        queue.append(maker)
                    else:  # done (its ``visible`` is left as it was: meaningless now)
                        del orders[maker.order_id]
                        if maker.ext is not None:
                            self._forget(maker)
                else:  # the taker is done inside this order
                    fill = remaining
                    remaining = 0
                    size -= fill
                    maker.leaves -= fill
                    maker.visible -= fill
                if positions is not None:
                    self._track_fill(maker.owner, taker_owner, side, fill)
                if not first:
                    first = price
                last = price
                on_fill(maker, taker_id, taker_owner, price, fill, remaining, trade_id)
                if not remaining:
                    break
            if queue:
                sizes[price] = changes[price] = size
            else:
                del levels[price]
                del sizes[price]
                changes[price] = 0
                heappop(heap)
            if not remaining or self._stp_hit:
                break
        if last:
            self.trade_id = trade_id
            self.last_price = last
            if self._watch:
                self._traded(first, last)
        return remaining

    def _traded(self, first: int, last: int) -> None:
        """Remember the range of prices just traded (for stop triggers)."""
        self.last_price = last
        if self._watch:
            lo, hi = (first, last) if first < last else (last, first)
            if self._lo is None or lo < self._lo:
                self._lo = lo
            if self._hi is None or hi > self._hi:
                self._hi = hi
            self._pending = True

    def _can_fill(self, side: int, limit: int, qty: int, owner: int, stp: int) -> bool:
        """Fill-or-kill check: is there ``qty`` at prices no worse than ``limit`` that this
        owner can trade with? An iceberg counts in full (it refills while the sweep goes on)
        unless one of the owner's own orders waits behind it at that level: with self-trade
        prevention cancelling the aggressor, the sweep stops there after the visible slices."""
        levels = self._asks if side > 0 else self._bids
        prices = sorted((p for p in levels if (p - limit) * side <= 0), reverse=side < 0)
        stops_at_own = stp != STP_CANCEL_RESTING and stp != 0
        total = 0
        for p in prices:
            queue = levels[p]
            own_at = -1
            if stp:
                for k, order in enumerate(queue):
                    if order.owner == owner:
                        own_at = k
                        break
            if own_at >= 0 and stops_at_own:
                if not self._pro_rata:  # pro rata stops before the level
                    total += sum(o.visible for o in list(queue)[:own_at])
                return total >= qty
            total += sum(o.leaves for o in queue if o.owner != owner or not stp)
            if total >= qty:
                return True
        return False

    def _match_pro_rata(self, side: int, limit: int, qty: int, taker_id: int, taker_owner: int,
                        stp: int) -> int:
        if side > 0:
            levels, sizes, heap, changes, sign = (
                self._asks, self._ask_size, self._ask_heap, self._ask_changes, 1)
        else:
            levels, sizes, heap, changes, sign = (
                self._bids, self._bid_size, self._bid_heap, self._bid_changes, -1)
        remaining = qty
        first = last = 0
        while remaining and heap:
            price = heap[0] * sign
            queue = levels.get(price)
            if queue is None:
                heappop(heap)
                continue
            if (price - limit) * side > 0:
                break
            if stp and any(o.owner == taker_owner for o in queue):
                if stp != STP_CANCEL_AGGRESSING:
                    for own in [o for o in queue if o.owner == taker_owner]:
                        queue.remove(own)
                        sizes[price] -= own.visible
                        del self.orders[own.order_id]
                        self._on_canceled(own.order_id, own.owner, own.leaves, SELF_TRADE)
                        self._forget(own)
                if stp != STP_CANCEL_RESTING:
                    self._stp_hit = True
                if not queue:
                    del levels[price]
                    del sizes[price]
                    changes[price] = 0
                    heappop(heap)
                    if self._stp_hit:
                        break
                    continue
                changes[price] = sizes[price]
                if self._stp_hit:
                    break
            if not first:
                first = price
            last = price
            remaining = self._allocate(queue, price, sizes, remaining, taker_id, taker_owner, side)
            if queue:
                changes[price] = sizes[price]
            else:
                del levels[price]
                del sizes[price]
                changes[price] = 0
                heappop(heap)
        if first:
            self._traded(first, last)
        return remaining

    def _allocate(self, queue: deque[EngineOrder], price: int, sizes: dict[int, int],
                  remaining: int, taker_id: int, taker_owner: int, side: int) -> int:
        """Fill ``remaining`` lots from one level pro rata to visible size (floor), the
        leftover lots one at a time in time order."""
        makers = list(queue)
        total = sizes[price]
        if remaining >= total:
            shares = [o.visible for o in makers]
        else:
            shares = [remaining * o.visible // total for o in makers]
            left = remaining - sum(shares)
            i = 0
            while left:
                if shares[i] < makers[i].visible:
                    shares[i] += 1
                    left -= 1
                i = (i + 1) % len(makers)
        survivors: list[EngineOrder] = []
        refilled: list[EngineOrder] = []
        size = total
        for maker, fill in zip(makers, shares):
            if not fill:
                survivors.append(maker)
                continue
            remaining -= fill
            size -= fill
            maker.leaves -= fill
            maker.visible -= fill
            if not maker.visible:
                if maker.leaves:
                    maker.visible = min(maker.ext.display, maker.leaves)  # type: ignore[union-attr]
                    size += maker.visible
                    refilled.append(maker)
                else:
                    del self.orders[maker.order_id]
                    if maker.ext is not None:
                        self._forget(maker)
            else:
                survivors.append(maker)
            if self.positions is not None:
                self._track_fill(maker.owner, taker_owner, side, fill)
            self.trade_id += 1
            self._on_fill(maker, taker_id, taker_owner, price, fill, remaining, self.trade_id)
        queue.clear()
        queue.extend(survivors)
        queue.extend(refilled)
        sizes[price] = size
        return remaining
