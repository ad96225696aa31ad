"""What the live execution clients (Binance, ccxt) have published for each order, and
publishing each order event at most once: ``OrderAccepted`` once and only before any fill or
end, the terminal event once, a reject for an order that never left. Each client maps its own
venue's vocabulary onto these; fills stay with the client (each venue reports them its own way).
"""

from __future__ import annotations

import asyncio
from typing import Any

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import OrderAccepted, OrderCanceled, OrderExpired, OrderRejected
from tradeterm.domain.market import Side


class TrackedOrder:
    """What has been published for one order (by client order id)."""

    __slots__ = (
        "accepted",
        "client_order_id",
        "filled",
        "instrument",
        "qty",
        "side",
        "terminal",
        "trade_ids",
        "venue_order_id",
    )

    def __init__(self, client_order_id: str, instrument: str, side: Side, qty: int) -> None:
        self.client_order_id = client_order_id
        self.instrument = instrument  # instrument id
        self.side = side
        self.qty = qty
        self.venue_order_id = ""
        self.accepted = False
        self.filled = 0
        self.trade_ids: set[str] = set()
        self.terminal = False


class OrderEventPublisher:
    """The publishing half of an execution client; it uses the client's bus, clock, order topic
    and task set."""

    # provided by the execution client
    bus: MessageBus
    clock: Clock
    _topic: str
    _tasks: set[asyncio.Task[Any]]

    def _accepted(self, t: TrackedOrder, ts: int) -> None:
        if t.accepted or t.terminal or t.filled:
            return
        t.accepted = True
        now = self.clock.timestamp_ns()
        self.bus.publish(
            self._topic,
            OrderAccepted(ts or now, now, t.client_order_id, t.instrument, t.venue_order_id),
        )

    def _publish_terminal(self, t: TrackedOrder, expired: bool, ts: int) -> None:
        if t.terminal:
            return
        t.terminal = True
        now = self.clock.timestamp_ns()
        if expired:
            self.bus.publish(
                self._topic, OrderExpired(ts or now, now, t.client_order_id, t.instrument)
            )
        else:
            self.bus.publish(
                self._topic,
                OrderCanceled(ts or now, now, t.client_order_id, t.instrument, "CANCELED"),
            )

    def _publish_reject(self, client_id: str, instrument: str, reason: str, message: str) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            self._topic, OrderRejected(now, now, client_id, instrument, reason, message)
        )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
