"""The replayer: a recording plays the venue's part, on a simulated clock.

``ReplayVenue`` plugs into the kernel's venue slot. It reads the journal block by block and
publishes each record on the bus under its recorded topic, after moving the ``SimClock`` to the
record's time, so books, tape, views and the recorder cannot tell a replay from the session that
was recorded. Transport: speed 0.1x to 100x or as fast as possible, pause / resume, one step,
run to the next trade or own-order event, and seek forward to a time.

What is published:

* plain replay: every record. Recorded commands go out on ``replay.<topic>`` and recorded log
  lines on ``replay.log``, so nothing executes an old command again and the log pane can show
  the old lines beside the replay's own;
* ``market_only`` (``--paper``): only market data (book, trade, quote, venue status); the
  session trades against it through the paper fill model.

The venue refuses orders in a plain replay (``REPLAY_READ_ONLY``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.domain.events import OrderRejected
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Trade
from tradeterm.domain.orders import Order
from tradeterm.record.codec import DecodedBlock
from tradeterm.record.header import instrument_from_dict
from tradeterm.record.journal import JournalReader
from tradeterm.record.records import ReplayControl
from tradeterm.venues.base import Venue

log = logging.getLogger(__name__)

SPEEDS: tuple[float | None, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, None)
MIN_SPEED, MAX_SPEED = 0.1, 100.0
SLICE_S = 0.005  # longest stretch of publishing before giving the loop back
MAX_SLEEP_S = 0.05  # paced replays look at the transport at least this often
MARKET_PREFIXES = ("book.", "trade.", "quote.", "venue.")
REPLAY_PREFIX = "replay."


def replayed_topic(topic: str, market_only: bool) -> str | None:
    """The topic a recorded record is published under in a replay, or None (not published)."""
    if market_only:
        return topic if topic.startswith(MARKET_PREFIXES) else None
    if topic.startswith(topics.COMMAND) or topic == topics.LOG:
        return REPLAY_PREFIX + topic
    if topic.startswith(REPLAY_PREFIX + "span"):
        return None
    return topic


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
    clock_ns: int = 0
    message: str = ""
    version: int = 0

    def touch(self) -> None:
        self.version += 1

    @property
    def progress(self) -> float:
        return self.published / self.total if self.total else 1.0


class ReplayVenue(Venue):
    """A recording as the venue. Create with an open ``JournalReader`` and the kernel's bus and
    ``SimClock`` (starting at the recording's first time).

    A plain replay is read-only: it refuses orders (REPLAY_READ_ONLY) and, having no account,
    truthfully answers the OMS's reconciliation queries with nothing, so review starts ACTIVE
    rather than HALTED on an unanswerable query. ``--paper`` puts a paper venue in front."""

    keeps_state = False  # no account survives a replay

    def __init__(self, bus: MessageBus, clock: SimClock, reader: JournalReader,
                 speed: float | None = None, market_only: bool = False,
                 paused: bool = False) -> None:
        super().__init__(bus, clock)
        self.reader = reader
        self.name = str(reader.header.get("venue", "replay"))
        self._instruments = [instrument_from_dict(d) for d in reader.instruments]
        self.market_only = market_only
        self.state = ReplayState(str(reader.path), reader.start_ns or 0, reader.end_ns or 0,
                                 reader.records, speed, paused)
        self.state.clock_ns = clock.timestamp_ns()
        self.recorder: Any = None  # the session's recorder, told which source record is which
        self._wake = asyncio.Event()
        self._block: DecodedBlock | None = None
        self._topics: list[str | None] = []
        self._block_index = -1
        self._base = 0  # source index of the current block's first record
        self._pos = 0
        self._anchor: tuple[float, int] | None = None  # (wall, clock ns) of paced playback
        self._steps = 0  # records still to publish before pausing (step)
        self._until: Callable[[Any, str], bool] | None = None  # run until this matches
        self._seek_to: int | None = None
        self._hit = False
        self._topic_cache: dict[str, str | None] = {}
        bus.subscribe("order.*", self._on_order_event)

    def instruments(self) -> list[Instrument]:
        return list(self._instruments)

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

    # --- execution: none in a plain replay ---------------------------------------------------
    def submit_order(self, order: Order) -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(topics.orders(self.name), OrderRejected(
            now, now, order.client_order_id, order.instrument, "REPLAY_READ_ONLY",
            "a plain replay does not trade; replay with --paper to trade against it"))

    def cancel_order(self, order: Order) -> None:
        pass

    async def query_order(self, client_order_id: str, instrument: str) -> None:
        return None  # a plain replay never took an order

    async def open_orders(self, instrument: str | None = None) -> list:
        return []

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list:
        return []

    # --- the loop ----------------------------------------------------------------------------
    async def run(self) -> None:
        log.info("replaying %s (%d records, speed %s%s)", self.reader.path.name,
                 self.reader.records, speed_label(self.state.speed),
                 ", market data only" if self.market_only else "")
        while not self._stopping:
            if not self._ensure_block():
                break
            state = self.state
            if state.paused and not (self._steps or self._until or self._seek_to is not None):
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._seek_to is not None or self._until is not None or self._steps:
                self._run_controlled(time.perf_counter() + SLICE_S)
                await asyncio.sleep(0)
            elif state.speed is None:
                self._run_max(time.perf_counter() + SLICE_S)
                await asyncio.sleep(0)
            else:
                await self._run_paced(state.speed)
        self.state.done = True
        self.state.clock_ns = self.clock.timestamp_ns()
        self.state.message = "end of recording" if not self._stopping else "stopped"
        self.state.touch()
        if not self._stopping:
            log.info("replay finished: %d records", self.state.published)

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
        block = self.reader.read_block(i)
        self._block, self._block_index, self._pos = block, i, pos
        self._base = int(self.reader.index.first_record[i])
        cache = self._topic_cache
        distinct = set(block.topics)
        for t in distinct:
            if t not in cache:
                cache[t] = replayed_topic(t, self.market_only)
        if all(cache[t] == t for t in distinct):
            self._topics = block.topics  # type: ignore[assignment]
        else:
            self._topics = [cache[t] for t in block.topics]

    def _run_max(self, deadline: float) -> None:
        block = self._block
        assert block is not None
        times, events, pubtopics = block.times, block.events, self._topics
        advance, publish, perf = self.clock.advance_to, self.bus.publish, time.perf_counter  # type: ignore[attr-defined]
        rec = self.recorder
        base = self._base
        i, n = self._pos, len(events)
        now = self.clock.timestamp_ns()
        while i < n:
            topic = pubtopics[i]
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
            if not i & 255:
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
            if published and self._until is not None and (
                    self._hit or self._until(block.events[i], block.topics[i])):
                self._until, self._hit = None, False
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


def parse_time(text: str, start_ns: int) -> int:
    """``HH:MM[:SS[.fff]]`` on the recording's first day (UTC), ``+30s``/``+5m``/``+1h`` from its
    start, or an ISO date-time. Raises ValueError with the accepted forms."""
    t = text.strip()
    if t.startswith("+"):
        units = {"s": 1, "m": 60, "h": 3600}
        unit = t[-1] if t[-1] in units else "s"
        number = t[1:-1] if t[-1] in units else t[1:]
        return start_ns + int(float(number) * units[unit] * 1e9)
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
