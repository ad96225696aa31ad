"""The stop book: stop orders waiting for their trigger price.

A buy stop triggers when a trade prints at or above its trigger, a sell stop at or below. Each
side is a heap of filings ``(trigger, filing number, order id)``; an order's live filing is the
number recorded for it in ``_filing``. Moving a trigger files the order again under a new number,
so the old heap entry is recognised as stale and skipped: an order fires at its current trigger
only, however often it was moved. (Judging staleness by object identity cannot work: a moved
order is the same object.)

Triggered orders come out in filing order (placement order; a moved trigger counts as a new
placement), both sides together.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from heapq import heapify, heappop, heappush

from tradeterm.matching.orders import EngineOrder


class StopBook:
    """Pending stop orders by id; an order waits with ``price`` = its trigger."""

    __slots__ = ("by_id", "_orders", "_filing", "_buys", "_sells", "_filed")

    def __init__(self) -> None:
        self._orders: dict[int, EngineOrder] = {}
        self.by_id: Mapping[int, EngineOrder] = self._orders  # read-only view, for fast lookups
        self._filing: dict[int, int] = {}  # order id -> number of its live filing
        self._buys: list[tuple[int, int, int]] = []  # (trigger, filing, id): lowest first
        self._sells: list[tuple[int, int, int]] = []  # (-trigger, filing, id): highest first
        self._filed = 0

    # --- reads (a read-only mapping of order id -> order) ------------------------------------
    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def __getitem__(self, order_id: int) -> EngineOrder:
        return self._orders[order_id]

    def __len__(self) -> int:
        return len(self._orders)

    def __iter__(self) -> Iterator[int]:
        return iter(self._orders)

    def get(self, order_id: int) -> EngineOrder | None:
        return self._orders.get(order_id)

    def values(self) -> list[EngineOrder]:
        return list(self._orders.values())

    # --- changes -----------------------------------------------------------------------------
    def add(self, order: EngineOrder) -> None:
        """File a new stop at its trigger (``order.price``)."""
        self._orders[order.order_id] = order
        self._file(order)

    def move(self, order: EngineOrder, trigger: int) -> None:
        """Move a waiting stop's trigger: it is filed again and the old filing goes stale."""
        order.price = trigger
        if order.ext is not None:
            order.ext.trigger = trigger
        self._file(order)

    def remove(self, order_id: int) -> EngineOrder | None:
        """Take a stop out (cancelled, expired, reduce-only); its filing goes stale."""
        self._filing.pop(order_id, None)
        return self._orders.pop(order_id, None)

    def triggered(self, lo: int | None, hi: int | None) -> list[EngineOrder]:
        """Remove and return the stops that trades between ``lo`` and ``hi`` trigger: buys
        with trigger <= ``hi``, sells with trigger >= ``lo``; in filing order."""
        out: list[tuple[int, EngineOrder]] = []
        filing = self._filing
        if hi is not None:
            heap = self._buys
            while heap and heap[0][0] <= hi:
                _, number, order_id = heappop(heap)
                if filing.get(order_id) == number:
                    del filing[order_id]
                    out.append((number, self._orders.pop(order_id)))
        if lo is not None:
            heap = self._sells
            while heap and -heap[0][0] >= lo:
                _, number, order_id = heappop(heap)
                if filing.get(order_id) == number:
                    del filing[order_id]
                    out.append((number, self._orders.pop(order_id)))
        if len(out) > 1:
            out.sort(key=lambda item: item[0])
        return [order for _, order in out]

    def _file(self, order: EngineOrder) -> None:
        self._filed += 1
        number = self._filed
        self._filing[order.order_id] = number
        if order.side > 0:
            heappush(self._buys, (order.price, number, order.order_id))
        else:
            heappush(self._sells, (-order.price, number, order.order_id))
        if len(self._buys) + len(self._sells) > 2 * len(self._orders) + 64:
            self._compact()

    def _compact(self) -> None:
        """Drop stale filings (amortised: only when they outnumber the live ones)."""
        filing = self._filing
        self._buys = [e for e in self._buys if filing.get(e[2]) == e[1]]
        self._sells = [e for e in self._sells if filing.get(e[2]) == e[1]]
        heapify(self._buys)
        heapify(self._sells)
