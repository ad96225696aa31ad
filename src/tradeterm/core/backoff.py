"""Backoff: the one way the engine waits before trying again (reconnects, snapshot fetches,
reconciliation retries).

Jittered exponential ("equal jitter"): the n-th delay (n from 0) is uniform between half and all
of ``min(max_s, first_s * 2**n)``, so retries spread out instead of arriving together, and never
wait longer than ``max_s``. The jitter comes from the ``random.Random`` handed in: a seeded one
gives the same delays every run (simulated clocks, tests). ``reset()`` after a success starts
over at ``first_s``.

An optional ``budget_s`` bounds the whole sequence: ``give_up`` turns True once that long has
passed since the first failure (``now`` is a monotonic clock in seconds, ``time.monotonic`` by
default), and ``delay()`` never sleeps past the end of the budget, so a retry loop ends on time.

    backoff = Backoff(0.5, 30.0, rng)
    while True:
        try:
            return await fetch()
        except TransientError:
            if backoff.give_up:
                raise
            await backoff.sleep()
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable


class Backoff:
    __slots__ = ("first_s", "max_s", "budget_s", "rng", "now", "attempts", "started")

    def __init__(
        self,
        first_s: float,
        max_s: float,
        rng: random.Random | None = None,
        budget_s: float | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        if first_s <= 0 or max_s < first_s:
            raise ValueError(f"backoff needs 0 < first ({first_s}) <= max ({max_s})")
        self.first_s = first_s
        self.max_s = max_s
        self.budget_s = budget_s
        self.rng = rng if rng is not None else random.Random()
        self.now = now
        self.attempts = 0  # delays handed out since the last reset
        self.started: float | None = None  # when the first failure of this sequence happened

    def reset(self) -> None:
        self.attempts = 0
        self.started = None

    @property
    def elapsed_s(self) -> float:
        return 0.0 if self.started is None else self.now() - self.started

    @property
    def give_up(self) -> bool:
        """The budget (if any) is spent."""
        return (
            self.budget_s is not None
            and self.started is not None
            and self.elapsed_s >= self.budget_s
        )

    def ceiling(self, attempt: int) -> float:
        return min(self.max_s, self.first_s * 2.0 ** min(attempt, 60))

    def delay(self) -> float:
        """The next delay in seconds (and counts it)."""
        if self.started is None:
            self.started = self.now()
        value = self.ceiling(self.attempts) * (0.5 + 0.5 * self.rng.random())
        self.attempts += 1
        if self.budget_s is not None:
            value = max(0.0, min(value, self.budget_s - self.elapsed_s))
        return value

    async def sleep(self, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> float:
        """Wait the next delay; returns it."""
        seconds = self.delay()
        await sleep(seconds)
        return seconds
