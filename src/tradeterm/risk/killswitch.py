"""The kill switch: the session's TradingState (ACTIVE / REDUCING / HALTED) and its history.

A trip (key, command, CLI, post-trade limit, feed loss, hangup, failed reconciliation) sets
HALTED; what follows a trip (stop the quoter, cancel every working order, flatten) is done by
whoever owns those components, on the ``on_trip`` hook. Leaving HALTED takes ``rearm`` with a
reason. Every trip and re-arm is persisted (the ``persist`` hook writes the state and an audit
record in one transaction) before it is announced on the bus, so a restart comes back HALTED if
the session was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.domain.events import KillSwitchTripped, TradingState, TradingStateChanged

log = logging.getLogger(__name__)

# persist(state, reason, source, ts, audit kind)
PersistHook = Callable[[TradingState, str, str, int, str], None]


class KillSwitch:
    def __init__(self, bus: MessageBus, persist: PersistHook | None = None) -> None:
        self.bus = bus
        self.persist = persist
        self.state = TradingState.ACTIVE
        self.reason = ""
        self.source = ""
        self.trips = 0
        self.on_trip: list[Callable[[KillSwitchTripped], None]] = []
        self.on_change: list[Callable[[TradingStateChanged], None]] = []

    def restore(self, state: TradingState, reason: str, source: str = "") -> None:
        """The state the store kept (at start, before anything trades)."""
        self.state, self.reason, self.source = state, reason, source

    @property
    def halted(self) -> bool:
        return self.state is TradingState.HALTED

    def trip(
        self, reason: str, source: str, ts: int, flatten: bool = False, cancel: bool = True
    ) -> bool:
        """HALT trading. Returns True if the state changed (False: it was already HALTED; the
        cancel and flatten actions still run)."""
        reason = reason.strip() or "no reason given"
        changed = self.state is not TradingState.HALTED
        self.state, self.reason, self.source = TradingState.HALTED, reason, source
        self.trips += 1
        if self.persist is not None:
            self.persist(TradingState.HALTED, reason, source, ts, "kill_switch.trip")
        log.warning(
            "KILL SWITCH tripped by %s: %s%s",
            source,
            reason,
            " (flattening)" if flatten else "" if cancel else " (orders left working)",
        )
        event = KillSwitchTripped(ts, ts, reason, source, flatten, cancel)
        self.bus.publish(topics.RISK, event)
        if changed:
            self._announce(ts)
        for hook in self.on_trip:
            hook(event)
        return changed

    def set_state(self, state: TradingState, reason: str, source: str, ts: int) -> str | None:
        """Enter ACTIVE or REDUCING (a re-arm, or stepping down to REDUCING). Returns an error
        message instead when the request is refused."""
        reason = reason.strip()
        if not reason:
            return "a reason is required to change the trading state"
        if state is TradingState.HALTED:
            return "use the kill switch to HALT"
        if state is self.state:
            return f"trading is already {state.value}"
        previous = self.state
        self.state, self.reason, self.source = state, reason, source
        if self.persist is not None:
            self.persist(
                state,
                reason,
                source,
                ts,
                "kill_switch.rearm" if previous is TradingState.HALTED else "trading_state.change",
            )
        log.warning("trading %s -> %s by %s: %s", previous.value, state.value, source, reason)
        self._announce(ts)
        return None

    def _announce(self, ts: int) -> None:
        event = TradingStateChanged(ts, ts, self.state, self.reason)
        self.bus.publish(topics.RISK, event)
        for hook in self.on_change:
            hook(event)
