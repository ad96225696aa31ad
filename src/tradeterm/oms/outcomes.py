"""Uncertain outcomes: orders whose fate only the venue knows (part of ``OrderManager``).

A submit, cancel or modify that gets no answer within ``ack_timeout`` (or was in flight when
the venue disconnected) makes its order *uncertain*. One task per such order asks the venue
(``Venue.query_order``), retrying every ``query_retry`` and tripping the kill switch after
``max_query_attempts`` failures, and applies the venue's record with ``apply_report``: missed
fills fetched and applied once, the status the venue reports, and for an order the venue has
no record of, a close with the reason (never a guess that it is still working).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tradeterm.domain.orders import IllegalTransition, Order, OrderStatus
from tradeterm.domain.reports import OrderStatusReport

if TYPE_CHECKING:
    from tradeterm.venues.base import Venue

log = logging.getLogger("tradeterm.oms.manager")

S = OrderStatus


@dataclass(slots=True)
class InFlight:
    kind: str  # submit | cancel | modify
    deadline: int
    attempts: int = 0
    querying: bool = False


class OutcomeResolution:
    """The in-flight half of ``OrderManager``; it uses the manager's state and bookkeeping."""

    # provided by OrderManager
    inflight: dict[str, InFlight]
    working: dict[str, Order]
    venue_of: dict[str, str]
    venues: dict[str, Any]
    _tasks: set[asyncio.Task]
    _replace: dict[str, Any]

    # --- uncertain outcomes ----------------------------------------------------------------
    def _check_inflight(self, ts: int) -> None:
        for coid, flight in list(self.inflight.items()):
            if ts >= flight.deadline and not flight.querying:
                order = self.working.get(coid)
                if order is None:
                    del self.inflight[coid]
                    continue
                if not order.uncertain:
                    log.warning("no answer to the %s of %s for %.1fs: asking the venue",
                                flight.kind, coid, self.ack_timeout_ns / 1e9)
                self._mark_uncertain(order, ts)

    def mark_all_uncertain(self, venue: str) -> None:
        """After a disconnect: every order in flight on ``venue`` needs a query."""
        now = self.clock.timestamp_ns()
        for coid in list(self.inflight):
            if self.venue_of.get(coid) == venue and coid in self.working:
                self._mark_uncertain(self.working[coid], now)

    def _mark_uncertain(self, order: Order, ts: int) -> None:
        order.uncertain = True
        self.view.version += 1
        flight = self.inflight.get(order.client_order_id)
        if flight is None:
            flight = self.inflight[order.client_order_id] = InFlight("query", ts)
        if flight.querying:
            return
        flight.querying = True
        task = asyncio.get_running_loop().create_task(self._resolve(order, flight))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resolve(self, order: Order, flight: InFlight) -> None:
        venue = self.venues[self.venue_of[order.client_order_id]]
        while True:
            flight.attempts += 1
            try:
                report = await venue.query_order(order.client_order_id, order.instrument)
                await self.apply_report(order, report, venue)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("query for order %s failed (attempt %d): %s", order.client_order_id,
                          flight.attempts, exc)
                if flight.attempts == self.max_query_attempts:
                    self._problem(f"outcome of order {order.client_order_id} unknown after "
                                  f"{flight.attempts} queries")
                await asyncio.sleep(self.query_retry_ns / 1e9)
                continue
            break
        flight.querying = False
        if self.inflight.get(order.client_order_id) is flight:
            del self.inflight[order.client_order_id]

    async def apply_report(self, order: Order, report: OrderStatusReport | None,
                           venue: Venue) -> str:
        """Bring a local order in line with the venue's record of it. Returns what was done
        (for the reconciliation report): "ok", "closed_lost", "not_received", "updated"."""
        now = self.clock.timestamp_ns()
        coid = order.client_order_id
        if report is None:
            if order.status is S.SUBMITTED and order.venue_order_id is None:
                order.reason = "NOT_RECEIVED"
                self._force(order, S.REJECTED, now)
                log.warning("order %s never reached %s: closed", coid, venue.name)
                result = "not_received"
            else:
                order.reason = "VENUE_LOST" if not venue.keeps_state else "UNKNOWN_AT_VENUE"
                self._force(order, S.CANCELED, now)
                if venue.keeps_state:
                    log.error("order %s was accepted but %s has no record of it: closed",
                              coid, venue.name)
                    result = "unknown_at_venue"
                else:
                    log.warning("order %s was lost when the in-process venue %s restarted: "
                                "closed", coid, venue.name)
                    result = "closed_lost"
            self._finish(order)
            self.store.flush()
            return result
        if report.venue_order_id and order.venue_order_id is None:
            order.venue_order_id = report.venue_order_id
        if report.filled_qty > order.filled_qty:
            fills = await venue.fills_since(max(0, order.ts_created - 60 * 1_000_000_000),
                                            order.instrument)
            for fill in fills:
                if fill.client_order_id == coid:
                    self.apply_fill(fill, venue.name)
            if report.filled_qty > order.filled_qty:
                self._problem(f"order {coid}: venue reports {report.filled_qty} lots filled, "
                              f"only {order.filled_qty} found in its fills")
        status = report.status
        if not order.is_terminal:
            if status in (S.CANCELED, S.EXPIRED, S.REJECTED):
                order.reason = report.reason or status.value
                self._force(order, status, now)
                self._finish(order)
                replace = self._replace.pop(coid, None)
                if replace is not None and status is S.CANCELED:
                    self._send_replacement(order, replace)
            elif status in (S.ACCEPTED, S.PARTIALLY_FILLED, S.TRIGGERED):
                if order.status is S.SUBMITTED:
                    order.transition(S.ACCEPTED, now)
                elif order.status is S.PENDING_CANCEL:
                    # our cancel was never seen through: it is still working; cancel again
                    order.revert_pending(now)
                    self._changed(order)
                    self.cancel(coid)
                    order.uncertain = False
                    self.store.flush()
                    return "updated"
                self._changed(order)
        order.uncertain = False
        self.view.version += 1
        self.store.flush()
        return "updated"

    def _force(self, order: Order, status: OrderStatus, ts: int) -> None:
        """Apply the venue's verdict; the venue is the truth even where our table has no edge
        (e.g. PENDING_UPDATE -> REJECTED is only reachable through the venue's answer)."""
        try:
            order.transition(status, ts)
        except IllegalTransition:
            order.status = status
            order.ts_last = ts

    # --- adoption (reconciliation) ---------------------------------------------------------
    def adopt(self, report: OrderStatusReport, venue: str) -> Order:
        """Take over a working order we did not place (EXTERNAL)."""
        order = Order(report.client_order_id, report.instrument, report.side, report.qty,
                      report.order_type, report.price, None, report.tif,
                      ts_created=report.ts_event or self.clock.timestamp_ns())
        order.status = S.ACCEPTED
        order.venue_order_id = report.venue_order_id
        order.external = True
        order.source = "external"
        self.store.insert_order(order, venue, 0)
        self._track(order, venue)
        return order
