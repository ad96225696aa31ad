"""Venue order events applied to the tracked orders (part of ``OrderManager``).

Acks, cancels, rejects, expiries, triggers, modifies and refused updates move an order through
``domain.orders.TRANSITIONS``; an event that does not fit is logged and ignored, never applied
halfway, and a repeat of an event already applied is a no-op. A confirmed cancel that was the
first half of a cancel-replace sends the replacement, sized to what is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tradeterm.core.clock import Clock
from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.events import (
    OrderAccepted, OrderCanceled, OrderExpired, OrderFilled, OrderModified, OrderRejected,
    OrderTriggered, OrderUpdateRejected,
)
from tradeterm.domain.orders import IllegalTransition, Order, OrderStatus
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.outcomes import InFlight

log = logging.getLogger("tradeterm.oms.manager")

S = OrderStatus


class OrderEventHandling:
    """The venue-event half of ``OrderManager``; it uses the manager's state and bookkeeping."""

    # provided by OrderManager
    clock: Clock
    ids: ClientOrderIds
    working: dict[str, Order]
    recent: dict[str, Order]
    inflight: dict[str, InFlight]
    _replace: dict[str, ModifyOrder]
    on_replace: Callable[[SubmitOrder], Any] | None

    # --- venue events ----------------------------------------------------------------------
    def on_order_event(self, event: Any) -> None:
        kind = type(event)
        if kind is OrderFilled:
            self.apply_fill(event)
            return
        order = self.working.get(event.client_order_id)
        if order is None:
            done = self.recent.get(event.client_order_id)
            if done is None:
                log.warning("%s for unknown order %s ignored", kind.__name__,
                            event.client_order_id)
            return  # a repeat of an event already applied
        ts = event.ts_event
        try:
            if kind is OrderAccepted:
                self._on_accepted(order, event, ts)
            elif kind is OrderCanceled:
                self._on_canceled(order, event.reason, ts)
            elif kind is OrderRejected:
                order.reason = event.reason
                order.transition(S.REJECTED, ts)
                log.warning("order %s rejected by the venue: %s %s", order.client_order_id,
                            event.reason, event.message)
                self._finish(order)
            elif kind is OrderExpired:
                order.transition(S.EXPIRED, ts)
                self._finish(order)
            elif kind is OrderTriggered:
                order.transition(S.TRIGGERED, ts)
                self._changed(order)
            elif kind is OrderModified:
                self._on_modified(order, event, ts)
            elif kind is OrderUpdateRejected:
                self._on_update_rejected(order, event, ts)
        except IllegalTransition as exc:
            log.error("%s not applied: %s", kind.__name__, exc)

    def _on_accepted(self, order: Order, event: OrderAccepted, ts: int) -> None:
        order.venue_order_id = event.venue_order_id
        if order.status is S.SUBMITTED:
            order.transition(S.ACCEPTED, ts)
        flight = self.inflight.get(order.client_order_id)
        if flight is not None and flight.kind == "submit":
            del self.inflight[order.client_order_id]
        order.uncertain = False
        self._changed(order)

    def _on_canceled(self, order: Order, reason: str, ts: int) -> None:
        order.reason = reason or "CANCELED"
        order.transition(S.CANCELED, ts)
        self._finish(order)
        replace = self._replace.pop(order.client_order_id, None)
        if replace is not None:
            self._send_replacement(order, replace)

    def _on_modified(self, order: Order, event: OrderModified, ts: int) -> None:
        order.price = event.price
        order.qty = event.qty
        if order.status is S.PENDING_UPDATE:
            order.revert_pending(ts)
        self.inflight.pop(order.client_order_id, None)
        self._changed(order)

    def _on_update_rejected(self, order: Order, event: OrderUpdateRejected, ts: int) -> None:
        self.inflight.pop(order.client_order_id, None)
        self._replace.pop(order.client_order_id, None)
        if order.status in (S.PENDING_CANCEL, S.PENDING_UPDATE):
            log.warning("venue refused to %s %s: %s; asking for its status", event.request,
                        order.client_order_id, event.reason)
            # the order may have just filled or ended: ask rather than assume it still works
            order.revert_pending(ts)
            self._changed(order)
            self._mark_uncertain(order, ts)

    def _send_replacement(self, old: Order, cmd: ModifyOrder) -> None:
        qty = (cmd.qty if cmd.qty is not None else old.qty) - old.filled_qty
        if qty <= 0:
            log.info("modify of %s: nothing left to replace after fills", old.client_order_id)
            return
        if self.on_replace is None:
            return
        new = SubmitOrder(self.clock.timestamp_ns(), self.ids.next(), old.instrument, old.side,
                          qty, old.order_type, cmd.price if cmd.price is not None else old.price,
                          old.trigger_price, old.tif, old.post_only, old.reduce_only,
                          old.display_qty, old.expire_ns, old.source)
        log.info("modify of %s: replaced by %s", old.client_order_id, new.client_order_id)
        self.on_replace(new)
