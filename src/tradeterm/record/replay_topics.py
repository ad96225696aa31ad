"""What a recorded record is published under in a replay, and which of those topics only the
session's recorder reads.

Most records of a real recording are top-of-book quotes that nothing but the recorder reads
(the books take depth, the tape trades). The replayer notes runs of those in bulk
(``Recorder.note_sources``) instead of a bus delivery and a clock step each: the bus counts them
(``MessageBus.pass_over``), so sequence numbers, spans and everything the other subscribers see
stay what one by one would give. Which topics are quiet is asked of the bus again whenever its
subscriptions change (``MessageBus.generation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import SimClock
from tradeterm.record.replay_state import REPLAY_PREFIX

MARKET_PREFIXES = ("book.", "trade.", "quote.", "venue.")
NEVER = 1 << 62  # no timer due


def replayed_topic(topic: str, market_only: bool) -> str | None:
    """The topic a recorded record is published under in a replay, or None (not published)."""
    if market_only:
        return topic if topic.startswith(MARKET_PREFIXES) else None
    if topic.startswith(topics.COMMAND) or topic == topics.LOG:
        return REPLAY_PREFIX + topic
    if topic.startswith(REPLAY_PREFIX + "span"):
        return None
    return topic


class ReplayTopics:
    """The published topics of a replay's blocks, and the quiet ones among them."""

    def __init__(self, bus: MessageBus, clock: SimClock, market_only: bool) -> None:
        self.bus = bus
        self.clock = clock
        self.market_only = market_only
        self._cache: dict[str, str | None] = {}
        self._generation = -1
        self._listener: Any = None
        self._quiet: frozenset[str] = frozenset()

    def published(self, recorded: Sequence[str]) -> Sequence[str | None]:
        """The topic each record of a block goes out under (None: not published)."""
        cache = self._cache
        distinct = set(recorded)
        for t in distinct:
            if t not in cache:
                cache[t] = replayed_topic(t, self.market_only)
                self._generation = -1  # a new topic: ask again who reads it
        if all(cache[t] == t for t in distinct):
            return recorded
        return [cache[t] for t in recorded]

    def quiet(self, recorder: Any) -> frozenset[str]:
        """The published topics that no one but ``recorder`` reads (none, without a
        ``note_sources``): their records can be noted in bulk."""
        bus = self.bus
        if bus.generation == self._generation and recorder is self._listener:
            return self._quiet
        self._generation, self._listener = bus.generation, recorder
        if recorder is None or not hasattr(recorder, "note_sources"):
            self._quiet = frozenset()
            return self._quiet
        alone = (getattr(recorder, "on_message", None),)
        self._quiet = frozenset(
            t
            for t in set(self._cache.values())
            if t is not None and bus.handlers_for(t) in ((), alone)
        )
        return self._quiet

    def note_quiet(
        self,
        times: Sequence[int],
        published: Sequence[str | None],
        i: int,
        now: int,
        base: int,
        recorder: Any,
    ) -> int:
        """Records from ``i`` of a block (its first is source record ``base``; the clock at
        ``now``) on topics only ``recorder`` reads, up to a timer's due time or the recorder's
        next look at the clock, noted in one go: the clock moved to the last one's time, the bus
        counting them. None if record ``i`` is not one of them. -> the next record."""
        quiet = self.quiet(recorder)
        clock, bus = self.clock, self.bus
        due = clock.next_due_ns()
        if due is None:
            due = NEVER
        end = min(len(times), i + recorder.source_room)
        j, last = i, now
        while j < end:
            ts = times[j]
            if ts >= due or published[j] not in quiet:
                break
            if ts > last:
                last = ts
            j += 1
        if j > i:
            if last > now:
                clock.advance_to(last)  # no timer is due on the way
            seq = bus.seq + 1
            bus.pass_over(published[j - 1], j - i)  # type: ignore[arg-type]
            recorder.note_sources(base + i, base + j - 1, j - i, seq, max(now, times[i]))
        return j
