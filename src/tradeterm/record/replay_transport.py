"""The replay transport: speed, pause / resume, step, run-until and seek (part of
``ReplayVenue``), the transport state the UI shows, and the time forms a seek accepts.

Every transport change is published as a ``ReplayControl`` on ``replay.control`` so the replay's
own journal records what the user did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.market import Trade
from tradeterm.record.records import ReplayControl

SPEEDS: tuple[float | None, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, None)
MIN_SPEED, MAX_SPEED = 0.1, 100.0
REPLAY_PREFIX = "replay."


def speed_label(speed: float | None) -> str:
    if speed is None:
        return "max"
    return f"{speed:g}x"


@dataclass
class ReplayState:
    """The transport as the UI shows it (an engine view: ``version`` bumps on every change)."""

    source: str
    start_ns: int
    end_ns: int
    total: int
    speed: float | None = None
    paused: bool = False
    done: bool = False
    published: int = 0  # records read from the recording so far (published or filtered)
    lost: int = 0  # records in damaged blocks skipped (``--skip-damaged``)
    clock_ns: int = 0
    message: str = ""
    version: int = 0

    def touch(self) -> None:
        self.version += 1

    @property
    def progress(self) -> float:
        return (self.published + self.lost) / self.total if self.total else 1.0


class ReplayTransport:
    """The transport controls of ``ReplayVenue`` (called by the UI or the CLI); the venue's
    loop reads the goals they set."""

    # provided by ReplayVenue
    bus: MessageBus
    clock: Clock
    state: ReplayState
    _wake: asyncio.Event
    _anchor: tuple[float, int] | None
    _steps: int
    _until: Callable[[Any, str], bool] | None
    _seek_to: int | None
    _hit: bool

    # --- transport (called by the UI or the CLI) ---------------------------------------------
    def toggle_pause(self) -> None:
        self.pause() if not self.state.paused else self.play()

    def pause(self) -> None:
        self._control("paused", paused=True)

    def play(self) -> None:
        """Resume playing after a pause (``Venue.resume`` is the OMS's restart hook)."""
        self._steps, self._until = 0, None
        self._control("playing", paused=False)

    def set_speed(self, speed: float | None) -> None:
        if speed is not None:
            speed = min(MAX_SPEED, max(MIN_SPEED, speed))
        self.state.speed = speed
        self._control(f"speed {speed_label(speed)}")

    def faster(self) -> None:
        self.set_speed(_next_speed(self.state.speed, +1))

    def slower(self) -> None:
        self.set_speed(_next_speed(self.state.speed, -1))

    def step(self) -> None:
        """Publish the next record, then stay paused. Presses add up: three quick presses of
        the step key step three records."""
        self._steps += 1
        self._until = None
        self._control("step", paused=True)

    def step_to_trade(self) -> None:
        self._run_until(lambda ev, topic: type(ev) is Trade, "next trade")

    def step_to_order_event(self) -> None:
        self._run_until(lambda ev, topic: False, "next own-order event")  # set by _on_order_event

    def seek(self, ts: int) -> bool:
        """Play forward as fast as possible to the first record at or after ``ts``, then pause.
        Returns False (and does nothing) for a time before the replay clock."""
        if ts < self.clock.timestamp_ns():
            self.state.message = "seek: only forward in this version (restart with --start)"
            self.state.touch()
            return False
        self._seek_to = ts
        self._control(f"seek {ts}", paused=True)
        return True

    def _run_until(self, match: Callable[[Any, str], bool], what: str) -> None:
        self._steps = 0
        self._until = match
        self._hit = False
        self._control(what, paused=True)

    def _control(self, message: str, paused: bool | None = None) -> None:
        if paused is not None:
            self.state.paused = paused
        self._anchor = None
        self.state.message = message
        self.state.touch()
        self._wake.set()
        action, _, value = message.partition(" ")
        now = self.clock.timestamp_ns()
        self.bus.publish(REPLAY_PREFIX + "control", ReplayControl(now, action, value))

    def _on_order_event(self, msg: Any) -> None:
        if self._until is not None and self.state.paused and self._steps == 0:
            self._hit = True


def parse_time(text: str, start_ns: int) -> int:
    """``HH:MM[:SS[.fff]]`` on the recording's first day (UTC), ``+30s``/``+5m``/``+1h`` from its
    start, or an ISO date-time. Raises ValueError with the accepted forms."""
    t = text.strip()
    if t.startswith("+"):
        units = {"s": 1, "m": 60, "h": 3600}
        unit = t[-1] if t[-1] in units else "s"
        number = t[1:-1] if t[-1] in units else t[1:]
        try:
            offset = int(float(number) * units[unit] * 1e9)
        except (ValueError, OverflowError):  # not a number, nan, inf
            raise ValueError(f"cannot read time {text!r}: after '+' give seconds, minutes or "
                             "hours, e.g. +90s or +5m") from None
        return start_ns + offset
    day = datetime.fromtimestamp(start_ns / 1e9, tz=timezone.utc)
    for fmt in ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M"):
        try:
            parsed = datetime.strptime(t, fmt)
        except ValueError:
            continue
        moment = day.replace(hour=parsed.hour, minute=parsed.minute, second=parsed.second,
                             microsecond=parsed.microsecond)
        return int(moment.timestamp() * 1e9)
    try:
        moment = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"cannot read time {text!r}: use HH:MM:SS (UTC), +90s / +5m from the "
                         "start, or an ISO date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1e9)


def _next_speed(current: float | None, direction: int) -> float | None:
    if current is None:
        return SPEEDS[-2] if direction < 0 else None
    if direction > 0:
        for s in SPEEDS[:-1]:
            if s is not None and s > current + 1e-9:
                return s
        return None
    for s in reversed(SPEEDS[:-1]):
        if s is not None and s < current - 1e-9:
            return s
    return SPEEDS[0]
