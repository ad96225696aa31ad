"""Seeking a plain replay's own trading: the recorded session's orders and fills as they were at
the target, back or forward.

The records of the session's own trading are its commands (``command``: an order it sent) and
its venue's answers (``order.*``: acks, fills, cancels...). ``OwnTradeRecords`` numbers them
the first time a seek needs them (the topics of every block, no event built) and builds a
block's own events, only those (``block_pick.py``), when a seek first applies one of them.
``OwnTradingSeek.jump`` hands the records up to the target to the session's own trading
(``OwnTrading``: the desk's OMS and portfolio, ``trading/recorded_trading.py``), the same call
that applies them as they are played, without the bus: forward, the records skipped from where
the replay stands; back, the trading is rewound to before the first record and every record
before the target applied again. So each fill is applied once, and the blotter, fills,
positions and PnL are those of playing the recording from its start to the target.

Checkpoints of it (every ``every`` own records, in memory) and the recording's own-state frames
(``own_frame_file.py``: the state at each keyframe of a session that traded) shorten that: a seek
starts from whichever of them, the replay's place (forward), or the start (back), leaves fewest
records to apply. A frame is used only if its count of own records before it agrees with the
numbering here; restored, it starts a new chain of checkpoints at that count. The chain left
is kept (a few of them, the latest used: ``CHAINS``), so a seek back into it restores one of
its checkpoints, and a frame costs its restore (counted as ``RESUME_COST`` records) once.
"""

from __future__ import annotations

import bisect
import logging
from typing import Any, Protocol

from tradeterm.record.journal import DamagedBlock, JournalReader
from tradeterm.record.own_frame_file import OwnFrames, is_own

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 500  # own-trading records between two checkpoints
CHAINS = 16  # chains of checkpoints kept besides the one the trading is on
RESUME_COST = 1000  # a frame restored, as own records applied (~ 40 ms on a quoted session)


class OwnTrading(Protocol):
    """The session's own trading as a replay shows it."""

    def apply(self, records: list[tuple[str, Any]], ts: int) -> None:
        """Recorded records of the session's own trading (topic, event), in order; the replay
        then stands at clock ``ts``."""

    def rewind(self, ts: int) -> None:
        """Back to before any order or fill, the clock at ``ts``."""

    def checkpoint(self, before: Any) -> Any:
        """A new checkpoint of its state as it is, the one after ``before`` (the last, None for
        the first), or None if it cannot be taken."""

    def reached(self, checkpoint: Any) -> None:
        """The records applied since the checkpoint before ``checkpoint`` made it again."""

    def restore(self, checkpoint: Any, ts: int) -> None:
        """Back or forward to a ``checkpoint`` taken earlier, the clock at ``ts``."""

    def detach(self) -> Any:
        """Hand over the checkpoints taken so far (a chain of them), to ``attach`` later."""

    def attach(self, chain: Any) -> None:
        """The checkpoints ``detach`` handed over, instead of those taken since."""

    def resume(self, state: bytes, keys: list[bytes], ts: int) -> None:
        """The state of an own-state frame (``keys``: the trade-id keys of the frames up to
        it), the clock at ``ts``; raises ValueError, changing nothing, if it does not decode."""


class OwnTradeRecords:
    """The recording's own-trading records (record number, topic, event), in file order.

    The first time they are needed, every block's topics are read (no event built) to number
    the own records; a block's own events are built when a seek first needs one of them, and
    only those (``JournalReader.pick_block``), so a seek that starts from a frame of the own
    trading near its target (``own_frames.py``) builds only the records after it."""

    def __init__(self, reader: JournalReader) -> None:
        self.reader = reader
        self._records: list[int] | None = None
        self._blocks: list[int] = []  # the blocks holding own records, in order
        self._starts: list[int] = []  # own records before each of them
        self._built: dict[int, list[tuple[str, Any] | None]] = {}  # block -> its own records

    @property
    def records(self) -> list[int]:
        if self._records is None:
            self._records = self._scan()
        return self._records

    def _scan(self) -> list[int]:
        reader, records = self.reader, list[int]()
        for i in range(len(reader.index)):
            try:
                positions = reader.pick_block(i, is_own, events=False).positions
            except DamagedBlock:  # holds none that can be read
                continue
            if positions:
                first = int(reader.index.first_record[i])
                self._blocks.append(i)
                self._starts.append(len(records))
                records.extend(first + k for k in positions)
        return records

    def before(self, record: int) -> int:
        """How many own-trading records come before record ``record`` (file order)."""
        return bisect.bisect_left(self.records, record)

    def between(self, first: int, end: int) -> list[tuple[str, Any]]:
        """(topic, event) of the own-trading records ``first .. end - 1``."""
        return self.nth(self.before(first), self.before(end))

    def nth(self, lo: int, hi: int) -> list[tuple[str, Any]]:
        """(topic, event) of the own-trading records numbered ``lo .. hi - 1`` among them."""
        records = self.records
        hi = min(hi, len(records))
        out: list[tuple[str, Any]] = []
        b = bisect.bisect_right(self._starts, lo) - 1
        while lo < hi:
            start = self._starts[b]
            stop = self._starts[b + 1] if b + 1 < len(self._starts) else len(records)
            built = self._block(b)
            out.extend(r for r in built[lo - start : min(hi, stop) - start] if r is not None)
            lo, b = stop, b + 1
        return out

    def _block(self, b: int) -> list[tuple[str, Any] | None]:
        """The own records of the ``b``-th block holding some, built once. Those of a type
        this version cannot build are not numbered (a replay does not play them either); None
        for each of a block that passed its checksum and yet does not decode (numbered already,
        then skipped)."""
        built = self._built.get(b)
        if built is None:
            i = self._blocks[b]
            first = int(self.reader.index.first_record[i])
            stop = self._starts[b + 1] if b + 1 < len(self._starts) else len(self.records)
            numbers = self.records[self._starts[b] : stop]
            try:
                picked = self.reader.pick_block(i, is_own)
                got = {
                    first + k: (t, e)
                    for k, t, e in zip(picked.positions, picked.topics, picked.events)
                }
            except DamagedBlock:
                got = {}
            built = self._built[b] = [got.get(n) for n in numbers]
        return built


class OwnTradingSeek:
    def __init__(
        self, reader: JournalReader, trading: OwnTrading, every: int = CHECKPOINT_EVERY
    ) -> None:
        self.records = OwnTradeRecords(reader)
        self.frames = OwnFrames(reader)
        self.trading = trading
        self.start_ns = reader.start_ns or 0
        self.every = every
        # the chain of checkpoints the trading is on: from ``base`` own records (the start, or
        # the frame it was resumed from), one every ``every`` of them, in order, however the
        # trading got there (played or applied by a seek): (own records before it, checkpoint)
        self.base = 0
        self.checkpoints: list[tuple[int, Any]] = []
        # the others kept, the latest left last: base -> (its checkpoints, what ``detach`` gave)
        self.chains: dict[int, tuple[list[tuple[int, Any]], Any]] = {}
        self.done = 0  # own records the trading has (played or applied)
        self._usable: dict[int, bool] = {}  # frame -> its count agrees and it reads

    def played(self) -> None:
        """An own record is about to be played on the bus, after every one before it: the
        trading stands after ``done`` of them (a checkpoint is due every ``every``)."""
        if (self.done - self.base) % self.every == 0:
            self._passed(self.done)
        self.done += 1

    def jump(self, record: int, here: int, now: int) -> int:
        """Make the own trading what it was before ``record`` (file order), the replay standing
        before ``here`` and going to clock ``now``; returns how many records it applied: those
        after the nearest place at or before ``record`` it can start from (where the replay
        stands, a checkpoint of any chain kept, an own-state frame, the start)."""
        records, every = self.records, self.every
        done, target = records.before(here), records.before(record)
        while True:
            way = self._nearest(done, target)
            if way[0] == "frame":
                if not self._resume(way[1], now):
                    continue  # it does not read: the next nearest
                done = self.base
            elif way[0] == "checkpoint":
                base, i = way[1], way[2]
                if base != self.base:
                    self._switch(base)
                done = self.checkpoints[i][0]
                self.trading.restore(self.checkpoints[i][1], now)
            elif way[0] == "start":
                self._leave(0)
                self.trading.rewind(self.start_ns)
                done = 0
            break
        applied = 0
        while True:
            if (done - self.base) % every == 0:
                self._passed(done)
            stop = min(target, done + every - (done - self.base) % every)
            todo = records.nth(done, stop)
            self.trading.apply(todo, now)
            applied, done = applied + len(todo), stop
            if done >= target:
                self.done = done
                return applied

    def _nearest(self, done: int, target: int) -> tuple[str, int, int]:
        """Where to start from to reach ``target`` own records with the fewest applied: ("here",
        .), ("checkpoint", chain base, its number), ("frame", number, .) or ("start", .)."""
        ways: list[tuple[int, int, tuple[str, int, int]]] = []
        if done <= target:
            ways.append((target - done, 0, ("here", 0, 0)))
        chains = [(self.base, self.checkpoints), *((b, c[0]) for b, c in self.chains.items())]
        for rank, (base, ours) in enumerate(chains, 1):
            i = bisect.bisect_right(ours, target, key=lambda c: c[0]) - 1
            if i >= 0:
                ways.append((target - ours[i][0], rank, ("checkpoint", base, i)))
        frames = self.frames.frames
        k = bisect.bisect_right(frames, target, key=lambda f: f.own) - 1
        while k >= 0 and not self._fits(k):
            k -= 1
        if k >= 0:
            ways.append((target - frames[k].own + RESUME_COST, 1 << 20, ("frame", k, 0)))
        ways.append((target, 1 << 21, ("start", 0, 0)))
        return min(ways)[2]

    def _fits(self, k: int) -> bool:
        """Frame ``k`` may be resumed from: it reads, its count of own records before it is the
        numbering's, and no chain kept starts there (its checkpoints serve)."""
        frame = self.frames.frames[k]
        if frame.own == self.base or frame.own in self.chains:
            return False
        usable = self._usable.get(k)
        if usable is None:  # a record dropped as it was recorded, or one not built here
            usable = self._usable[k] = self.records.before(frame.record) == frame.own
        return usable

    def _resume(self, k: int, now: int) -> bool:
        """Resume from frame ``k``: a new chain of checkpoints starts there."""
        frames = self.frames
        try:
            state, keys = frames.state(k), frames.keys(k)
        except (ValueError, OSError) as exc:
            log.warning("own-state frame %d not used (%s)", k, exc)
            self._usable[k] = False
            return False
        self._leave(frames.frames[k].own)
        try:
            self.trading.resume(state, keys, now)
        except ValueError as exc:  # nothing changed: from the start instead
            log.warning("own-state frame %d not used (%s)", k, exc)
            self._usable[k] = False
            self.trading.rewind(self.start_ns)
            self.base = 0
        return True

    def _leave(self, base: int) -> None:
        """The chain the trading is on is kept (the oldest beyond ``CHAINS`` dropped); a new
        one starts at ``base`` own records."""
        if self.checkpoints:
            self.chains.pop(self.base, None)
            self.chains[self.base] = (self.checkpoints, self.trading.detach())
            while len(self.chains) > CHAINS:
                del self.chains[next(iter(self.chains))]
        self.base, self.checkpoints = base, []

    def _switch(self, base: int) -> None:
        """Onto the chain kept from ``base`` own records (``restore`` one of its checkpoints
        next)."""
        ours, held = self.chains.pop(base)
        self._leave(base)
        self.trading.attach(held)
        self.checkpoints = ours

    def _passed(self, done: int) -> None:
        """The trading stands after ``done`` own records, ``base`` and a multiple of
        ``every`` more: the checkpoint there is taken, or, taken before, it is where the
        trading stands again."""
        ours, number = self.checkpoints, (done - self.base) // self.every
        if number < len(ours):
            self.trading.reached(ours[number][1])
        elif number == len(ours):
            before = ours[-1][1] if ours else None
            checkpoint = self.trading.checkpoint(before)
            if checkpoint is not None:
                ours.append((done, checkpoint))
