"""Uncertain outcomes: orders whose fate only the venue knows.

Every order that awaits an answer (SUBMITTED, PENDING_UPDATE, PENDING_CANCEL) is under watch
here from the moment it enters that status until it leaves it: the registry tells the resolver
of every change, so no path can leave an order pending unwatched. An order without an answer
within ``ack_timeout`` (or in flight at a disconnect, or whose request the venue refused)
becomes *uncertain*: one task asks the venue (``ExecutionClient.query_order``), retrying every
``query_retry`` on the engine's clock and tripping the kill switch after
``max_query_attempts`` failures, and settles
the order with the venue's record (``settle.py``): missed fills fetched and applied once, the
venue's price, quantity and trigger adopted, the venue's status taken, the pending request
closed; never a guess.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tradeterm.core.clock import Clock
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.oms.ports import TradingHalt
from tradeterm.oms.registry import OrderRegistry
from tradeterm.oms.settle import NOT_YET, Settlement

if TYPE_CHECKING:
    from tradeterm.venues.base import ExecutionClient

log = logging.getLogger("tradeterm.oms.manager")

S = OrderStatus
REQUEST = {S.SUBMITTED: "submit", S.PENDING_UPDATE: "modify", S.PENDING_CANCEL: "cancel"}


@dataclass(frozen=True, slots=True)
class Asked:
    """When a question went to the venue: the request sequence then, and the clock."""

    sequence: int
    ts: int


@dataclass(slots=True)
class InFlight:
    deadline: int  # ask the venue if nothing settled the order by then
    attempts: int = 0
    querying: bool = False


class OutcomeResolver:
    def __init__(
        self,
        clock: Clock,
        registry: OrderRegistry,
        venues: Mapping[str, ExecutionClient],
        settlement: Settlement,
        ack_timeout_ns: int,
        query_retry_ns: int,
        max_query_attempts: int,
        halt: TradingHalt,
    ) -> None:
        self._clock = clock
        self._registry = registry
        self._venues = venues
        self._settlement = settlement
        self.ack_timeout_ns = ack_timeout_ns
        self.query_retry_ns = query_retry_ns
        self.max_query_attempts = max_query_attempts
        self._inflight: dict[str, InFlight] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        # requests and stream news numbered in order: an answer to a question asked before the
        # latest of them about an order cannot speak for it
        self.sequence = 0
        self._latest: dict[str, int] = {}
        self._halt = halt
        self.unsent: Container[str] = ()  # orders not sent yet (OrderEntry's): no answer due
        # False in a plain replay: its venue's answers are the recording's, which holds what
        # followed a refused request or a late answer; nothing is asked of a venue
        self.asks_venue = True

    @property
    def inflight(self) -> Mapping[str, InFlight]:
        return self._inflight

    # --- watching ----------------------------------------------------------------------------
    def note_request(self, order: Order) -> None:
        """A cancel or modify of ``order`` went out, or news of it came (the venue's stream,
        or a newer record of it): a record of it asked for before is older."""
        self.sequence += 1
        self._latest[order.client_order_id] = self.sequence

    def ask(self) -> Asked:
        """Take it just before asking the venue; hand it over with the answer."""
        return Asked(self.sequence, self._clock.timestamp_ns())

    def newer_than(self, client_order_id: str, asked: Asked | None) -> bool:
        """Something was asked of the venue about this order, or news of it came, after
        ``asked``."""
        return asked is not None and self._latest.get(client_order_id, 0) > asked.sequence

    def follow(self, order: Order) -> None:
        """Told of every order change (a registry watcher): an order that awaits an answer is
        watched (the first unanswered request sets the deadline); any other is not, unless a
        query about it is running (that query settles it)."""
        coid = order.client_order_id
        flight = self._inflight.get(coid)
        if order.is_terminal:
            self._latest.pop(coid, None)
        if order.awaiting and not order.is_terminal:
            if flight is None and coid not in self.unsent:  # its clock starts when it goes
                self._inflight[coid] = InFlight(self._clock.timestamp_ns() + self.ack_timeout_ns)
        elif flight is not None and not flight.querying:
            del self._inflight[coid]

    def forget(self) -> None:
        """No order awaits an answer (a plain replay rewinding its recorded session's trading;
        its venue answers no query)."""
        self._inflight.clear()
        self._latest.clear()

    def snapshot(self) -> tuple[dict[str, InFlight], dict[str, int]]:
        """The orders under watch and the news of each (a replay's checkpoint), as copies."""
        flights = {coid: InFlight(f.deadline, f.attempts) for coid, f in self._inflight.items()}
        return flights, dict(self._latest)

    def restore(self, state: tuple[dict[str, InFlight], dict[str, int]]) -> None:
        """Watch what ``state`` watched (no query runs: a replay's venue answers none)."""
        flights, latest = state
        self._inflight.clear()
        self._inflight.update((c, InFlight(f.deadline, f.attempts)) for c, f in flights.items())
        self._latest.clear()
        self._latest.update(latest)

    def check(self, ts: int) -> None:
        """The timer: ask about every order whose answer is overdue (in a plain replay the
        recorded answer comes when it came)."""
        if not self.asks_venue:
            return
        for coid, flight in list(self._inflight.items()):
            if ts < flight.deadline or flight.querying:
                continue
            order = self._registry.working.get(coid)
            if order is None:
                del self._inflight[coid]
                continue
            if not order.uncertain:
                log.warning(
                    "no answer to the %s of %s for %.1fs: asking the venue",
                    REQUEST.get(order.status, "request"),
                    coid,
                    self.ack_timeout_ns / 1e9,
                )
            self.mark_uncertain(order)

    def mark_all_uncertain(self, venue: str) -> None:
        """After a disconnect: every order awaiting an answer from ``venue`` needs a query."""
        for coid in list(self._inflight):
            order = self._registry.working.get(coid)
            if order is not None and self._registry.venue_of(coid) == venue:
                self.mark_uncertain(order)

    def mark_uncertain(self, order: Order) -> None:
        """Ask the venue about ``order`` now (once: a running query is not doubled)."""
        coid = order.client_order_id
        if not self.asks_venue:
            log.info("order %s: not asked, the recording holds what the venue said next", coid)
            return
        order.uncertain = True
        self._registry.touch()
        flight = self._inflight.get(coid)
        if flight is None:
            flight = self._inflight[coid] = InFlight(self._clock.timestamp_ns())
        if flight.querying:
            return
        task = asyncio.get_running_loop().create_task(self._resolve(order, flight))
        flight.querying = True
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    # --- asking ------------------------------------------------------------------------------
    async def _resolve(self, order: Order, flight: InFlight) -> None:
        coid = order.client_order_id
        venue = self._venues.get(self._registry.venue_of(coid) or "")
        if venue is None:  # forgotten meanwhile (a replay's rewind): no venue to ask
            flight.querying = False
            if self._inflight.get(coid) is flight:
                del self._inflight[coid]
            log.warning("order %s not asked about: the OMS no longer knows its venue", coid)
            return
        try:
            while True:
                flight.attempts += 1
                asked = self.ask()
                try:
                    report = await venue.query_order(coid, order.instrument)
                    outcome = await self._settle(order, report, venue, asked)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.error(
                        "query for order %s failed (attempt %d): %s", coid, flight.attempts, exc
                    )
                    if flight.attempts == self.max_query_attempts:
                        self._problem(
                            f"outcome of order {coid} unknown after {flight.attempts} queries"
                        )
                    await self._pause(coid)
                    continue
                if outcome != NOT_YET:
                    break
                flight.attempts -= 1  # the venue answered: not a failure
                await self._pause(coid)
        finally:
            flight.querying = False
        if self._inflight.get(coid) is flight:
            if order.awaiting and not order.is_terminal:  # a new request went out meanwhile
                flight.deadline = self._clock.timestamp_ns() + self.ack_timeout_ns
                flight.attempts = 0
            else:
                del self._inflight[coid]

    def _pause(self, coid: str) -> asyncio.Future[None]:
        """``query_retry`` on the engine's clock (a simulated run stays deterministic)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake(_ts: int) -> None:
            if not waiter.done():
                waiter.set_result(None)

        self._clock.set_alert(
            f"oms.query.{coid}", self._clock.timestamp_ns() + self.query_retry_ns, wake
        )
        return waiter

    async def settle(
        self,
        order: Order,
        report: OrderStatusReport | None,
        venue: ExecutionClient,
        asked: Asked | None = None,
    ) -> str:
        """Reconciliation's entry: settle ``order`` with a record it already has (``asked``:
        when it was asked for). An order the venue may still receive, or that a newer request
        or news is about (``NOT_YET``), is left to a query of its own."""
        outcome = await self._settle(order, report, venue, asked)
        if outcome == NOT_YET:
            self.mark_uncertain(order)
        return outcome

    async def _settle(
        self,
        order: Order,
        report: OrderStatusReport | None,
        venue: ExecutionClient,
        asked: Asked | None,
    ) -> str:
        outcome = await self._settlement.settle(
            order,
            report,
            venue,
            self.newer_than(order.client_order_id, asked),
            None if asked is None else asked.ts,
        )
        if outcome != NOT_YET and not order.is_terminal:
            self.note_request(order)  # a record asked for before this one is older
        return outcome

    def _problem(self, message: str) -> None:
        self._halt.halt(message)
