"""The replayer: a recording plays the venue's part, on a simulated clock.

``ReplayVenue`` is the session's venue (the registry's ``replay``). It reads the journal block
by block and publishes each record on the bus under its recorded topic, after moving the
``SimClock`` to the record's time, so books, tape, views and the recorder cannot tell a replay
from the session that was recorded. Transport: speed 0.1x to 100x or as fast as possible, pause
/ resume, one step, run to the next trade or own-order event (``replay_marks.py`` finds them),
and seek back or forward to a time (``replay_transport.py``, ``replay_seek.py``; times as
``replay_time.py`` reads them).

What is published:

* plain replay: every record. Recorded commands go out on ``replay.<topic>`` and recorded log
  lines on ``replay.log``, so nothing executes an old command again and the log pane can show
  the old lines beside the replay's own;
* ``market_only`` (``--paper``): only market data (book, trade, quote, venue status); the
  session trades against it through the paper fill model.

The venue refuses orders in a plain replay (``REPLAY_READ_ONLY``).

A damaged block: with a reader that skips damaged blocks (``--skip-damaged``) the replay goes on
with the next block, counting the records lost in ``ReplayState.lost`` and saying so in the log
and the transport message; otherwise the replay stops there and ``failure`` says why (the CLI
checks every block's checksum before starting, so this is a block that passed it yet does not
decode).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.domain.events import OrderFilled, OrderRejected
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.record.codec import DecodedBlock
from tradeterm.record.header import instrument_from_dict
from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.own_trades import OwnTrading, OwnTradingSeek
from tradeterm.record.replay_marks import OrderEvents
from tradeterm.record.replay_navigation import ReplayNavigator
from tradeterm.record.replay_seek import MarketSeek
from tradeterm.record.replay_state import ReplayState, speed_label
from tradeterm.record.replay_topics import ReplayTopics
from tradeterm.record.replay_transport import ReplayTransport
from tradeterm.venues.base import Venue

log = logging.getLogger(__name__)

SLICE_S = 0.005  # longest stretch of publishing before giving the loop back
MAX_SLEEP_S = 0.05  # paced replays look at the transport at least this often


class ReplayVenue(ReplayTransport, Venue):
    """A recording as the venue. Create with an open ``JournalReader`` and the kernel's bus and
    ``SimClock`` (starting at the recording's first time).

    A plain replay is read-only: it refuses orders (REPLAY_READ_ONLY) and, having no account,
    truthfully answers the OMS's reconciliation queries with nothing, so review starts ACTIVE
    rather than HALTED on an unanswerable query. ``--paper`` puts paper execution on top."""

    keeps_state = False  # no account survives a replay

    def __init__(
        self,
        bus: MessageBus,
        clock: SimClock,
        reader: JournalReader,
        speed: float | None = None,
        market_only: bool = False,
        paused: bool = False,
    ) -> None:
        super().__init__(bus, clock)
        self.reader = reader
        self.name = str(reader.header.get("venue", "replay"))
        self._instruments = [instrument_from_dict(d) for d in reader.instruments]
        self.market_only = market_only
        self.state = ReplayState(
            str(reader.path),
            reader.start_ns or 0,
            reader.end_ns or 0,
            reader.records,
            speed,
            paused,
        )
        self.state.clock_ns = clock.timestamp_ns()
        self.recorder: Any = None  # the session's recorder, told which source record is which
        self._wake = asyncio.Event()
        self.reopened = asyncio.Event()  # a seek at the end: played again (replay_review.py)
        self._block: DecodedBlock | None = None
        self._topics: Sequence[str | None] = []
        self._block_index = -1
        self._base = 0  # source index of the current block's first record
        self._pos = 0
        self._anchor: tuple[float, int] | None = None  # (wall, clock ns) of paced playback
        self._steps = 0  # records still to publish before pausing (step)
        self._until: Callable[[Any, str], bool] | None = None  # run until this matches
        self._seek_to: int | None = None
        self._to_record: int | None = None  # play through this record (next order event)
        self._hit = False
        self.order_events = OrderEvents(reader)
        self.seeker: MarketSeek | None = None  # set by ``attach_market``: seeks back too
        self.own: OwnTradingSeek | None = None  # set by ``attach_own_trading`` (plain replay)
        self.navigator: ReplayNavigator | None = None  # fills, orders, large trades, bookmarks
        # --paper: how many of the session's orders are working (the kernel tells)
        self.working_orders: Callable[[], int] = lambda: 0
        self._published = ReplayTopics(bus, clock, market_only)
        self.failure: JournalError | None = None  # why the replay stopped before the end
        bus.subscribe("order.*", self._on_order_event)

    def instruments(self) -> list[Instrument]:
        return list(self._instruments)

    def attach_market(self, market: MarketDataKeeper) -> None:
        """The session's keeper of books and tape: seeks restore it from keyframes."""
        self.seeker = MarketSeek(self.reader, market)

    def attach_own_trading(self, trading: OwnTrading) -> None:
        """The session's own trading (a plain replay): seeks rebuild it from the recording."""
        self.own = OwnTradingSeek(self.reader, trading)

    def _place(self, record: int) -> None:
        """Play on from record ``record`` (a seek put the market there)."""
        i, pos = self.reader.locate(record)
        self._load(i, pos)

    # --- execution: none in a plain replay ---------------------------------------------------
    def submit_order(self, order: Order) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            topics.orders(self.name),
            OrderRejected(
                now,
                now,
                order.client_order_id,
                order.instrument,
                "REPLAY_READ_ONLY",
                "replay with --paper to trade",
            ),
        )

    def cancel_order(self, order: Order) -> None:
        pass

    async def query_order(self, client_order_id: str, instrument: str) -> None:
        return None  # a plain replay never took an order

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        return []

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        return []

    # --- the loop ----------------------------------------------------------------------------
    def stop(self) -> None:
        super().stop()
        self._wake.set()  # a paused replay waits for a key: wake it, so that it returns now

    async def run(self) -> None:
        log.info(
            "replaying %s (%d records, speed %s%s)",
            self.reader.path.name,
            self.reader.records,
            speed_label(self.state.speed),
            ", market data only" if self.market_only else "",
        )
        while not self._stopping:
            try:
                if not self._ensure_block():
                    break
            except JournalError as exc:
                self.failure = exc
                log.error("replay stopped: %s (replay with --skip-damaged to skip it)", exc)
                break
            state = self.state
            goal = (
                self._steps
                or self._until is not None
                or self._seek_to is not None
                or self._to_record is not None
            )
            if state.paused and not goal:
                self._wake.clear()
                await self._wake.wait()
                continue
            if goal:
                self._run_controlled(time.perf_counter() + SLICE_S)
                await asyncio.sleep(0)
            elif state.speed is None:
                self._run_max(time.perf_counter() + SLICE_S)
                await asyncio.sleep(0)
            else:
                await self._run_paced(state.speed)
        self.state.done = True
        self.state.clock_ns = self.clock.timestamp_ns()
        looking = self._until is not None or self._to_record is not None
        self.state.message = (
            "stopped: damaged block"
            if self.failure
            else "stopped"
            if self._stopping
            else "end of recording: not found before it"
            if looking
            else "end of recording"
        )
        self.state.touch()
        if not self._stopping:
            log.info("replay finished: %d records", self.state.published)

    @property
    def position(self) -> int:
        """The number of the next record to play (0-based, file order)."""
        if self._block is None and self._block_index >= 0:  # a damaged block was skipped
            index = self.reader.index
            return int(index.first_record[self._block_index] + index.records[self._block_index])
        return self._base + self._pos

    @property
    def standing(self) -> int:
        """The record the replay stands before, exact while it publishes (``position`` moves
        per batch at full speed): the recorder, or its stand-in, is told each one published."""
        rec = self.recorder
        return rec.source_index + 1 if rec is not None else self.position

    def _ensure_block(self) -> bool:
        block = self._block
        while block is None or self._pos >= len(block):
            nxt = self._block_index + 1
            if nxt >= len(self.reader.index):
                return False
            self._load(nxt, 0)
            block = self._block
        return True

    def _load(self, i: int, pos: int) -> None:
        block = self.reader.readable_block(i)
        if block is None:  # damaged, and the trader asked to skip it
            self._skipped(i)
            return
        self._block, self._block_index, self._pos = block, i, pos
        self._base = int(self.reader.index.first_record[i])
        self._topics = self._published.published(block.topics)

    def _skipped(self, i: int) -> None:
        records = int(self.reader.index.records[i])
        state = self.state
        state.lost += records
        state.message = f"skipped damaged block {i}: {state.lost:,} records lost so far"
        state.touch()
        log.warning(
            "skipped damaged block %d of %s: %d records lost", i, self.reader.path.name, records
        )
        self._block, self._block_index, self._pos = None, i, 0

    def _run_max(self, deadline: float) -> None:
        block = self._block
        assert block is not None
        times, events, pubtopics = block.times, block.events, self._topics
        advance, publish, perf = self.clock.advance_to, self.bus.publish, time.perf_counter  # type: ignore[attr-defined]
        rec = self.recorder
        quiet, note_quiet = self._published.quiet(rec), self._published.note_quiet
        base = self._base
        i, n = self._pos, len(events)
        now = self.clock.timestamp_ns()
        check = i + 256
        while i < n:
            topic = pubtopics[i]
            if topic in quiet:
                j = note_quiet(times, pubtopics, i, now, base, rec)
                if j > i:
                    i, now = j, self.clock.timestamp_ns()
                    if i >= check:
                        check = i + 256
                        if perf() > deadline or self._stopping:
                            break
                    continue
            ts = times[i]
            if ts > now:
                advance(ts)
                now = ts
            if topic is not None:
                ev = events[i]
                if rec is not None:
                    rec.source_pending = ev
                    rec.source_index = base + i
                publish(topic, ev)
            i += 1
            if i >= check:
                check = i + 256
                if perf() > deadline or self._stopping:
                    break
        self.state.published += i - self._pos
        self._pos = i
        self._tick()

    def _run_controlled(self, deadline: float) -> None:
        """Step, run-until or seek: record by record, checking the goal after each."""
        block = self._block
        assert block is not None
        while self._pos < len(block.events):
            i = self._pos
            ts = block.times[i]
            if self._seek_to is not None and ts >= self._seek_to:
                self._seek_to = None
                self.state.message = "at seek target"
                break
            published = self._publish_one(i)
            if published and self._steps:
                self._steps -= 1
                if not self._steps:
                    break
            if (
                published
                and self._until is not None
                and (self._hit or self._until(block.events[i], block.topics[i]))
            ):
                self._until, self._hit = None, False
                self.state.message = "found"
                break
            if self._to_record is not None and self._base + i >= self._to_record:
                self._to_record = None
                self.state.message = "found"
                break
            if time.perf_counter() > deadline or self._stopping:
                self._tick()
                return
        self._tick()

    def _publish_one(self, i: int) -> bool:
        block = self._block
        assert block is not None
        ts = block.times[i]
        if ts > self.clock.timestamp_ns():
            self.clock.advance_to(ts)  # type: ignore[attr-defined]
        topic = self._topics[i]
        self._pos = i + 1
        self.state.published += 1
        if topic is None:
            return False
        ev = block.events[i]
        rec = self.recorder
        if rec is not None:
            rec.source_pending = ev
            rec.source_index = self._base + i
        self.bus.publish(topic, ev)
        return True

    async def _run_paced(self, speed: float) -> None:
        block = self._block
        assert block is not None
        now_wall = time.perf_counter()
        if self._anchor is None:
            self._anchor = (now_wall, self.clock.timestamp_ns())
        wall0, ts0 = self._anchor
        deadline = now_wall + SLICE_S
        while self._pos < len(block.events):
            due = wall0 + (block.times[self._pos] - ts0) / NS / speed
            now_wall = time.perf_counter()
            if due > now_wall:
                # move the clock with the wall while waiting, so timers and the header keep time
                target = ts0 + int((now_wall - wall0) * speed * NS)
                if target > self.clock.timestamp_ns():
                    self.clock.advance_to(target)  # type: ignore[attr-defined]
                self._tick()
                await asyncio.sleep(min(due - now_wall, MAX_SLEEP_S))
                return
            self._publish_one(self._pos)
            if now_wall > deadline or self._stopping:
                break
        self._tick()
        await asyncio.sleep(0)

    def _tick(self) -> None:
        state = self.state
        state.clock_ns = self.clock.timestamp_ns()
        state.touch()
