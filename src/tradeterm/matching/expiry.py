"""The expiry queue: good-till-date orders by expiry time.

A heap of ``(expire_ns, order id)``. With a clock, the queue keeps one clock alert, for the
earliest expiry; ``due(now)`` hands out what has expired (the caller checks that the order is
still working with that expiry: entries of orders that left are skipped there) and re-arms the
alert for what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush

from tradeterm.core.clock import Clock


class ExpiryQueue:
    __slots__ = ("_heap", "_clock", "_alert", "_on_alert")

    def __init__(
        self, clock: Clock | None, alert_name: str, on_alert: Callable[[int], object]
    ) -> None:
        self._heap: list[tuple[int, int]] = []
        self._clock = clock
        self._alert = alert_name
        self._on_alert = on_alert

    def add(self, order_id: int, expire_ns: int) -> None:
        heappush(self._heap, (expire_ns, order_id))
        if self._clock is not None and self._heap[0][0] == expire_ns:
            self._clock.set_alert(self._alert, expire_ns, self._fire)

    def _fire(self, ts: int) -> None:
        self._on_alert(ts)  # what it answers (the engine's count of expiries) is not needed

    def due(self, now_ns: int) -> list[tuple[int, int]]:
        """Remove and return ``(expire_ns, order id)`` of everything due at ``now_ns``, earliest
        first; then set the clock alert for the earliest left."""
        heap = self._heap
        out = []
        while heap and heap[0][0] <= now_ns:
            out.append(heappop(heap))
        if heap and self._clock is not None:
            self._clock.set_alert(self._alert, heap[0][0], self._fire)
        return out
