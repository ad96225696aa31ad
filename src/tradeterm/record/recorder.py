"""The recorder: every message on the bus, in sequence order, into the session's journal.

It subscribes to ``*`` and keeps each message with its sequence number (``bus.seq``), its topic
and the clock time it was delivered at; the messages carry their own ``ts_event``/``ts_recv``.
Buffered messages are written as one block when the clock crosses the next 250 ms boundary (a
fixed grid, so a seeded simulated run cuts the same blocks every time), when a block is full, and,
when ``wall_flush`` is on, by a watchdog as soon as the oldest buffered message is 250 ms old in
wall time (live sessions, and replays that are paused or slow). Without ``wall_flush`` (runs on a
simulated clock at full speed, where the data moves the clock) only the data decides, so the
same input gives the same bytes; there a block also waits for at least 2,048 records, since
250 ms of simulated time pass in a fraction of that on the wall.

Every ``keyframe_ns`` of the clock (``record.keyframe_interval_s``) the recorder, given the
session's ``market`` (the keeper of books and tape), cuts the block and writes a keyframe of the
market after the message just recorded (``keyframes.py``; a full one, or a delta of the last
full one: ``keyframe_delta.py``), so a replay can seek anywhere. The
keeper subscribes to the bus before the recorder, so it has applied that message already.
Given ``own`` too (a session that trades: ``trading/own_frames.py``), it hands it each own
record it records and writes after each keyframe the own trading's state there
(``own_frame_file.py``); should that ever fail, it writes no more of them and says so once.

In a replay the recorded market data is not written again: the replayer announces each source
record it publishes (``source_pending``/``source_index``) and the recorder notes runs of them as
``ReplaySpan`` records, so the output journal holds what the session added plus where the replayed
data sat in the sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.record.journal_writer import JournalWriter
from tradeterm.record.keyframe_delta import FULL_EVERY, KeyframeEncoder
from tradeterm.record.own_frame_file import OwnFrameSource, is_own, pack_own_frame
from tradeterm.record.records import ReplaySpan

if TYPE_CHECKING:
    from tradeterm.book.keeper import MarketDataKeeper

log = logging.getLogger(__name__)

FLUSH_NS = 250_000_000
BLOCK_RECORDS = 16_384
SOURCE_CHECK_EVERY = 1024  # in a replay, look at the clock every this many source records
SPAN_TOPIC = "replay.span"
DETERMINISTIC_MIN_BLOCK = 2048
NEVER = 1 << 62


class Recorder:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        path: Path,
        flush_ns: int = FLUSH_NS,
        block_records: int = BLOCK_RECORDS,
        level: int = 3,
        wall_flush: bool = True,
        fsync_seconds: float = 5.0,
        market: MarketDataKeeper | None = None,
        keyframe_ns: int = 0,
        keyframe_full_every: int = FULL_EVERY,
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.path = path
        self.flush_ns = flush_ns
        self.block_records = block_records
        self.level = level
        self.wall_flush = wall_flush
        # on a simulated clock the data runs far ahead of the wall: cut blocks of a useful size
        self._min_block = 1 if wall_flush else DETERMINISTIC_MIN_BLOCK
        self.fsync_seconds = fsync_seconds
        self.market = market if keyframe_ns > 0 else None  # None: no keyframes (a replay's)
        self.keyframe_ns = keyframe_ns
        self._keyframe_due = NEVER
        self._keyframes = KeyframeEncoder(keyframe_full_every)  # full ones, deltas between
        # the session's own trading, for own-state frames after the keyframes (None: none)
        self.own: OwnFrameSource | None = None
        self.writer: JournalWriter | None = None
        self._seqs: list[int] = []
        self._recs: list[int] = []
        self._topics: list[str] = []
        self._msgs: list[Any] = []
        self._deadline = 0
        self._first_wall = 0.0
        self._watchdog: asyncio.Task[None] | None = None
        self.blocks = 0
        self.failed: str | None = None
        # replay: the replayer sets these right before publishing a source record
        self.source_pending: Any = None
        self.source_index = 0
        self._span: list[int] | None = None  # [first index, end index, published, seq, ts]
        self._source_count = 0
        bus.subscribe("*", self.on_message, essential=False)  # a journal error stops no trade

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, header: dict[str, Any]) -> None:
        """Create the journal and write its header. Raises OSError if it cannot be created."""
        self.writer = JournalWriter(self.path, header, level=self.level)
        now = self.clock.timestamp_ns()
        self._deadline = self._next_boundary(now)
        if self.market is not None:
            self._keyframe_due = (now // self.keyframe_ns + 1) * self.keyframe_ns
        with contextlib.suppress(RuntimeError):  # no running loop: flushes are event-driven
            self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    def close(self, summary: dict[str, Any] | None = None) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self.writer is None or self.writer.closed:
            return
        self.flush()
        dropped = self.writer.unrecordable
        if dropped:
            log.warning(
                "not recorded (no journal encoding): %s",
                ", ".join(f"{n} x{c}" for n, c in dropped.items()),
            )
        self.writer.close({**(summary or {}), "unrecordable": dict(dropped)})

    @property
    def records(self) -> int:
        return self.writer.records if self.writer is not None else 0

    # --- the hot path ----------------------------------------------------------------------
    def on_message(self, msg: Any) -> None:
        if msg is self.source_pending:  # a replayed record: the span grows (``_on_source``)
            self.source_pending = None
            span = self._span
            if span is not None:
                span[1] = self.source_index + 1
                span[2] += 1
                self._source_count += 1
                if not self._source_count % SOURCE_CHECK_EVERY:
                    self._look_at_clock()
            else:
                self._on_source()
            return
        if self._span is not None:
            self._close_span()
        now = self.clock.timestamp_ns()
        size = len(self._msgs)
        if (now >= self._deadline and size >= self._min_block) or size >= self.block_records:
            self.flush(now)  # swaps in fresh buffers
        if not self._msgs:
            self._first_wall = time.monotonic()
        bus = self.bus
        self._seqs.append(bus.seq)
        self._topics.append(bus.topic)
        self._recs.append(now)
        self._msgs.append(msg)
        own = self.own
        if own is not None and is_own(bus.topic):
            self._take_own(own, bus.topic, msg)
        if now >= self._keyframe_due:
            self._keyframe(now)

    def _keyframe(self, now: int) -> None:
        """Cut the block here and write the market's state after it."""
        self._keyframe_due = (now // self.keyframe_ns + 1) * self.keyframe_ns
        self.flush(now)
        writer, market = self.writer, self.market
        if writer is None or market is None or self.failed:
            return
        try:
            writer.append_keyframe(self._keyframes.encode(market, writer.records, now), now)
            if self.own is not None:
                self._own_frame(self.own, writer, now)
        except OSError as exc:
            self.failed = f"recording stopped: cannot write {self.path}: {exc.strerror or exc}"
            log.error(self.failed)

    def _take_own(self, own: OwnFrameSource, topic: str, msg: Any) -> None:
        try:
            own.take(topic, msg)
        except Exception:  # a journal aid: it never stops the session nor its recording
            self._no_own_frames()

    def _own_frame(self, own: OwnFrameSource, writer: JournalWriter, now: int) -> None:
        """The own trading's state after the keyframe just written, right after it."""
        try:
            count, keys, state = own.frame()
        except Exception:
            self._no_own_frames()
            return
        writer.append_own_frame(pack_own_frame(writer.records, count, keys, state), now)

    def _no_own_frames(self) -> None:
        log.exception("own-state frames stopped (a replay seeks from the frames before)")
        self.own = None

    def _on_source(self) -> None:
        """The first source record after a message of the session's own: a new span."""
        idx = self.source_index
        if not self._msgs:
            self._first_wall = time.monotonic()
        self._span = [idx, idx + 1, 1, self.bus.seq, self.clock.timestamp_ns()]
        self._source_count += 1
        if not self._source_count % SOURCE_CHECK_EVERY:
            self._look_at_clock()

    def _look_at_clock(self) -> None:
        """Every ``SOURCE_CHECK_EVERY`` source records: cut the block if its time has come."""
        now = self.clock.timestamp_ns()
        if now >= self._deadline and len(self._msgs) >= self._min_block:
            self.flush(now)

    @property
    def source_room(self) -> int:
        """Source records until the next look at the clock (``note_sources`` takes at most
        this many at once)."""
        return SOURCE_CHECK_EVERY - self._source_count % SOURCE_CHECK_EVERY

    def note_sources(self, first: int, last: int, published: int, seq: int, ts: int) -> None:
        """A run of ``published`` source records from ``first`` to ``last`` (source indices)
        that reached no one else, noted as if each had come on the bus: the first with bus
        sequence number ``seq`` at clock ``ts``, the clock now at the last's time. At most
        ``source_room`` records, so the look at the clock falls on the last, as one by one."""
        self.source_index = last
        span = self._span
        if span is not None:
            span[1] = last + 1
            span[2] += published
        else:
            if not self._msgs:
                self._first_wall = time.monotonic()
            self._span = [first, last + 1, published, seq, ts]
        self._source_count += published
        if not self._source_count % SOURCE_CHECK_EVERY:
            self._look_at_clock()

    def source_break(self) -> None:
        """The replayer jumped (seek): the next source record starts a new span."""
        if self._span is not None:
            self._close_span()

    def _close_span(self) -> None:
        first, end, published, seq, ts = self._span  # type: ignore[misc]
        self._span = None
        self._seqs.append(seq)
        self._topics.append(SPAN_TOPIC)
        self._recs.append(ts)
        self._msgs.append(ReplaySpan(first, end - first, published, ts))

    # --- flushing --------------------------------------------------------------------------
    def _next_boundary(self, now: int) -> int:
        return (now // self.flush_ns + 1) * self.flush_ns

    def flush(self, now: int | None = None) -> None:
        """Write what is buffered as one block (at once, whatever the clock says)."""
        if self._span is not None:
            self._close_span()
        if now is not None:
            self._deadline = self._next_boundary(now)
        if not self._msgs or self.writer is None or self.failed:
            return
        seqs, recs, topics, msgs = self._seqs, self._recs, self._topics, self._msgs
        self._seqs, self._recs, self._topics, self._msgs = [], [], [], []
        try:
            self.writer.write_block(seqs, recs, topics, msgs)
            self.blocks += 1
        except OSError as exc:  # disk full, removed medium: say so once, keep trading
            self.failed = f"recording stopped: cannot write {self.path}: {exc.strerror or exc}"
            log.error(self.failed)

    async def _watch(self) -> None:
        """Flush a buffer that waited 250 ms (wall) when no message came to push it out."""
        last_fsync = time.monotonic()
        tick = self.flush_ns / 1e9 / 2.5
        while True:
            await asyncio.sleep(tick)
            now_wall = time.monotonic()
            if self.wall_flush and (self._msgs or self._span is not None):
                clock_now = self.clock.timestamp_ns()
                if clock_now >= self._deadline:
                    self.flush(clock_now)
                elif now_wall - self._first_wall >= self.flush_ns / 1e9:
                    self.flush()
            if self.fsync_seconds and now_wall - last_fsync >= self.fsync_seconds:
                last_fsync = now_wall
                writer = self.writer
                if writer is not None and not writer.closed and not self.failed:
                    with contextlib.suppress(OSError, ValueError):
                        await asyncio.to_thread(writer.fsync)
