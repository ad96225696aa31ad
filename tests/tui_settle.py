"""Pilot key presses that wait for the keys to be handled, not for the process to go idle.

Textual's pilot waits after each key until the process is idle: until a 20 ms sleep costs
less than 1 ms of CPU, else for a full second (``textual._wait.wait_for_idle``), twice a key.
A TUI with its engine running never idles (the market moves, the panes redraw), so every key
of a pilot test on a running session waited two seconds: a 35-key test took 75 s, and a press
gave no guarantee that the key had been handled.

``settled`` waits instead until no message of the running app is queued or being handled,
seen on two polls in a row, or ``max_sleep`` has passed: every message pump's queue (the app's
and every mounted widget's) is empty, and no pump is inside a message's handler (``Dispatches``
counts them; an action awaited by its handler counts). A key's handling (the app forwards it to
the focused widget, whose binding runs the action, which may post more messages) is therefore
done when a press returns, however busy the engine is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from time import monotonic
from typing import Any

from textual._context import active_app
from textual.message_pump import MessagePump

POLL_S = 0.002


class Dispatches:
    """How many messages are being handled right now, over every message pump."""

    def __init__(self, original: Callable[..., Awaitable[Any]]) -> None:
        self.original = original
        self.in_flight = 0

    def wrapped(self) -> Callable[..., Awaitable[Any]]:
        async def dispatch(pump: Any, message: Any) -> Any:
            self.in_flight += 1
            try:
                return await self.original(pump, message)
            finally:
                self.in_flight -= 1

        return dispatch


DISPATCHES = Dispatches(MessagePump._dispatch_message)


def _quiet() -> bool:
    try:
        app = active_app.get()
    except LookupError:
        return True
    if DISPATCHES.in_flight:
        return False
    return all(
        p._message_queue.empty() and p._pending_message is None for p in [app, *app._registry]
    )


async def settled(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    """Drop-in for ``textual._wait.wait_for_idle``: the app's messages are all handled."""
    start = monotonic()
    quiet_polls = 0
    while True:
        await asyncio.sleep(POLL_S)
        elapsed = monotonic() - start
        quiet_polls = quiet_polls + 1 if _quiet() else 0
        if elapsed >= max_sleep or (elapsed >= min_sleep and quiet_polls >= 2):
            return
