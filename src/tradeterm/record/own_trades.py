"""Seeking a plain replay's own trading: the recorded session's orders and fills as they were at
the target, back or forward.

The records of the session's own trading are its commands (``command``: an order it sent) and
its venue's answers (``order.*``: acks, fills, cancels...). ``OwnTradeRecords`` reads them once,
the first time a seek needs them (the topics of every block; the events of the blocks holding
some). ``OwnTradingSeek.jump`` hands the records up to the target to the session's own trading
(``OwnTrading``: the desk's OMS and portfolio, ``trading/recorded_trading.py``), the same call
that applies them as they are played, without the bus: forward, the records skipped from where
the replay stands; back, the trading is rewound to before the first record and every record
before the target applied again. So each fill is applied once, and the blotter, fills,
positions and PnL are those of playing the recording from its start to the target.
"""

from __future__ import annotations

import bisect
from typing import Any, Protocol

from tradeterm.record.journal import DamagedBlock, JournalReader
from tradeterm.record.replay_marks import ORDER_TOPIC

COMMAND_TOPIC = "command"  # the session's commands as recorded (``topics.COMMAND``)
CHECKPOINT_EVERY = 500  # own-trading records between two checkpoints of the own trading


class OwnTrading(Protocol):
    """The session's own trading as a replay shows it."""

    def apply(self, records: list[tuple[str, Any]], ts: int) -> None:
        """Recorded records of the session's own trading (topic, event), in order; the replay
        then stands at clock ``ts``."""

    def rewind(self, ts: int) -> None:
        """Back to before any order or fill, the clock at ``ts``."""

    def checkpoint(self, before: Any) -> Any:
        """Its state as it is (``before``: the last checkpoint, to share what did not change
        since), or None if it cannot be taken."""

    def restore(self, checkpoint: Any, ts: int) -> None:
        """Back to a ``checkpoint`` taken earlier (the records applied since are undone), the
        clock at ``ts``."""


def _own(topic: str) -> bool:
    return topic.startswith(ORDER_TOPIC) or topic == COMMAND_TOPIC


class OwnTradeRecords:
    """The recording's own-trading records (record number, topic, event), in file order."""

    def __init__(self, reader: JournalReader) -> None:
        self.reader = reader
        self._records: list[int] | None = None
        self._topics: list[str] = []
        self._events: list[Any] = []

    @property
    def records(self) -> list[int]:
        if self._records is None:
            self._records = self._scan()
        return self._records

    def _scan(self) -> list[int]:
        reader, records = self.reader, []
        for i in range(len(reader.index)):
            try:
                if not any(_own(t) for t in reader.block_topics(i)):
                    continue
                block = reader.read_block(i)
            except DamagedBlock:  # holds none that can be read
                continue
            first = int(reader.index.first_record[i])
            for k, topic in enumerate(block.topics):
                if _own(topic):
                    records.append(first + k)
                    self._topics.append(topic)
                    self._events.append(block.events[k])
        return records

    def before(self, record: int) -> int:
        """How many own-trading records come before record ``record`` (file order)."""
        return bisect.bisect_left(self.records, record)

    def between(self, first: int, end: int) -> list[tuple[str, Any]]:
        """(topic, event) of the own-trading records ``first .. end - 1``."""
        return self.nth(self.before(first), self.before(end))

    def nth(self, lo: int, hi: int) -> list[tuple[str, Any]]:
        """(topic, event) of the own-trading records numbered ``lo .. hi - 1`` among them."""
        if self._records is None:
            self._records = self._scan()
        return list(zip(self._topics[lo:hi], self._events[lo:hi]))


class OwnTradingSeek:
    def __init__(
        self, reader: JournalReader, trading: OwnTrading, every: int = CHECKPOINT_EVERY
    ) -> None:
        self.records = OwnTradeRecords(reader)
        self.trading = trading
        self.start_ns = reader.start_ns or 0
        self.every = every
        self.checkpoints: list[tuple[int, Any]] = []  # (own records before it, checkpoint)

    def jump(self, record: int, here: int, now: int) -> int:
        """Make the own trading what it was before ``record`` (file order), the replay standing
        before ``here`` and going to clock ``now``; returns how many records it applied."""
        records, every = self.records, self.every
        done, target = records.before(here), records.before(record)
        if record < here:
            done = self._back(target, now)
        applied = 0
        while True:
            stop = min(target, (done // every + 1) * every)
            todo = records.nth(done, stop)
            self.trading.apply(todo, now)
            applied, done = applied + len(todo), stop
            if done % every == 0 and done > self._last():
                self._take(done)
            if done >= target:
                return applied

    def _back(self, target: int, now: int) -> int:
        """To the latest checkpoint with at most ``target`` records before it (the ones after
        it are dropped: their store marks are undone), or to the start; -> its records."""
        ours = self.checkpoints
        i = bisect.bisect_right(ours, target, key=lambda c: c[0])
        del ours[i:]
        if not ours:
            self.trading.rewind(self.start_ns)
            return 0
        done, checkpoint = ours[-1]
        self.trading.restore(checkpoint, now)
        return done

    def _last(self) -> int:
        return self.checkpoints[-1][0] if self.checkpoints else 0

    def _take(self, done: int) -> None:
        before = self.checkpoints[-1][1] if self.checkpoints else None
        checkpoint = self.trading.checkpoint(before)
        if checkpoint is not None:
            self.checkpoints.append((done, checkpoint))
