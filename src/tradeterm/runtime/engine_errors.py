"""What the engine does when one of its own handlers fails (a bus handler or a timer callback):
fail safe. Like ``trading/desk.py`` this is a composition helper built by the kernel.

An exception in an *essential* handler (the OMS, the portfolio, risk, the quoter, the book
keeper: anything that keeps order, position or risk state or acts on it; the bus's default) may
have left that state half-applied, so trading HALTS and every working order is canceled (the kill
switch, source ``engine_error``), with the error as the reason: component, topic or timer,
exception. The reason is what the header, the HALTED banner and ``tradeterm status`` show; the
traceback goes to the log once. A failure in a handler subscribed with ``essential=False`` (the
screen's views, the journal: nothing trades on what they keep) is only logged.

Either way a handler that fails on every message (a bad value on each book update) must not
flood the log: each component's first failure is logged with its traceback, later ones are
counted and summed up at most every ``REPEAT_S`` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from tradeterm.core.bus import handler_name

log = logging.getLogger("tradeterm.engine")

REPEAT_S = 10.0


class EngineErrors:
    """``halt(reason)`` trips the kill switch (and cancels); it is called once per error while
    trading is not yet HALTED (the caller decides)."""

    def __init__(
        self, halt: Callable[[str], None], now_s: Callable[[], float] = time.monotonic
    ) -> None:
        self.halt = halt
        self.now_s = now_s
        self.failures = 0
        self._seen: dict[str, list[float]] = {}  # component -> [last logged, count since]

    def on_bus_error(
        self, topic: str, msg: Any, exc: Exception, handler: Any, essential: bool
    ) -> None:
        self._failed(handler_name(handler), f"on {topic}", exc, essential)

    def on_timer_error(self, name: str, callback: Any, exc: Exception) -> None:
        self._failed(handler_name(callback), f"in timer {name}", exc, True)

    def _failed(self, component: str, where: str, exc: Exception, essential: bool) -> None:
        self.failures += 1
        error = f"{type(exc).__name__}: {exc}"
        self._log(component, f"{component} failed {where}: {error}", exc, essential)
        if essential:
            self.halt(
                f"engine error, state may be half-applied: {component} failed {where}: {error}"
            )

    def _log(self, component: str, text: str, exc: Exception, essential: bool) -> None:
        seen = self._seen.get(component)
        now = self.now_s()
        if seen is None:
            self._seen[component] = [now, 0]
            log.error(
                "%s%s", text, "" if essential else " (display only: trading goes on)", exc_info=exc
            )
            return
        seen[1] += 1
        if now - seen[0] >= REPEAT_S:
            log.error(
                "%s (and %d more failures of it in the last %.0fs)",
                text,
                seen[1] - 1,
                now - seen[0],
            )
            seen[0], seen[1] = now, 0
