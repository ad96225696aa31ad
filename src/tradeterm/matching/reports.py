"""Execution reports: the engine's calls about one account's orders, as domain order events.

A venue built on the matching engine (the simulated market, later the loopback exchange) tracks
the orders it submitted for the session with ``track`` and forwards the engine's listener calls
for them here; ``OrderReports`` publishes OrderAccepted / OrderRejected / OrderFilled (with the
fee from the instrument's schedule) / OrderCanceled / OrderExpired / OrderTriggered /
OrderModified / OrderUpdateRejected on the venue's order topic, stamped with the clock.
Venue order ids are ``<id_prefix><engine id>``; trade ids ``<trade_prefix><trade id>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import (
    Liquidity,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderTriggered,
    OrderUpdateRejected,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.matching.orders import EngineOrder
from tradeterm.matching.rules import FeeSchedule


@dataclass(slots=True)
class TrackedOrder:
    client_order_id: str
    side: Side
    qty: int
    price: int | None = None  # as sent
    filled: int = 0


class OrderReports:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        topic: str,
        instrument: Instrument,
        fees: FeeSchedule,
        owner: int = 0,
        trade_prefix: str = "",
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.topic = topic
        self.instrument = instrument
        self.fees = fees
        self.owner = owner
        self.trade_prefix = trade_prefix
        self.id_prefix = ""
        self.orders: dict[int, TrackedOrder] = {}

    def venue_order_id(self, order_id: int) -> str:
        return f"{self.id_prefix}{order_id}"

    def track(
        self, order_id: int, client_order_id: str, side: Side, qty: int, price: int | None = None
    ) -> None:
        self.orders[order_id] = TrackedOrder(client_order_id, side, qty, price)

    def client_id(self, order_id: int) -> str | None:
        tracked = self.orders.get(order_id)
        return tracked.client_order_id if tracked is not None else None

    def _publish(self, make) -> None:  # type: ignore[no-untyped-def]
        now = self.clock.timestamp_ns()
        self.bus.publish(self.topic, make(now))

    # --- the engine's calls, for tracked orders ----------------------------------------------
    def accepted(self, order_id: int, price: int | None, qty: int) -> None:
        tracked = self.orders.get(order_id)
        if tracked is None:
            return
        iid = self.instrument.id
        vid = self.venue_order_id(order_id)
        self._publish(lambda now: OrderAccepted(now, now, tracked.client_order_id, iid, vid))
        changed_price = price is not None and tracked.price is not None and price != tracked.price
        if changed_price or qty != tracked.qty:  # a post-only slide, a reduce-only clamp
            tracked.qty = qty
            tracked.price = price
            self._publish(
                lambda now: OrderModified(now, now, tracked.client_order_id, iid, price, qty)
            )

    def rejected(self, order_id: int, reason: str, message: str) -> None:
        tracked = self.orders.pop(order_id, None)
        if tracked is None:
            return
        iid = self.instrument.id
        self._publish(
            lambda now: OrderRejected(now, now, tracked.client_order_id, iid, reason, message)
        )

    def fill(self, order_id: int, price: int, qty: int, maker: bool, trade_id: int) -> None:
        tracked = self.orders.get(order_id)
        if tracked is None:
            return
        tracked.filled += qty
        leaves = tracked.qty - tracked.filled
        if leaves <= 0:
            del self.orders[order_id]
        inst = self.instrument
        fee = self.fees.fee(inst, price, qty, maker, self.owner)
        self._publish(
            lambda now: OrderFilled(
                now,
                now,
                tracked.client_order_id,
                inst.id,
                self.venue_order_id(order_id),
                f"{self.trade_prefix}{trade_id}",
                tracked.side,
                price,
                qty,
                Liquidity.MAKER if maker else Liquidity.TAKER,
                fee,
                inst.quote,
                max(leaves, 0),
            )
        )

    def canceled(self, order_id: int, leaves: int, reason: str) -> None:
        tracked = self.orders.pop(order_id, None)
        if tracked is None:
            return
        iid = self.instrument.id
        self._publish(lambda now: OrderCanceled(now, now, tracked.client_order_id, iid, reason))

    def expired(self, order_id: int) -> None:
        tracked = self.orders.pop(order_id, None)
        if tracked is None:
            return
        iid = self.instrument.id
        self._publish(lambda now: OrderExpired(now, now, tracked.client_order_id, iid))

    def triggered(self, order_id: int) -> None:
        tracked = self.orders.get(order_id)
        if tracked is None:
            return
        iid = self.instrument.id
        self._publish(lambda now: OrderTriggered(now, now, tracked.client_order_id, iid))

    def modified(self, order: EngineOrder) -> None:
        tracked = self.orders.get(order.order_id)
        if tracked is None:
            return
        tracked.qty = order.qty
        iid = self.instrument.id
        price = (
            order.ext.limit
            if order.ext is not None and order.visible == 0 and order.ext.limit is not None
            else order.price
        )
        self._publish(
            lambda now: OrderModified(now, now, tracked.client_order_id, iid, price, order.qty)
        )

    def modify_rejected(self, order_id: int, reason: str, message: str) -> None:
        tracked = self.orders.get(order_id)
        if tracked is None:
            return
        iid = self.instrument.id
        self._publish(
            lambda now: OrderUpdateRejected(
                now, now, tracked.client_order_id, iid, "modify", reason, message
            )
        )
