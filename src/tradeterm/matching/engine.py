"""A price-time priority matching engine for one instrument (prices in ticks, sizes in lots).

This is the exchange behind the simulated market. It supports limit orders (GTC and IOC),
market orders, cancels and partial fills, and reports what happened to a ``MatchListener``:
trades, order outcomes and aggregated level sizes (the public L2 feed).
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Protocol

from tradeterm.domain.market import Side

BUY = Side.BUY
SELL = Side.SELL


class RestingOrder:
    __slots__ = ("order_id", "owner", "side", "price", "leaves")

    def __init__(self, order_id: int, owner: int, side: Side, price: int, leaves: int) -> None:
        self.order_id = order_id
        self.owner = owner
        self.side = side
        self.price = price
        self.leaves = leaves


class MatchListener(Protocol):
    def on_trade(self, price: int, qty: int, aggressor: Side, maker: RestingOrder,
                 taker_id: int, taker_owner: int) -> None: ...
    def on_level(self, side: Side, price: int, size: int) -> None: ...
    def on_rested(self, order: RestingOrder) -> None: ...
    def on_done(self, order_id: int, owner: int, leaves: int, reason: str) -> None: ...


class MatchingEngine:
    """One instrument's book. ``owner`` is an opaque int (the simulated agent or account)."""

    def __init__(self, listener: MatchListener) -> None:
        self.listener = listener
        self.levels: tuple[dict[int, deque[RestingOrder]], dict[int, deque[RestingOrder]]] = ({}, {})
        self.level_size: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self._heaps: tuple[list[int], list[int]] = ([], [])  # bids negated, asks as is
        self.orders: dict[int, RestingOrder] = {}

    @staticmethod
    def _ix(side: Side) -> int:
        return 0 if side is BUY else 1

    # --- best prices ----------------------------------------------------------------------
    def best(self, side: Side) -> int | None:
        ix = 0 if side is BUY else 1
        heap, levels = self._heaps[ix], self.levels[ix]
        while heap:
            price = -heap[0] if ix == 0 else heap[0]
            if price in levels:
                return price
            heapq.heappop(heap)
        return None

    @property
    def best_bid(self) -> int | None:
        return self.best(BUY)

    @property
    def best_ask(self) -> int | None:
        return self.best(SELL)

    # --- order entry -------------------------------------------------------------------------
    def submit_limit(self, order_id: int, owner: int, side: Side, price: int, qty: int,
                     ioc: bool = False) -> int:
        """Match what crosses, rest the remainder (unless IOC). Returns lots filled."""
        if qty <= 0:
            raise ValueError("quantity must be positive")
        filled = self._take(order_id, owner, side, qty, price)
        leaves = qty - filled
        if leaves:
            if ioc:
                self.listener.on_done(order_id, owner, leaves, "IOC")
            else:
                self._rest(RestingOrder(order_id, owner, side, price, leaves))
        else:
            self.listener.on_done(order_id, owner, 0, "FILLED")
        return filled

    def submit_market(self, order_id: int, owner: int, side: Side, qty: int) -> int:
        if qty <= 0:
            raise ValueError("quantity must be positive")
        filled = self._take(order_id, owner, side, qty, None)
        leaves = qty - filled
        self.listener.on_done(order_id, owner, leaves, "NO_LIQUIDITY" if leaves else "FILLED")
        return filled

    def cancel(self, order_id: int) -> bool:
        order = self.orders.pop(order_id, None)
        if order is None:
            return False
        ix = 0 if order.side is BUY else 1
        queue = self.levels[ix][order.price]
        queue.remove(order)
        size = self.level_size[ix][order.price] - order.leaves
        if queue:
            self.level_size[ix][order.price] = size
        else:
            del self.levels[ix][order.price]
            del self.level_size[ix][order.price]
        self.listener.on_level(order.side, order.price, size)
        self.listener.on_done(order_id, order.owner, order.leaves, "CANCELED")
        return True

    # --- internals ---------------------------------------------------------------------------
    def _rest(self, order: RestingOrder) -> None:
        ix = 0 if order.side is BUY else 1
        levels, sizes = self.levels[ix], self.level_size[ix]
        queue = levels.get(order.price)
        if queue is None:
            levels[order.price] = queue = deque()
            sizes[order.price] = 0
            heapq.heappush(self._heaps[ix], -order.price if ix == 0 else order.price)
        queue.append(order)
        sizes[order.price] += order.leaves
        self.orders[order.order_id] = order
        self.listener.on_rested(order)
        self.listener.on_level(order.side, order.price, sizes[order.price])

    def _take(self, taker_id: int, owner: int, side: Side, qty: int, limit: int | None) -> int:
        """Match against the opposite side up to ``limit`` (None = any price)."""
        opp_ix = 1 if side is BUY else 0
        levels, sizes, heap = self.levels[opp_ix], self.level_size[opp_ix], self._heaps[opp_ix]
        listener = self.listener
        remaining = qty
        while remaining and heap:
            price = heap[0] if opp_ix == 1 else -heap[0]
            queue = levels.get(price)
            if queue is None:
                heapq.heappop(heap)
                continue
            if limit is not None and (price > limit if side is BUY else price < limit):
                break
            while remaining and queue:
                maker = queue[0]
                fill = maker.leaves if maker.leaves < remaining else remaining
                maker.leaves -= fill
                remaining -= fill
                sizes[price] -= fill
                listener.on_trade(price, fill, side, maker, taker_id, owner)
                if maker.leaves == 0:
                    queue.popleft()
                    del self.orders[maker.order_id]
                    listener.on_done(maker.order_id, maker.owner, 0, "FILLED")
            listener.on_level(side.opposite, price, sizes[price])
            if not queue:
                del levels[price]
                del sizes[price]
                heapq.heappop(heap)
        return qty - remaining
