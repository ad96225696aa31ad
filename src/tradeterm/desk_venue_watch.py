"""The desk's watch over its venues (part of ``TradingDesk``): each reconciliation reported
(log, audit, ``ReconciliationCompleted``, the kill switch if it failed), market data loss
(HALT after ``risk.feed_loss_grace_s`` under ``feed_loss_policy = halt``), and a reconnect
(every order of the venue uncertain, then reconcile again)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock
from tradeterm.domain.events import ConnectionState, ReconciliationCompleted, VenueStatus
from tradeterm.oms.manager import OrderManager
from tradeterm.oms.reconcile import ReconcileResult, reconcile
from tradeterm.oms.store import Store

if TYPE_CHECKING:
    from tradeterm.config import Settings
    from tradeterm.venues.base import Venue

log = logging.getLogger("tradeterm.desk")


class VenueWatch:
    """Reconciliation reports, feed loss and reconnects for ``TradingDesk``; it uses the desk's
    OMS, store, clock and kill switch."""

    # provided by TradingDesk
    settings: Settings
    bus: MessageBus
    clock: Clock
    venues: dict[str, Venue]
    store: Store
    oms: OrderManager
    reconciliations: list[ReconcileResult]
    _started: bool
    _feed_down: dict[str, int]
    _tasks: set[asyncio.Task]

    def _report(self, result: ReconcileResult) -> bool:
        self.reconciliations.append(result)
        now = self.clock.timestamp_ns()
        text = result.describe()
        repaired = result.adopted or result.resolved or result.closed_lost or result.missed_fills
        if result.clean:
            (log.info if repaired else log.debug)("%s", text)
        else:
            log.error("%s", text)
        self.store.audit(now, "reconciliation", result.venue, text)
        self.bus.publish(topics.OMS, ReconciliationCompleted(
            now, now, result.venue, result.clean, result.adopted, result.resolved,
            result.closed_lost, result.missed_fills, "; ".join(result.problems)))
        if not result.clean:
            self.trip(f"reconciliation failed: {'; '.join(result.problems)}", "reconciliation")
        return result.clean

    # --- feed loss and reconnects ----------------------------------------------------------
    def _on_venue_status(self, msg: VenueStatus) -> None:
        if msg.state is ConnectionState.CONNECTED:
            was_down = self._feed_down.pop(msg.venue, None)
            self.clock.cancel_timer(f"desk.feed_loss.{msg.venue}")
            if was_down is not None and self._started:
                log.warning("%s reconnected: reconciling", msg.venue)
                self.oms.mark_all_uncertain(msg.venue)
                self._spawn(self._reconcile_again(msg.venue))
            return
        if msg.state is ConnectionState.CONNECTING or msg.venue in self._feed_down:
            return
        self._feed_down[msg.venue] = msg.ts_recv
        if self.settings.risk.feed_loss_policy == "halt":
            grace = int(self.settings.risk.feed_loss_grace_s * NS)
            self.clock.set_alert(f"desk.feed_loss.{msg.venue}", self.clock.timestamp_ns() + grace,
                                 lambda _ts, v=msg.venue, s=msg.state: self._feed_lost(v, s))

    def _feed_lost(self, venue: str, state: ConnectionState) -> None:
        if venue in self._feed_down:
            self.trip(f"market data from {venue} lost ({state.value}) for more than "
                      f"{self.settings.risk.feed_loss_grace_s:g}s", "feed_loss")

    async def _reconcile_again(self, venue: str) -> None:
        now = self.clock.timestamp_ns()
        result = await reconcile(self.oms, self.store, self.venues[venue], self._positions,
                                 int(self.settings.oms.fills_lookback_s * NS), now)
        self._report(result)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
