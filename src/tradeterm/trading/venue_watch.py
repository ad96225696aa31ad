"""The desk's watch over its venues (owned by ``TradingDesk``): reconciliations (retried while
the venue does not answer, then reported: log, audit, ``ReconciliationCompleted``, the kill
switch if it failed), market data loss, and what follows an outage.

**Reconciliation retries.** A venue that cannot be asked (5xx, timeout, lost connection) is not a
discrepancy: the reconciliation is run again after a jittered exponential backoff
(``core/backoff.py``, seeded) until it completes or ``oms.reconcile_retry_s`` have passed; only
then does trading halt, saying the venue was unreachable for that long and what it last
answered. A real discrepancy (positions, an order the venue lost) halts at once. The delays come
from the desk's seeded ``random.Random`` (the same sequence for the same ``--seed``); the budget
is wall time, because a simulated clock does not move while the desk waits for its venue.

**Feed loss vs. recovery** (``risk.feed_loss_policy = halt``). DISCONNECTED or STALE is *lost*:
halt after ``risk.feed_loss_grace_s``. RESYNCING (connected, books being rebuilt from a
snapshot) is *recovering*, not lost: a reconnect that reaches RESYNCING stops the loss timer;
the outage then only has to end within ``risk.resync_grace_s`` of its start (a feed flapping
between down and resyncing for that long halts too). CONNECTING changes nothing.

**After an outage** (a lost phase, on a venue that had been CONNECTED before) every order of the
venue becomes uncertain and the venue is reconciled again. A book resync alone (a gap in the
market data stream) says nothing about orders and reconciles nothing; the first sync of a
session is no reconnect either.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from functools import partial
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tradeterm.core import topics
from tradeterm.core.backoff import Backoff
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock
from tradeterm.domain.events import ConnectionState, ReconciliationCompleted, VenueStatus
from tradeterm.oms.manager import OrderManager
from tradeterm.oms.reconcile import ReconcileResult, reconcile
from tradeterm.oms.store_port import OrderStore

if TYPE_CHECKING:
    from tradeterm.config import Settings
    from tradeterm.venues.base import ExecutionClient

log = logging.getLogger("tradeterm.desk")

LOST = (ConnectionState.DISCONNECTED, ConnectionState.STALE)
RETRY_FIRST_S = 0.2  # first pause before asking an unreachable venue again
RETRY_MAX_S = 5.0


@dataclass(slots=True)
class _Outage:
    since: int  # clock ns: when the feed stopped being CONNECTED
    lost_since: int | None = None  # in a lost phase (DISCONNECTED / STALE) since then
    was_lost: bool = False  # any lost phase: orders are checked again on return


class VenueWatch:
    """``trip(reason, source)`` halts trading; ``positions()`` are the portfolio's lots by
    instrument; ``note(text)`` shows why trading waits (None: back to the trading state)."""

    def __init__(
        self,
        settings: Settings,
        bus: MessageBus,
        clock: Clock,
        venues: dict[str, ExecutionClient],
        store: OrderStore,
        oms: OrderManager,
        positions: Callable[[], dict[str, int]],
        trip: Callable[[str, str], Any],
        note: Callable[[str | None], None],
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.bus = bus
        self.clock = clock
        self.venues = venues
        self.store = store
        self.oms = oms
        self.positions = positions
        self.trip = trip
        self.note = note
        self.rng = rng if rng is not None else random.Random()
        #: how a retry waits and measures its budget: wall time (see the module's docstring);
        #: a test on a simulated clock hands it the clock's (``Clock.sleep``) to drive it
        self.pause: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.now_s: Callable[[], float] = time.monotonic
        self.reconciliations: list[ReconcileResult] = []
        self.started = False  # the desk is open for trading (start-up reconciliation done)
        self._outages: dict[str, _Outage] = {}
        self._connected_once: set[str] = set()
        self._reconciling: dict[str, bool] = {}  # venue -> another run wanted after this one
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopped = False
        for name in venues:
            bus.subscribe(topics.venue_status(name), self.on_venue_status)

    def stop(self) -> None:
        """The session stops: no more feed-loss timers (a venue reports itself DISCONNECTED
        as it shuts down, after the store has closed), no reconciliations."""
        self._stopped = True
        for name in list(self._outages):
            self._cancel_alerts(name)
        for task in list(self._tasks):
            task.cancel()

    # --- reconciliation ----------------------------------------------------------------------
    async def reconcile(self, venue_name: str) -> bool:
        """Reconcile with one venue, retrying while it does not answer; report the result.
        Returns True if it was clean."""
        venue = self.venues[venue_name]
        cfg = self.settings.oms
        budget = cfg.reconcile_retry_s
        backoff = Backoff(RETRY_FIRST_S, RETRY_MAX_S, self.rng, budget, self.now_s)
        earlier: ReconcileResult | None = None
        while True:
            result = await reconcile(
                self.oms,
                self.store,
                venue,
                self.positions,
                int(cfg.fills_lookback_s * NS),
                self.clock.timestamp_ns(),
            )
            if earlier is not None:
                result.add_repairs(earlier)
            if not result.unreachable or result.problems:
                break
            if backoff.give_up:
                result.problems.append(
                    f"venue {venue_name} unreachable for {budget:g}s ({result.attempts} "
                    f"attempts); it did not answer: {result.unreachable}"
                )
                result.unreachable = ""
                break
            delay = backoff.delay()
            log.warning(
                "%s did not answer during reconciliation (%s); asking again in %.1fs",
                venue_name,
                result.unreachable,
                delay,
            )
            self.note(
                f"reconciling with {venue_name}: it did not answer ({result.unreachable}); retrying"
            )
            earlier = result
            await self.pause(delay)
        if backoff.attempts:
            self.note(None)
        return self._report(result)

    def _report(self, result: ReconcileResult) -> bool:
        self.reconciliations.append(result)
        now = self.clock.timestamp_ns()
        text = result.describe()
        repaired = result.adopted or result.resolved or result.closed_lost or result.missed_fills
        if result.clean:
            (log.info if repaired or result.attempts > 1 else log.debug)("%s", text)
        else:
            log.error("%s", text)
        self.store.controls.audit(now, "reconciliation", result.venue, text)
        reasons = "; ".join(result.reasons())
        self.bus.publish(
            topics.OMS,
            ReconciliationCompleted(
                now,
                now,
                result.venue,
                result.clean,
                result.adopted,
                result.resolved,
                result.closed_lost,
                result.missed_fills,
                reasons,
            ),
        )
        if not result.clean:
            self.trip(f"reconciliation failed: {reasons}", "reconciliation")
        return result.clean

    async def _reconcile_after_outage(self, venue: str) -> None:
        if venue in self._reconciling:  # one at a time; run once more when it ends
            self._reconciling[venue] = True
            return
        self._reconciling[venue] = False
        try:
            while True:
                await self.reconcile(venue)
                if not self._reconciling[venue]:
                    return
                self._reconciling[venue] = False
        finally:
            self._reconciling.pop(venue, None)

    # --- feed loss and outages ----------------------------------------------------------------
    def on_venue_status(self, msg: VenueStatus) -> None:
        if self._stopped:
            return
        venue, state = msg.venue, msg.state
        if state is ConnectionState.CONNECTED:
            outage = self._outages.pop(venue, None)
            self._cancel_alerts(venue)
            reconnect = venue in self._connected_once
            self._connected_once.add(venue)
            if outage is not None and outage.was_lost and reconnect and self.started:
                log.warning("%s reconnected: reconciling", venue)
                self.oms.mark_all_uncertain(venue)
                self._spawn(self._reconcile_after_outage(venue))
            return
        if state is ConnectionState.CONNECTING:
            return
        now = self.clock.timestamp_ns()
        outage = self._outages.get(venue)
        if outage is None:
            outage = self._outages[venue] = _Outage(now)
        halt = self.settings.risk.feed_loss_policy == "halt"
        if state in LOST:
            if outage.lost_since is None:
                outage.lost_since, outage.was_lost = now, True
                if halt:
                    grace = self.settings.risk.feed_loss_grace_s
                    self.clock.set_alert(
                        _lost_timer(venue),
                        now + int(grace * NS),
                        partial(self._lost, venue, state, grace),
                    )
            return
        # RESYNCING: connected again, books being rebuilt
        if outage.lost_since is not None:
            outage.lost_since = None
            self.clock.cancel_timer(_lost_timer(venue))
        if halt:
            grace = self.settings.risk.resync_grace_s
            self.clock.set_alert(
                _recovery_timer(venue),
                outage.since + int(grace * NS),
                partial(self._not_recovered, venue, grace),
            )

    def _lost(self, venue: str, state: ConnectionState, grace: float, _ts: int = 0) -> None:
        outage = self._outages.get(venue)
        if outage is not None and outage.lost_since is not None:
            self.trip(
                f"market data from {venue} lost ({state.value}) for more than {grace:g}s",
                "feed_loss",
            )

    def _not_recovered(self, venue: str, grace: float, _ts: int = 0) -> None:
        if venue in self._outages:
            self.trip(
                f"market data from {venue} not recovered {grace:g}s after it was "
                "interrupted (books still resyncing or reconnecting)",
                "feed_loss",
            )

    def _cancel_alerts(self, venue: str) -> None:
        self.clock.cancel_timer(_lost_timer(venue))
        self.clock.cancel_timer(_recovery_timer(venue))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _lost_timer(venue: str) -> str:
    return f"desk.feed_loss.{venue}"


def _recovery_timer(venue: str) -> str:
    return f"desk.feed_recovery.{venue}"
