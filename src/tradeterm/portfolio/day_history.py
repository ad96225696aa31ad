"""Today's reference points as they were at any earlier moment of a replay.

A replay that goes back (a seek in a plain replay, a ``--paper`` rewind) rebuilds the positions
by applying the fills before the target again, with the market of the target under them: the
equity between two of those fills is one the run never had, and today's peak must not take it.
``DayHistory`` keeps each change of the day's reference points (a new day, a higher peak) with
its time, so the peak and the day's start at the target are the run's own; the figures of the
rebuild then move nothing until it is over. Kept only where a replay can go back: a live
session's peak rises for as long as it runs.
"""

from __future__ import annotations

import bisect
from decimal import Decimal
from typing import NamedTuple


class DayPoint(NamedTuple):
    ts: int
    day: int  # days since the epoch
    start_equity: Decimal
    peak_equity: Decimal


class DayHistory:
    def __init__(self) -> None:
        self._points: list[DayPoint] = []
        self._times: list[int] = []

    def note(self, ts: int, day: int, start_equity: Decimal, peak_equity: Decimal) -> None:
        """The reference points changed at ``ts`` (a point of a later time is gone: a
        replay went back before it)."""
        while self._times and self._times[-1] > ts:
            self._times.pop()
            self._points.pop()
        self._points.append(DayPoint(ts, day, start_equity, peak_equity))
        self._times.append(ts)

    def at(self, ts: int) -> DayPoint | None:
        """The reference points in force at ``ts`` (None before the first); the points after
        it are forgotten: the replay goes on from there."""
        n = bisect.bisect_right(self._times, ts)
        del self._points[n:], self._times[n:]
        return self._points[-1] if n else None
