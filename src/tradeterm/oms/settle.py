"""Settling an order with the venue's record of it (a query's answer, or reconciliation).

* **The venue has it.** Missed fills are fetched (``ExecutionClient.fills_since``) and applied
  once; the venue's price, quantity and trigger are adopted (a modify whose answer was lost shows up
  here, or does not: either way the order now says what the venue has); the venue's status is
  taken. A pending request is closed: a modify is over (the terms say how it went); a cancel
  the venue has not carried out is sent again.
* **The venue has no record of it.** An order that was never acknowledged (no ack, no fill,
  no venue order id: the POST died with a 503, a reject raced a cancel) was never placed:
  REJECTED ``NOT_RECEIVED``. An order the venue did acknowledge and now does not know is closed
  ``UNKNOWN_AT_VENUE`` and reported: that is a real mismatch (reconciliation HALTs on it). An
  in-process venue that restarted lost its orders: ``VENUE_LOST``. A venue that may still
  receive a request (``ExecutionClient.request_window_ns`` after it was sent, Binance's
  recvWindow) is asked again later (``NOT_YET``) rather than believed too early.
* **A record older than the latest request about the order** (an answer that crossed a new
  modify or cancel) only brings missed fills and a final end; the order is asked about again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tradeterm.core.clock import Clock
from tradeterm.domain.orders import PENDING, TRANSITIONS, IllegalTransition, Order, OrderStatus
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.oms.fills import FillApplier
from tradeterm.oms.ports import TradingHalt
from tradeterm.oms.reasons import NOT_RECEIVED, UNKNOWN_AT_VENUE, VENUE_LOST
from tradeterm.oms.registry import OrderRegistry
from tradeterm.oms.store_port import OrderStore

if TYPE_CHECKING:
    from tradeterm.venues.base import ExecutionClient

log = logging.getLogger("tradeterm.oms.manager")

S = OrderStatus
NOT_YET = "not_yet"  # the venue may still receive it: ask again later
ENDED = (S.CANCELED, S.EXPIRED, S.REJECTED)
FILLS_MARGIN_NS = 60 * 1_000_000_000  # fetch fills from a minute before the order was created


class Settlement:
    def __init__(
        self,
        clock: Clock,
        registry: OrderRegistry,
        fills: FillApplier,
        store: OrderStore,
        halt: TradingHalt,
    ) -> None:
        self._clock = clock
        self._registry = registry
        self._fills = fills
        self._store = store
        self._halt = halt
        self.cancel_again: Callable[[str], Any] | None = None  # the venue still has it working

    async def settle(
        self,
        order: Order,
        report: OrderStatusReport | None,
        venue: ExecutionClient,
        stale: bool = False,
        asked_ns: int | None = None,
    ) -> str:
        """Bring ``order`` in line with the venue's record. Returns what was done (for the
        reconciliation report): "updated", "not_received", "closed_lost", "unknown_at_venue",
        or ``NOT_YET``. A ``stale`` record (a request about the order went out after it was
        asked for) still brings missed fills and an end the order cannot come back from, but
        says nothing about its terms or the newer request: ``NOT_YET``, ask again.
        ``asked_ns``: when the question went out (default now): "no record" proves nothing if
        the venue could still receive the order then."""
        if report is None:
            outcome = (
                NOT_YET
                if stale
                else self._close_unknown(
                    order, venue, self._clock.timestamp_ns() if asked_ns is None else asked_ns
                )
            )
        else:
            if not stale and not order.is_terminal:
                self.take_terms(order, report)  # first: the fills count against these
            await self._catch_up(order, report, venue)
            outcome = "updated"
            if order.is_terminal:
                pass
            elif stale and report.status not in ENDED and report.status is not S.FILLED:
                outcome = NOT_YET
            else:
                self._take_record(order, report)
        if outcome != NOT_YET:
            order.uncertain = False
            self._registry.touch()
        self._store.flush()
        return outcome

    # --- the venue has it --------------------------------------------------------------------
    async def _catch_up(
        self, order: Order, report: OrderStatusReport, venue: ExecutionClient
    ) -> None:
        if order.venue_order_id is None:  # the venue has it: that is an acknowledgement
            order.venue_order_id = report.venue_order_id
        if report.filled_qty <= order.filled_qty:
            return
        coid = order.client_order_id
        fills = await venue.fills_since(
            max(0, order.ts_created - FILLS_MARGIN_NS), order.instrument
        )
        for fill in fills:
            if fill.client_order_id == coid:
                self._fills.apply(fill, venue.name)
        if report.filled_qty > order.filled_qty:
            self._problem(
                f"order {coid}: venue reports {report.filled_qty} lots filled, "
                f"only {order.filled_qty} found in its fills"
            )

    def _take_record(self, order: Order, report: OrderStatusReport) -> None:
        now = self._clock.timestamp_ns()
        coid = order.client_order_id
        status = report.status
        try:
            if status in ENDED:
                order.transition(status, now)
                order.reason = report.reason or status.value
            elif status is S.FILLED:
                if order.filled_qty == order.qty:
                    order.transition(S.FILLED, now)
                # else: the missing fills were reported as a problem; the order stays open
            else:  # working at the venue (ACCEPTED, PARTIALLY_FILLED, TRIGGERED, pending...)
                cancel_lost = order.status is S.PENDING_CANCEL
                if order.status in PENDING:
                    order.revert_pending(now)
                if order.status is S.SUBMITTED:
                    order.acknowledge(report.venue_order_id, now)
                if status is S.TRIGGERED and S.TRIGGERED in TRANSITIONS[order.status]:
                    order.trigger(now)
                if cancel_lost:
                    self._registry.changed(order)
                    log.warning("the cancel of %s was not carried out: sending it again", coid)
                    if self.cancel_again is not None:
                        self.cancel_again(coid)
                    return
        except IllegalTransition as exc:
            log.error("venue record of %s not applied: %s", coid, exc)
            self._problem(
                f"order {coid}: the venue says {status.value}, here it is {order.status.value}"
            )
        self._registry.changed(order)

    @staticmethod
    def take_terms(order: Order, report: OrderStatusReport) -> None:
        """The venue's price, quantity and trigger (a fresh record only)."""
        trigger = report.trigger_price if report.trigger_price is not None else order.trigger_price
        if report.qty < order.filled_qty:
            log.error(
                "venue record of %s has %d lots, below the %d filled here: terms kept",
                order.client_order_id,
                report.qty,
                order.filled_qty,
            )
            return
        if (report.price, report.qty, trigger) != (order.price, order.qty, order.trigger_price):
            log.info(
                "order %s takes the venue's terms: price %s -> %s, qty %d -> %d",
                order.client_order_id,
                order.price,
                report.price,
                order.qty,
                report.qty,
            )
        order.amend(report.price, report.qty)  # and no modify is outstanding any more
        order.trigger_price = trigger

    # --- the venue has no record of it -------------------------------------------------------
    def _close_unknown(self, order: Order, venue: ExecutionClient, asked_ns: int) -> str:
        now = self._clock.timestamp_ns()
        coid = order.client_order_id
        if order.is_terminal:
            return "updated"
        if order.acknowledged and venue.keeps_state:
            order.reason = UNKNOWN_AT_VENUE
            log.error(
                "order %s was acknowledged but %s has no record of it: closed", coid, venue.name
            )
            result = "unknown_at_venue"
        elif order.acknowledged:
            order.reason = VENUE_LOST
            log.warning(
                "order %s was lost when the in-process venue %s restarted: closed", coid, venue.name
            )
            result = "closed_lost"
        elif (
            venue.request_window_ns
            and asked_ns <= (order.ts_sent or order.ts_created) + venue.request_window_ns
        ):
            log.info(
                "order %s is not at %s yet; it may still arrive: asking again", coid, venue.name
            )
            return NOT_YET
        else:
            order.reason = NOT_RECEIVED
            log.warning("order %s never reached %s: closed as not placed", coid, venue.name)
            result = "not_received"
        end = (
            S.REJECTED
            if result == "not_received" and S.REJECTED in TRANSITIONS[order.status]
            else S.CANCELED
        )
        order.transition(end, now)
        self._registry.changed(order)
        return result

    def _problem(self, message: str) -> None:
        self._halt.halt(message)
