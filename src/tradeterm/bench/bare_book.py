"""The reference for ``matching.mixed_ops``: a bare price-time book, the smallest honest
implementation of the same matching rules (dict of deques per side + a heap of prices with lazy
deletion). No order types, no validation, no events, no self-trade checks, no level feed.

It is written the way one would write a quick book in plain Python, not made slow on purpose: the
same data structures the full engine uses, with everything the engine adds taken out.
"""

from __future__ import annotations

import heapq
from collections import deque


class BareBook:
    __slots__ = ("bids", "asks", "bid_heap", "ask_heap", "orders", "traded")

    def __init__(self) -> None:
        self.bids: dict[int, deque[list[int]]] = {}
        self.asks: dict[int, deque[list[int]]] = {}
        self.bid_heap: list[int] = []  # negated prices
        self.ask_heap: list[int] = []
        self.orders: dict[int, list[int]] = {}  # id -> [id, side, price, leaves]
        self.traded = 0

    def add(self, oid: int, side: int, price: int, qty: int) -> None:
        if side > 0:
            levels, heap = self.asks, self.ask_heap
            while qty and heap:
                best = heap[0]
                queue = levels.get(best)
                if queue is None:
                    heapq.heappop(heap)
                    continue
                if best > price:
                    break
                qty = self._fill(queue, qty)
                if not queue:
                    del levels[best]
                    heapq.heappop(heap)
            if qty:
                self._rest(self.bids, self.bid_heap, -price, oid, side, price, qty)
        else:
            levels, heap = self.bids, self.bid_heap
            while qty and heap:
                best = -heap[0]
                queue = levels.get(best)
                if queue is None:
                    heapq.heappop(heap)
                    continue
                if best < price:
                    break
                qty = self._fill(queue, qty)
                if not queue:
                    del levels[best]
                    heapq.heappop(heap)
            if qty:
                self._rest(self.asks, self.ask_heap, price, oid, side, price, qty)

    def _fill(self, queue: deque[list[int]], qty: int) -> int:
        orders = self.orders
        while qty and queue:
            maker = queue[0]
            leaves = maker[3]
            if leaves <= qty:
                qty -= leaves
                self.traded += leaves
                queue.popleft()
                del orders[maker[0]]
            else:
                maker[3] = leaves - qty
                self.traded += qty
                qty = 0
        return qty

    def _rest(
        self,
        levels: dict[int, deque[list[int]]],
        heap: list[int],
        key: int,
        oid: int,
        side: int,
        price: int,
        qty: int,
    ) -> None:
        order = [oid, side, price, qty]
        queue = levels.get(price)
        if queue is None:
            levels[price] = deque((order,))
            heapq.heappush(heap, key)
        else:
            queue.append(order)
        self.orders[oid] = order

    def cancel(self, oid: int) -> bool:
        order = self.orders.pop(oid, None)
        if order is None:
            return False
        levels = self.bids if order[1] > 0 else self.asks
        queue = levels[order[2]]
        queue.remove(order)
        if not queue:
            del levels[order[2]]
        return True

    def level_sizes(self) -> tuple[dict[int, int], dict[int, int]]:
        return (
            {p: sum(o[3] for o in q) for p, q in self.bids.items()},
            {p: sum(o[3] for o in q) for p, q in self.asks.items()},
        )
