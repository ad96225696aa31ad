"""Clocks. Components ask the clock for the time and for timers; they never read the wall clock.

``LiveClock`` is wall time with timers on the asyncio loop. ``SimClock`` is driven by the data:
whoever feeds events (the simulated market in fast mode, the replayer) advances it, and due timers
fire in time order at their own timestamps, so a simulated run is deterministic.

A timer callback that raises goes to ``on_callback_error(name, callback, exception)`` when set
(the kernel fails safe, as for a bus handler); without it the exception propagates (SimClock) or
reaches the event loop's handler (LiveClock). Either way the timer stays scheduled.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

TimerCallback = Callable[[int], None]  # receives the timer's due time in ns
CallbackErrorHook = Callable[[str, TimerCallback, Exception], None]

NS = 1_000_000_000
FAST_START_NS = 1_767_225_600 * NS  # 2026-01-01T00:00:00Z: where every --fast run starts


class Clock:
    """Common interface."""

    is_simulated = False
    on_callback_error: CallbackErrorHook | None = None

    def timestamp_ns(self) -> int:
        raise NotImplementedError

    def _call(self, name: str, callback: TimerCallback, at_ns: int) -> None:
        hook = self.on_callback_error
        if hook is None:
            callback(at_ns)
            return
        try:
            callback(at_ns)
        except Exception as exc:  # reported, and the clock goes on
            hook(name, callback, exc)

    def set_timer(
        self, name: str, interval_ns: int, callback: TimerCallback, start_ns: int | None = None
    ) -> None:
        """Call ``callback`` every ``interval_ns`` from ``start_ns`` (default: now) + interval."""
        raise NotImplementedError

    def set_alert(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        """Call ``callback`` once at ``at_ns``."""
        raise NotImplementedError

    def cancel_timer(self, name: str) -> None:
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time (a retry's pause: in a simulated run it passes
        when the data moves the clock, so tests drive it instead of waiting on the wall)."""
        done = asyncio.get_running_loop().create_future()
        name = f"clock.sleep.{next(_SLEEPS)}"

        def wake(_ts: int) -> None:
            if not done.done():
                done.set_result(None)

        self.set_alert(name, self.timestamp_ns() + int(seconds * NS), wake)
        try:
            await done
        finally:
            self.cancel_timer(name)


_SLEEPS = itertools.count()


class LiveClock(Clock):
    def __init__(self) -> None:
        self._handles: dict[str, asyncio.TimerHandle] = {}

    def timestamp_ns(self) -> int:
        return time.time_ns()

    def _schedule(self, name: str, at_ns: int, fire: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, (at_ns - time.time_ns()) / NS)
        self._handles[name] = loop.call_later(delay, fire)

    def set_alert(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        self.cancel_timer(name)

        def fire() -> None:
            self._handles.pop(name, None)
            self._call(name, callback, at_ns)

        self._schedule(name, at_ns, fire)

    def set_timer(
        self, name: str, interval_ns: int, callback: TimerCallback, start_ns: int | None = None
    ) -> None:
        if interval_ns <= 0:
            raise ValueError("timer interval must be positive")
        self.cancel_timer(name)
        due = (start_ns if start_ns is not None else time.time_ns()) + interval_ns

        def fire() -> None:
            nonlocal due
            at = due
            due += interval_ns
            self._schedule(name, due, fire)
            self._call(name, callback, at)

        self._schedule(name, due, fire)

    def cancel_timer(self, name: str) -> None:
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.cancel()


class SimClock(Clock):
    is_simulated = True

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns
        self._heap: list[tuple[int, int, str]] = []  # (due, order, name)
        self._timers: dict[str, tuple[int, int, TimerCallback]] = {}  # name -> (due, interval, cb)
        self._order = itertools.count()

    def timestamp_ns(self) -> int:
        return self._now

    def set_alert(self, name: str, at_ns: int, callback: TimerCallback) -> None:
        self._timers[name] = (at_ns, 0, callback)
        heapq.heappush(self._heap, (at_ns, next(self._order), name))

    def set_timer(
        self, name: str, interval_ns: int, callback: TimerCallback, start_ns: int | None = None
    ) -> None:
        if interval_ns <= 0:
            raise ValueError("timer interval must be positive")
        due = (start_ns if start_ns is not None else self._now) + interval_ns
        self._timers[name] = (due, interval_ns, callback)
        heapq.heappush(self._heap, (due, next(self._order), name))

    def cancel_timer(self, name: str) -> None:
        self._timers.pop(name, None)

    def next_due_ns(self) -> int | None:
        while self._heap:
            due, _, name = self._heap[0]
            timer = self._timers.get(name)
            if timer is not None and timer[0] == due:
                return due
            heapq.heappop(self._heap)  # stale entry of a cancelled or rescheduled timer
        return None

    async def follow_wall_clock(self, stop: asyncio.Event, step_s: float = 0.1) -> None:
        """From now on, move at wall-clock pace until ``stop`` is set (a replay that reached
        its end while the trader still reviews it: timers keep firing)."""
        last = time.perf_counter()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), step_s)
            except asyncio.TimeoutError:
                pass
            if stop.is_set():  # not past a seek that stopped it (``runtime/replay_review.py``)
                return
            now = time.perf_counter()
            self.advance_to(self._now + int((now - last) * NS))
            last = now

    def advance_to(self, ts_ns: int) -> None:
        """Move time forward to ``ts_ns``, firing every timer due on the way, in order."""
        if ts_ns < self._now:
            return  # time never goes backwards; late data is processed at the current time
        heap, timers = self._heap, self._timers
        while heap and heap[0][0] <= ts_ns:
            due, _, name = heapq.heappop(heap)
            timer = timers.get(name)
            if timer is None or timer[0] != due:
                continue
            _, interval, callback = timer
            if interval:
                timers[name] = (due + interval, interval, callback)
                heapq.heappush(heap, (due + interval, next(self._order), name))
            else:
                del timers[name]
            self._now = due
            self._call(name, callback, due)
        self._now = ts_ns

    def move_to(self, ts_ns: int) -> None:
        """A replay's seek: forward as ``advance_to``; back, time goes back to ``ts_ns`` and
        every timer stays due as far ahead of it as it was (none fires, none is lost)."""
        shift = ts_ns - self._now
        if shift >= 0:
            self.advance_to(ts_ns)
            return
        self._now = ts_ns
        self._timers = {n: (due + shift, i, cb) for n, (due, i, cb) in self._timers.items()}
        self._heap = [(due + shift, order, n) for due, order, n in self._heap]  # still a heap
