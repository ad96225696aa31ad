"""What guards a session from outside its screen: the data dir's session lock (one session per
account), the control socket that ``tradeterm kill`` / ``rearm`` / ``status`` talk to from another
shell, the HALT marker a kill from another shell leaves when no session answers, and the signals
(SIGTERM: a clean stop; SIGHUP: ``session.on_hangup``).

A simulated session (``--fast``, a replay) trades no account: no lock and no control socket, but
a HALT marker when it names a database (``oms.database_url``), and the signals when asked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradeterm.domain.events import TradingState
from tradeterm.oms.halt_marker import HaltMarker, hold_in_store
from tradeterm.oms.store_port import OrderStore
from tradeterm.runtime.control import ControlServer, SessionLock, control_socket_path
from tradeterm.trading.results import RearmRefused

if TYPE_CHECKING:
    from tradeterm.trading.desk import TradingDesk

log = logging.getLogger("tradeterm.kernel")  # its lines were the kernel's, and keep the name


class SessionGuard:
    """Built before the store is opened (the lock first); opened once the desk has started."""

    def __init__(self, data_dir: Path, store_url: str, simulated: bool) -> None:
        self.data_dir = data_dir
        self.simulated = simulated
        self._lock = None if simulated else SessionLock(data_dir)
        if self._lock is not None:
            self._lock.acquire()
        self.halt_marker = HaltMarker.for_url(store_url)  # `tradeterm kill`'s HALT: read first
        self._control: ControlServer | None = None
        self._signals = False

    def hold_marked_halt(self, store: OrderStore, now_ns: int) -> None:
        """A kill from another shell while no session answered: HALTED in the store before the
        desk reads its trading state."""
        halt = self.halt_marker.read() if self.halt_marker else None
        if halt is not None:
            hold_in_store(store, halt, now_ns)

    def watch(self, desk: TradingDesk) -> None:
        """A re-arm, here or from ``tradeterm rearm``, clears the marker."""
        if self.halt_marker is not None:
            desk.killswitch.on_change.append(self.halt_marker.on_trading_state)

    async def open(self, desk: TradingDesk, store: OrderStore) -> None:
        """The control socket, then a ``tradeterm kill`` that raced the start: HALT now."""
        if self.simulated:
            return
        self._control = ControlServer(
            control_socket_path(self.data_dir), lambda request: self.answer(desk, request)
        )
        try:
            await self._control.start()
        except OSError as exc:
            self._control = None
            log.error(
                "control socket unavailable (%s): `tradeterm kill` from another shell "
                "will only mark the store; use the kill key here",
                exc,
            )
        saved = store.controls.load_trading_state()
        halt = self.halt_marker.read() if self.halt_marker else None
        if halt is not None and desk.killswitch.reason != halt.reason:
            desk.kill.trip(halt.reason, halt.source)
        elif saved and saved[0] is TradingState.HALTED and not desk.killswitch.halted:
            desk.kill.trip(saved[1], saved[2] or "cli")

    def catch_signals(self, on_hangup: Callable[[], None], on_stop: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, on_hangup)
        loop.add_signal_handler(signal.SIGTERM, on_stop)
        self._signals = True

    def release_signals(self) -> None:
        if self._signals:
            loop = asyncio.get_running_loop()
            loop.remove_signal_handler(signal.SIGHUP)
            loop.remove_signal_handler(signal.SIGTERM)
            self._signals = False

    async def close_control(self) -> None:
        if self._control is not None:
            await self._control.stop()

    def release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()

    @staticmethod
    def answer(desk: TradingDesk, request: dict[str, Any]) -> dict[str, Any]:
        """A request from ``tradeterm kill`` / ``rearm`` / ``status`` in another shell."""
        from tradeterm.domain.commands import RearmTrading, TripKillSwitch

        op = request.get("op")
        reason = str(request.get("reason") or "")
        now = desk.clock.timestamp_ns()
        if op == "kill":
            desk.execute(
                TripKillSwitch(
                    now,
                    reason or "kill switch from the command line",
                    bool(request.get("flatten")),
                    "cli",
                )
            )
        elif op == "rearm":
            state = TradingState.REDUCING if request.get("reducing") else TradingState.ACTIVE
            result = desk.execute(RearmTrading(now, reason, state, "cli"))
            if isinstance(result, RearmRefused):
                return {"ok": False, "error": result.reason, "state": desk.killswitch.state.value}
        elif op != "status":
            return {"ok": False, "error": f"unknown op {op!r}"}
        ks = desk.killswitch
        return {
            "ok": True,
            "state": ks.state.value,
            "reason": ks.reason,
            "working_orders": len(desk.oms.working),
            "pid": os.getpid(),
        }
