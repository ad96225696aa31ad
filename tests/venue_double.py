"""A venue double for the OMS's stateful tests: a real in-memory exchange behind the ``Venue``
contract, whose network the test drives.

The exchange side is simple and strict: orders rest until the test trades against them, cancels
and modifies apply to working orders only, a refused request is answered like Binance answers
it (a rejected order leaves no record, so a query about it finds nothing), a request that
arrives after its ``request_window_ns`` is refused (Binance's recvWindow). Everything between
the engine and the exchange is in the test's hands: requests wait in ``requests`` until the
test lets one ``arrive`` (in any order) or ``lose``s it (a 503 before processing); answers wait
in ``outbox`` until the test ``deliver``s one (in any order, so a fill can come after the
cancel), ``duplicate``s it, or a disconnect drops it. Queries answer from the exchange's
records, at once or (``holding_queries``) later, as they were when asked; or they fail while
``failing_queries`` lasts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tradeterm.core import topics
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
    OrderUpdateRejected,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.domain.reports import OrderStatusReport, PositionReport
from tradeterm.venues.base import Venue

S = OrderStatus
LIVE = (S.ACCEPTED, S.PARTIALLY_FILLED)


@dataclass(slots=True)
class Request:
    kind: str  # submit | cancel | modify
    client_order_id: str
    sent_ns: int
    instrument: str = ""
    side: Side = Side.BUY
    qty: int | None = None
    price: int | None = None


@dataclass(slots=True)
class VenueOrder:
    client_order_id: str
    venue_order_id: str
    instrument: str
    side: Side
    qty: int
    price: int | None
    status: OrderStatus = S.ACCEPTED
    filled: int = 0
    ts: int = 0

    def report(self) -> OrderStatusReport:
        return OrderStatusReport(
            self.client_order_id,
            self.venue_order_id,
            self.instrument,
            self.side,
            self.qty,
            self.status,
            self.filled,
            self.price,
            ts_event=self.ts,
        )


class VenueDouble(Venue):
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        instruments: list[Instrument],
        name: str = "fake",
        native_modify: bool = True,
        request_window_ns: int = 0,
    ) -> None:
        super().__init__(bus, clock)
        self.name = name
        self._instruments = instruments
        self.native_modify = native_modify
        self.request_window_ns = request_window_ns
        self.requests: list[Request] = []
        self.outbox: list[Any] = []
        self.orders: dict[str, VenueOrder] = {}
        self.fill_log: list[OrderFilled] = []
        self.account: dict[str, int] = {}
        self.failing_queries = 0
        self.holding_queries = False  # answers to queries wait until ``release_queries``
        self._held: list[asyncio.Future[None]] = []
        self.queries = 0
        self.submits = 0  # orders ever sent to it
        self.on_submit: Callable[[Order], None] | None = None  # sees each order as it comes
        self._oid = 0
        self._tid = 0

    # --- the Venue contract ----------------------------------------------------------------------
    def instruments(self) -> list[Instrument]:
        return self._instruments

    async def run(self) -> None:
        while not self.stopping:
            await asyncio.sleep(0.01)

    def submit_order(self, order: Order) -> None:
        if self.on_submit is not None:
            self.on_submit(order)
        self.submits += 1
        self.requests.append(
            Request(
                "submit",
                order.client_order_id,
                self._now(),
                order.instrument,
                order.side,
                order.qty,
                order.price,
            )
        )

    def cancel_order(self, order: Order) -> None:
        self.requests.append(Request("cancel", order.client_order_id, self._now()))

    def modify_order(self, order: Order, price: int | None, qty: int | None) -> bool:
        if not self.native_modify:
            return False
        self.requests.append(
            Request("modify", order.client_order_id, self._now(), qty=qty, price=price)
        )
        return True

    async def query_order(self, client_order_id: str, instrument: str) -> OrderStatusReport | None:
        self.queries += 1
        if self.failing_queries:
            self.failing_queries -= 1
            raise ConnectionError("venue unreachable (test)")
        order = self.orders.get(client_order_id)
        answer = None if order is None else order.report()  # what the venue has now...
        if self.holding_queries:  # ...arrives later, while the engine goes on
            waiter = asyncio.get_running_loop().create_future()
            self._held.append(waiter)
            await waiter
        return answer

    def release_queries(self) -> None:
        """Answers held back arrive now (as they were when the venue gave them)."""
        self.holding_queries = False
        for waiter in self._held:
            if not waiter.done():
                waiter.set_result(None)
        self._held.clear()

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        return [
            o.report()
            for o in self.orders.values()
            if o.status in LIVE and (instrument is None or o.instrument == instrument)
        ]

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        return [
            f
            for f in self.fill_log
            if f.ts_event >= since_ns and (instrument is None or f.instrument == instrument)
        ]

    async def positions(self) -> list[PositionReport] | None:
        return [PositionReport(i, q) for i, q in self.account.items() if q]

    # --- the exchange (the test decides what happens) --------------------------------------------
    def live(self) -> list[VenueOrder]:
        return [o for o in self.orders.values() if o.status in LIVE]

    def arrive(self, index: int, reject: bool = False) -> None:
        """Request ``index`` reaches the exchange and is carried out (or refused)."""
        req = self.requests.pop(index)
        late = bool(self.request_window_ns) and self._now() > req.sent_ns + self.request_window_ns
        if req.kind == "submit":
            self._new(req, reject or late)
        elif req.kind == "cancel":
            order = self.orders.get(req.client_order_id)
            if order is None or order.status not in LIVE or late:
                self._refuse(req, "UNKNOWN_ORDER" if order is None else "NOT_WORKING")
            else:
                order.status, order.ts = S.CANCELED, self._now()
                self._send(
                    OrderCanceled(
                        self._now(), self._now(), req.client_order_id, order.instrument, "CANCELED"
                    )
                )
        else:
            order = self.orders.get(req.client_order_id)
            qty = req.qty if req.qty is not None else (order.qty if order else 0)
            if order is None or order.status not in LIVE or late or qty <= order.filled:
                self._refuse(req, "CANNOT_MODIFY")
            else:
                order.qty = qty
                order.price = req.price if req.price is not None else order.price
                order.ts = self._now()
                self._send(
                    OrderModified(
                        self._now(),
                        self._now(),
                        req.client_order_id,
                        order.instrument,
                        order.price,
                        order.qty,
                    )
                )

    def lose(self, index: int) -> None:
        """Request ``index`` never reaches the exchange (e.g. a 503 before processing)."""
        self.requests.pop(index)

    def trade(self, order: VenueOrder, lots: int) -> None:
        """Someone trades against ``order``."""
        lots = min(lots, order.qty - order.filled)
        if lots <= 0 or order.status not in LIVE:
            return
        order.filled += lots
        order.status = S.FILLED if order.filled == order.qty else S.PARTIALLY_FILLED
        order.ts = now = self._now()
        self._tid += 1
        fill = OrderFilled(
            now,
            now,
            order.client_order_id,
            order.instrument,
            order.venue_order_id,
            f"T{self._tid}",
            order.side,
            order.price or 1,
            lots,
            Liquidity.MAKER,
            Decimal("0.01"),
            "USD",
            order.qty - order.filled,
        )
        self.fill_log.append(fill)
        self.account[order.instrument] = (
            self.account.get(order.instrument, 0) + int(order.side) * lots
        )
        self._send(fill)

    def place_elsewhere(self, instrument: str, side: Side, qty: int, price: int) -> VenueOrder:
        """An order on the account that the engine did not place (the website, a script)."""
        self._oid += 1
        order = self.orders[f"web-{self._oid}"] = VenueOrder(
            f"web-{self._oid}", f"V{self._oid}", instrument, side, qty, price, ts=self._now()
        )
        return order

    def expire(self, order: VenueOrder) -> None:
        if order.status in LIVE:
            order.status, order.ts = S.EXPIRED, self._now()
            self._send(
                OrderExpired(self._now(), self._now(), order.client_order_id, order.instrument)
            )

    def deliver(self, index: int) -> None:
        self.bus.publish(topics.orders(self.name), self.outbox.pop(index))

    def duplicate(self, index: int) -> None:
        self.bus.publish(topics.orders(self.name), self.outbox[index])

    def drop(self, index: int) -> None:
        self.outbox.pop(index)

    def deliverable(self) -> list[int]:
        """Indexes the test may deliver next: any, except a modify's answer ahead of an
        earlier answer to a modify of the same order (one stream keeps those in order)."""
        seen: set[str] = set()
        out = []
        for i, event in enumerate(self.outbox):
            if type(event) is OrderModified:
                if event.client_order_id in seen:
                    continue
                seen.add(event.client_order_id)
            out.append(i)
        return out

    # --- internals -------------------------------------------------------------------------------
    def _new(self, req: Request, refuse: bool) -> None:
        now = self._now()
        if req.client_order_id in self.orders or refuse or req.qty is None or req.qty <= 0:
            reason = "DUPLICATE" if req.client_order_id in self.orders else "REFUSED"
            self._send(OrderRejected(now, now, req.client_order_id, req.instrument, reason))
            return
        self._oid += 1
        order = self.orders[req.client_order_id] = VenueOrder(
            req.client_order_id,
            f"V{self._oid}",
            req.instrument,
            req.side,
            req.qty,
            req.price,
            ts=now,
        )
        self._send(
            OrderAccepted(now, now, order.client_order_id, order.instrument, order.venue_order_id)
        )

    def _refuse(self, req: Request, reason: str) -> None:
        instrument = req.instrument or (
            self.orders[req.client_order_id].instrument
            if req.client_order_id in self.orders
            else ""
        )
        self._send(
            OrderUpdateRejected(
                self._now(), self._now(), req.client_order_id, instrument, req.kind, reason
            )
        )

    def _send(self, event: Any) -> None:
        self.outbox.append(event)

    def _now(self) -> int:
        return self.clock.timestamp_ns()
