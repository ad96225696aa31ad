"""The simulated exchange's record of the session's account: every own order's latest status,
the fills, and the net positions, kept from the order events the venue itself publishes.

It answers the OMS's reconciliation queries (``query_order``, ``open_orders``, ``fills_since``,
``positions``) the way a real venue's REST API would. It lives as long as the process: the
in-process exchange forgets everything on restart (``Venue.keeps_state = False``), and the OMS
closes the orders it lost with a clear reason.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import msgspec

from tradeterm.core.bus import MessageBus
from tradeterm.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderTriggered,
)
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.domain.reports import OrderStatusReport, PositionReport

FILLS_KEPT = 100_000  # own fills remembered for ``fills_since``
_TERMINAL = {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.EXPIRED, OrderStatus.REJECTED}


class SimAccount:
    def __init__(self, bus: MessageBus, order_topic: str) -> None:
        self._orders: dict[str, OrderStatusReport] = {}  # every own order of this run
        self._open: set[str] = set()
        self._fills: deque[OrderFilled] = deque(maxlen=FILLS_KEPT)
        self._positions: dict[str, int] = {}  # lots, signed
        bus.subscribe(order_topic, self._on_event)

    def knows(self, client_order_id: str) -> bool:
        return client_order_id in self._orders

    def track(self, order: Order, venue_order_id: str, ts: int) -> None:
        """Called as the order enters the exchange, before any event about it."""
        self._orders[order.client_order_id] = OrderStatusReport(
            order.client_order_id,
            venue_order_id,
            order.instrument,
            order.side,
            order.qty,
            OrderStatus.SUBMITTED,
            0,
            order.price,
            order.order_type,
            order.tif,
            ts,
            trigger_price=order.trigger_price,
        )
        self._open.add(order.client_order_id)

    def open_with(self, positions: dict[str, int]) -> None:
        self._positions = {iid: qty for iid, qty in positions.items() if qty}

    # --- events --------------------------------------------------------------------------------
    def _update(self, cid: str, ts: int, **changes: Any) -> None:
        report = self._orders.get(cid)
        if report is None:
            return
        report = self._orders[cid] = _replace(report, ts_event=ts, **changes)
        if report.status in _TERMINAL:
            self._open.discard(cid)

    def _on_event(self, event: Any) -> None:
        kind = type(event)
        if kind is OrderFilled:
            self._fills.append(event)
            self._positions[event.instrument] = (
                self._positions.get(event.instrument, 0) + int(event.side) * event.qty
            )
            report = self._orders.get(event.client_order_id)
            if report is not None:
                status = (
                    OrderStatus.FILLED if event.leaves_qty == 0 else OrderStatus.PARTIALLY_FILLED
                )
                self._update(
                    event.client_order_id,
                    event.ts_event,
                    status=status,
                    filled_qty=report.filled_qty + event.qty,
                )
        elif kind is OrderAccepted:
            self._update(
                event.client_order_id,
                event.ts_event,
                status=OrderStatus.ACCEPTED,
                venue_order_id=event.venue_order_id,
            )
        elif kind is OrderCanceled:
            self._update(
                event.client_order_id,
                event.ts_event,
                status=OrderStatus.CANCELED,
                reason=event.reason,
            )
        elif kind is OrderExpired:
            self._update(event.client_order_id, event.ts_event, status=OrderStatus.EXPIRED)
        elif kind is OrderRejected:
            self._update(
                event.client_order_id,
                event.ts_event,
                status=OrderStatus.REJECTED,
                reason=event.reason,
            )
        elif kind is OrderTriggered:
            self._update(event.client_order_id, event.ts_event, status=OrderStatus.TRIGGERED)
        elif kind is OrderModified:
            self._update(event.client_order_id, event.ts_event, qty=event.qty, price=event.price)

    # --- queries -------------------------------------------------------------------------------
    def report(self, client_order_id: str) -> OrderStatusReport | None:
        return self._orders.get(client_order_id)

    def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        reports = (self._orders[cid] for cid in sorted(self._open))
        return [r for r in reports if instrument is None or r.instrument == instrument]

    def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        return [
            f
            for f in self._fills
            if f.ts_event >= since_ns and (instrument is None or f.instrument == instrument)
        ]

    def positions(self) -> list[PositionReport]:
        return [PositionReport(iid, qty) for iid, qty in sorted(self._positions.items()) if qty]


def _replace(report: OrderStatusReport, **changes: Any) -> OrderStatusReport:
    return msgspec.structs.replace(report, **changes)
