"""The desk's kill switch: trips (the trader, a limit, a lost feed, a failed reconciliation, an
engine error, a hung-up terminal), re-arms, and what follows a trip (working orders cancelled or
left, the flattener started, the trip report); the trading state and why, in the header and the
risk pane. The ``KillSwitch`` itself (``risk/killswitch.py``) keeps the state and persists it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews, TripReport
from tradeterm.domain.events import KillSwitchTripped, TradingState, TradingStateChanged
from tradeterm.oms.manager import OrderManager
from tradeterm.risk.flatten import Flattener
from tradeterm.risk.killswitch import KillSwitch
from tradeterm.risk.limits import PostTradeLimits
from tradeterm.trading.results import KillSwitchTrip, RearmRefused, RearmResult, Rearmed

if TYPE_CHECKING:
    from tradeterm.config import Settings

log = logging.getLogger("tradeterm.desk")


class KillDesk:
    """``TradingDesk.kill``: trips and re-arms the desk's kill switch and shows its state."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        views: EngineViews,
        killswitch: KillSwitch,
        limits: PostTradeLimits,
        flattener: Flattener,
        oms: OrderManager,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.views = views
        self.killswitch = killswitch
        self.limits = limits
        self.flattener = flattener
        self.oms = oms
        self._quoting_at_trip = 0  # quoters running when the kill switch tripped
        self._working_at_trip = 0  # orders working then
        self._held_at_trip = 0  # held orders (stops, OCO and bracket legs) then
        killswitch.on_trip.append(self._after_trip)
        killswitch.on_change.append(self.show_state)

    def restore(self, saved: tuple[TradingState, str, str, int] | None) -> None:
        """The trading state the store kept from the previous session (or a kill from another
        shell): HALTED or REDUCING stays so until the trader re-arms."""
        if saved is not None:
            self.killswitch.restore(saved[0], saved[1], saved[2])
            if saved[0] is not TradingState.ACTIVE:
                log.warning(
                    "trading is %s from the previous session (%s): re-arm with a reason to trade",
                    saved[0].value,
                    saved[1],
                )
        self.show_state(None)

    def trip(
        self, reason: str, source: str, flatten: bool = False, cancel: bool = True
    ) -> KillSwitchTrip:
        # counted before the trip: the quoters stop on the trip's own event, and the held orders'
        # cancels (which reach their legs at the venue) go out before the desk's
        self._quoting_at_trip = sum(1 for q in self.views.quoters.values() if q.enabled)
        self._working_at_trip = len(self.oms.working)
        self._held_at_trip = len(self.views.held.orders)
        return KillSwitchTrip(
            self.killswitch.trip(reason, source, self.clock.timestamp_ns(), flatten, cancel)
        )

    def rearm(
        self, reason: str, state: TradingState = TradingState.ACTIVE, source: str = "command"
    ) -> RearmResult:
        """Leave HALTED / REDUCING, or the reason it is refused."""
        if state is TradingState.ACTIVE:
            breach = self.limits.breach()
            if breach is not None:
                return RearmRefused(
                    f"cannot re-arm to ACTIVE: {breach[1]} ({breach[0]}); "
                    "re-arm to REDUCING to trade down, or change the limit"
                )
        self.flattener.stop()
        error = self.killswitch.set_state(state, reason, source, self.clock.timestamp_ns())
        return Rearmed(state) if error is None else RearmRefused(error)

    def check_limits(self, _ts: int, started: bool) -> None:
        """Post-trade: a limit breached while ACTIVE (once the desk has started) trips the kill
        switch; the limits' usage goes to the risk pane."""
        if started and self.killswitch.state is TradingState.ACTIVE:
            breach = self.limits.breach()
            if breach is not None:
                self.trip(breach[1], f"limit:{breach[0]}")
        risk_view = self.views.risk
        risk_view.limits = self.limits.usage()
        risk_view.version += 1

    def _after_trip(self, event: KillSwitchTripped) -> None:
        n = held = 0
        if event.cancel:
            sent = self.oms.cancel_all()
            # every order working at the trip is being cancelled, some by the held orders' own
            # cancels (a bracket's entry, an OCO's limit leg) just before
            n = max(sent, self._working_at_trip)
            held = self._held_at_trip
            log.warning("kill switch: %d working order(s) canceled", n)
        else:  # orders left working at the venue; none still waiting to be sent goes out
            self.oms.cancel_unsent()
        self.views.risk.trip = TripReport(
            event.ts_event,
            event.reason,
            event.source,
            event.cancel,
            n,
            self._quoting_at_trip,
            event.flatten,
            held_cancelled=held,
        )
        self._quoting_at_trip = self._working_at_trip = self._held_at_trip = 0
        if event.flatten:
            self.flattener.start()
        self.show_flatten()
        self.views.risk.version += 1

    def show_flatten(self) -> None:
        """The trip report follows the flattener: flattening, flat, or why it gave up."""
        report = self.views.risk.trip
        if report is None or not report.flatten:
            return
        state = "flattening" if self.flattener.active else self.flattener.result or "stopped"
        if state != report.flatten_state:
            report.flatten_state = state
            self.views.risk.version += 1

    def show_state(self, _event: TradingStateChanged | None) -> None:
        ks = self.killswitch
        for view in (self.views.status,):
            view.trading_state = ks.state
            view.trading_state_reason = ks.reason
            view.touch()
        self.views.risk.state = ks.state
        self.views.risk.reason = ks.reason
        self.views.risk.version += 1

    def note(self, text: str | None) -> None:
        """Why trading waits (a reconciliation retrying), in the header; None: the state's own
        reason again."""
        if text is None:
            self.show_state(None)
            return
        self.views.status.trading_state_reason = text
        self.views.status.touch()

    def engine_error(self, reason: str) -> None:
        """One of the engine's own handlers failed (``runtime/engine_errors.py``): HALT and cancel
        everything, with the error as the reason. The trip itself must not fail quietly: if it
        raises (the store is what broke), trading is still HALTED in memory and every working
        order is still canceled."""
        if self.killswitch.halted:
            return
        try:
            self.trip(reason, "engine_error")
        except Exception as exc:  # the kill switch is HALTED before it persists
            log.critical(
                "could not record the halt (%s: %s); trading is HALTED in this session only",
                type(exc).__name__,
                exc,
            )
            self.show_state(None)
            try:
                self.oms.cancel_all()
            except Exception as again:
                log.critical(
                    "could not cancel the working orders: %s: %s; cancel them at the venue",
                    type(again).__name__,
                    again,
                )

    def hangup(self) -> None:
        """The terminal went away (SIGHUP): apply ``session.on_hangup``."""
        policy = self.settings.session.on_hangup
        if policy == "keep":
            log.warning("terminal hung up: trading continues (session.on_hangup = keep)")
        else:
            self.trip("terminal hung up (SIGHUP)", "hangup", cancel=policy == "halt_cancel")
