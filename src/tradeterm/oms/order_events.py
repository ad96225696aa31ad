"""Venue order events applied to the tracked orders.

Acks, cancels, rejects, expiries, triggers, modifies and refused requests move an order through
``domain.orders.TRANSITIONS`` (the ``Order`` methods say what each answer means); an event that
does not fit is logged and ignored, never applied halfway, and a repeat of an event already
applied is a no-op. Fills go to the fill applier. Every change is reported to the registry,
which keeps the blotter, the store, risk's exposure and the outcome resolver in step.
"""

from __future__ import annotations

import logging
from typing import Any

from tradeterm.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderTriggered,
    OrderUpdateRejected,
)
from tradeterm.domain.orders import IllegalTransition, Order, OrderStatus
from tradeterm.oms.fills import FillApplier
from tradeterm.oms.outcomes import OutcomeResolver
from tradeterm.oms.registry import OrderRegistry
from tradeterm.oms.replace import CancelReplace

log = logging.getLogger("tradeterm.oms.manager")

S = OrderStatus


class VenueEventHandler:
    def __init__(
        self,
        registry: OrderRegistry,
        fills: FillApplier,
        resolver: OutcomeResolver,
        replacements: CancelReplace,
    ) -> None:
        self._registry = registry
        self._fills = fills
        self._resolver = resolver
        self._replacements = replacements

    def on_event(self, event: Any) -> None:
        kind = type(event)
        if kind is OrderFilled:
            self._fills.apply(event)
            self._news(event.client_order_id)
            return
        order = self._registry.working.get(event.client_order_id)
        if order is None:
            done = self._registry.get(event.client_order_id)
            if done is None:
                log.warning("%s for unknown order %s ignored", kind.__name__, event.client_order_id)
            elif kind is OrderModified:
                self._modified_after_end(done, event)
            return  # a repeat of an event already applied, or news of a finished order
        ts = event.ts_event
        try:
            if kind is OrderAccepted:
                order.acknowledge(event.venue_order_id, ts)
            elif kind is OrderCanceled:
                order.reason = event.reason or "CANCELED"
                order.transition(S.CANCELED, ts)
            elif kind is OrderRejected:
                order.transition(S.REJECTED, ts)
                order.reason = event.reason
                log.warning(
                    "order %s rejected by the venue: %s %s",
                    order.client_order_id,
                    event.reason,
                    event.message,
                )
            elif kind is OrderExpired:
                order.transition(S.EXPIRED, ts)
            elif kind is OrderTriggered:
                order.trigger(ts)
            elif kind is OrderModified:
                order.modified(event.price, event.qty, ts)
            elif kind is OrderUpdateRejected:
                self._refused(order, event, ts)
                return
            else:
                return
        except (IllegalTransition, ValueError) as exc:
            log.error("%s not applied: %s", kind.__name__, exc)
            return
        self._registry.changed(order)
        self._news(order.client_order_id)

    def _news(self, client_order_id: str) -> None:
        """A venue record asked for before this event is older than what we know now."""
        order = self._registry.working.get(client_order_id)
        if order is not None:
            self._resolver.note_request(order)

    def _modified_after_end(self, order: Order, event: OrderModified) -> None:
        """The answer to a modify, after the order ended (the cancel's answer overtook it): the
        venue did change it first, and a late fill counts against those terms."""
        try:
            order.amend(event.price, event.qty)
        except ValueError as exc:
            log.error("OrderModified not applied: %s", exc)
            return
        self._registry.changed(order)

    def _refused(self, order: Order, event: OrderUpdateRejected, ts: int) -> None:
        """The venue refused our cancel or modify: the order is as it was, unless the refusal
        means it just filled or ended; ask rather than assume it still works."""
        if event.request == "cancel":
            self._replacements.drop(order.client_order_id)
        if order.refused(event.request, ts):
            self._registry.changed(order)
        log.warning(
            "venue refused to %s %s: %s; asking for its status",
            event.request,
            order.client_order_id,
            event.reason,
        )
        self._resolver.mark_uncertain(order)
