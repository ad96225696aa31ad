"""The replay transport: speed, pause / resume, step, run-until (next trade, next order event)
and seek (part of ``ReplayVenue``), and the transport state the UI shows. The time forms a seek
accepts are in ``replay_time.py``.

A seek goes back or forward at once when the replay has its market (``MarketSeek``: the kernel
gives it the keeper of books and tape): the market is restored from the nearest keyframe and
played on to the target silently. With ``--paper`` (the session trades against the market) a
seek forward plays on the bus, so the fill model and the quoter see every record; a seek back
jumps like a plain replay's and rebuilds the session's paper trading as it was at the target
(``paper_branch.py``): when that discards paper orders or fills made after the target it is
refused until the caller says ``discard=True`` (the TUI asks first: ``offer``), and the run's
journal gets a ``ReplayBranch`` record marking the discarded ones.

Every transport change is published as a ``ReplayControl`` on ``replay.control`` so the replay's
own journal records what the user did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock, SimClock
from tradeterm.domain.market import Trade
from tradeterm.record.own_trades import OwnTradingSeek
from tradeterm.record.paper_branch import BRANCH_TOPIC, PaperHistory, PaperTrading, branch_record
from tradeterm.record.records import ReplayControl
from tradeterm.record.replay_marks import OrderEvents
from tradeterm.record.replay_seek import MarketSeek
from tradeterm.record.replay_state import (
    MAX_SPEED,
    MIN_SPEED,
    REPLAY_PREFIX,
    SPEEDS,
    ReplayState,
    speed_label,
)
from tradeterm.record.replay_time import say_time


@dataclass(frozen=True)
class BranchOffer:
    """A seek back held until the trader agrees to discard the paper trades after it."""

    question: str
    go: Callable[[], bool]  # the same seek with discard=True
    summary: str = ""  # what it did, said once it has gone


class ReplayTransport:
    """The transport controls of ``ReplayVenue`` (called by the UI or the CLI); the venue's
    loop reads the goals they set."""

    # provided by ReplayVenue
    bus: MessageBus
    clock: Clock
    state: ReplayState
    _wake: asyncio.Event
    reopened: asyncio.Event  # a seek at the end: the replay plays again (``replay_review.py``)
    _anchor: tuple[float, int] | None
    _steps: int
    _until: Callable[[Any, str], bool] | None
    _seek_to: int | None
    _to_record: int | None
    _hit: bool
    order_events: OrderEvents
    market_only: bool
    working_orders: Callable[[], int]
    seeker: MarketSeek | None
    own: OwnTradingSeek | None
    recorder: Any
    paper: PaperTrading | None = None  # --paper: the session's paper trading, rebuilt going back
    paper_history: PaperHistory | None = None
    offer: BranchOffer | None = None  # a seek back waiting for a yes (``take_offer``)

    def _place(self, record: int) -> None:  # provided by ReplayVenue
        raise NotImplementedError

    @property
    def position(self) -> int:  # provided by ReplayVenue
        raise NotImplementedError

    @property
    def standing(self) -> int:  # provided by ReplayVenue
        raise NotImplementedError

    def attach_paper_trading(self, trading: PaperTrading, venues: list[str]) -> None:
        """The session's paper trading (``--paper``): a seek back rebuilds it at the target."""
        self.paper = trading
        self.paper_history = PaperHistory(self.bus, self.clock, venues, lambda: self.standing)

    @property
    def now_ns(self) -> int:
        """The replay's clock as the trader reads it (the header, ``g``'s +/- offsets, a
        bookmark): at the end, where the recording ended; the engine's clock follows the wall
        past it so that timers still fire."""
        now = self.clock.timestamp_ns()
        return min(now, self.state.clock_ns) if self.state.done else now

    def take_offer(self) -> bool:
        """Yes to the seek back held by ``offer``: go, discarding the paper trades after it."""
        offer, self.offer = self.offer, None
        if offer is None:
            return self._refuse("no seek back is waiting for an answer")
        return offer.go()

    def decline_offer(self) -> None:
        """No to it: the replay stays where it is, the paper trades with it."""
        if self.offer is not None:
            self.offer = None
            self._refuse("stayed: the paper trades after the target are kept")

    # --- transport (called by the UI or the CLI) ---------------------------------------------
    def toggle_pause(self) -> None:
        self.pause() if not self.state.paused else self.play()

    def pause(self) -> None:
        self._control("paused", paused=True)

    def play(self) -> None:
        """Resume playing after a pause (``Venue.resume`` is the OMS's restart hook)."""
        self._steps, self._until, self._to_record = 0, None, None
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
        self._until, self._to_record = None, None
        self._control("step", paused=True)

    def step_to_trade(self) -> None:
        self._run_until(lambda ev, topic: type(ev) is Trade, "next trade")

    def step_to_order_event(self) -> bool:
        """Play to the next event of the session's own orders, then pause. A plain replay
        knows where the recording's order events are: with none ahead it says so and stays
        where it is. With ``--paper`` they are this session's paper orders, which only a working
        order can have."""
        if self.market_only:
            if not self.working_orders():
                return self._refuse(
                    "no working paper order: no order event to wait for (send one first)"
                )
            self._run_until(lambda ev, topic: False, "next own-order event")  # see _on_order_event
            return True
        here = self.position
        target = self.order_events.next_from(here)
        if target is None:
            return self._refuse(
                "no later order event in this recording"
                if self.order_events.any_before(here)
                else "no order events in this recording"
            )
        self._steps, self._until, self._to_record = 0, None, target
        self._control("next own-order event", paused=True)
        return True

    def seek(self, ts: int, discard: bool = False) -> bool:
        """Go to the first record at or after ``ts`` and pause there: at once from a keyframe
        (``MarketSeek``), else (``--paper`` forward) playing forward as fast as possible. A
        ``--paper`` seek back that would discard paper trades made after ``ts`` needs
        ``discard`` (else it is refused, saying what it would discard, and held in ``offer``).
        Returns False (saying why in ``state.message``, and doing nothing) for a time after the
        recording's end, or behind the replay clock when it cannot go back (without keyframes'
        seeker or paper trading to rebuild): a restart with ``--start`` is the way there. A
        replay at its end that goes back plays again from where it went (``reopened``), a
        ``--paper`` one with its paper trading rebuilt there as any seek back."""
        state = self.state
        self.offer = None
        now = self.clock.timestamp_ns()
        if ts > state.end_ns:
            return self._refuse(
                f"{say_time(ts, state.start_ns)} is after the end of the "
                f"recording ({say_time(state.end_ns, state.start_ns)})"
            )
        rewinds = self.seeker is not None and not self.market_only
        if rewinds:
            self._jump(ts)
            self._reopen()
            return True
        if ts < now and self._branches():
            again = lambda: self.seek(ts, True)  # noqa: E731
            if not self._go_back(self._record_at(ts), f"seek {ts}", ts, discard, again):
                return False
            self._reopen()
            state.message = "at seek target"
            return True
        if ts < now or (state.done and ts <= now):
            there = say_time(ts, state.start_ns, sep="T")
            why = "the replay is at its end" if state.done else "a --paper replay"
            return self._refuse(
                f"{say_time(ts, state.start_ns)} is behind the replay clock "
                f"({say_time(now, state.start_ns)}): {why} cannot seek back; "
                f"restart with --start {there}"
            )
        self._seek_to = ts
        self._control(f"seek {ts}", paused=True)
        return True

    def go_to_record(
        self,
        record: int,
        what: str,
        show: bool = True,
        clock_ns: int | None = None,
        discard: bool = False,
    ) -> bool:
        """Go to record ``record`` and pause, saying ``what``: ``show`` plays that record (a
        fill, an order event, a trade: the panes show it), else the replay stands right before
        it (a bookmark, whose clock ``clock_ns`` the replay's clock takes). A plain replay goes
        back or forward at once (``MarketSeek``); with ``--paper`` forward playing on the bus,
        back at once rebuilding the paper trading (``discard`` as for ``seek``)."""
        self.offer = None
        back = self._branches() and record < self.position
        if back:
            again = lambda: self.go_to_record(record, what, show, clock_ns, True)  # noqa: E731
            if not self._go_back(record, what, self._record_time(record), discard, again):
                return False
            self._reopen()
        if back or (self.seeker is not None and not self.market_only):
            if not back:
                self._jump_record(record, what)
                self._reopen()
            clock = self.clock
            if clock_ns is not None and clock_ns > clock.timestamp_ns():
                assert isinstance(clock, SimClock)  # a replay runs on simulated time
                clock.move_to(clock_ns)
                self.state.clock_ns = clock_ns
            if show:
                self._steps = 1
                self._wake.set()
            return True
        here = self.position
        last = record if show else record - 1  # the last record to play
        if record < here or self.state.done:
            why = "the replay is at its end" if self.state.done else "a --paper replay"
            return self._refuse(f"{what} is behind the replay: {why} cannot seek back")
        self._steps, self._until, self._seek_to = 0, None, None
        self._to_record = last if last >= here else None
        self._control(what, paused=True)
        return True

    def _reopen(self) -> None:
        """A replay that jumped back at its end plays again from there."""
        if self.state.done:
            self.state.done = False
            self.state.touch()
            self.reopened.set()

    def _jump(self, ts: int) -> None:
        self._jump_record(self._record_at(ts), f"seek {ts}")
        self.state.message = "at seek target"

    def _record_at(self, ts: int) -> int:
        """The first record at or after ``ts`` (file order)."""
        seeker = self.seeker
        assert seeker is not None  # only a replay with a seeker jumps
        reader = seeker.reader
        i, pos = reader.seek(ts)
        if i >= len(reader.index):
            return reader.records
        return int(reader.index.first_record[i]) + pos

    def _record_time(self, record: int) -> int:
        seeker = self.seeker
        assert seeker is not None  # only a replay with a seeker jumps
        reader = seeker.reader
        i, pos = reader.locate(record)
        block = reader.readable_block(i) if i < len(reader.index) else None
        return (
            int(block.times[pos]) if block is not None and pos < len(block) else self.state.end_ns
        )

    def _branches(self) -> bool:
        """A ``--paper`` replay that can go back (keyframes' seeker, paper trading to rebuild)."""
        return self.market_only and self.seeker is not None and self.paper is not None

    def _go_back(
        self, record: int, what: str, target_ns: int, discard: bool, again: Callable[[], bool]
    ) -> bool:
        """``--paper``: go back to before ``record`` (at ``target_ns``), discarding the paper
        trades after it (without ``discard`` any there refuse it, ``again`` held in ``offer``),
        and rebuild the paper trading there; the journal marks the branch."""
        paper, history = self.paper, self.paper_history
        assert paper is not None and history is not None  # see _branches
        at = self._record_time(record - 1) if record > 0 else self.state.start_ns
        gone = history.discards(record, at)
        if gone is not None and not discard:
            question = gone.question(target_ns, self.state.start_ns)
            self.offer = BranchOffer(question, again, gone.summary(target_ns, self.state.start_ns))
            return self._refuse(question)
        paper.hold()
        self._jump_record(record, what)
        now = self.clock.timestamp_ns()
        if gone is not None:
            self.bus.publish(BRANCH_TOPIC, branch_record(now, now, gone))
        paper.rebuild(history.cut(record, at), now, gone)
        return True

    def _jump_record(self, record: int, what: str) -> None:
        seeker = self.seeker
        assert seeker is not None  # a jump needs the keyframes' seeker
        here = self.position
        at = seeker.jump(record, here, self.clock.timestamp_ns())
        if self.own is not None:  # a plain replay's own orders and fills, as they were there
            self.own.jump(record, here, at)
        if self.recorder is not None:
            self.recorder.source_break()  # the records skipped are not the session's
            self.recorder.source_index = record - 1  # where ``standing`` says the replay is
        self._place(record)
        clock = self.clock
        assert isinstance(clock, SimClock)  # a replay runs on simulated time
        clock.move_to(at)
        self.state.published = record
        self._steps, self._until, self._to_record, self._seek_to = 0, None, None, None
        self._control(what, paused=True)
        self.state.clock_ns = self.clock.timestamp_ns()

    def _refuse(self, why: str) -> bool:
        self.state.message = why
        self.state.touch()
        return False

    def _run_until(self, match: Callable[[Any, str], bool], what: str) -> None:
        self._steps, self._to_record = 0, None
        self._until = match
        self._hit = False
        self._control(what, paused=True)

    def _control(self, message: str, paused: bool | None = None) -> None:
        if paused is not None:
            self.state.paused = paused
        self._anchor, self.offer = None, None  # a seek back waiting for a yes is dropped
        self.state.message = message
        self.state.touch()
        self._wake.set()
        action, _, value = message.partition(" ")
        now = self.clock.timestamp_ns()
        self.bus.publish(REPLAY_PREFIX + "control", ReplayControl(now, action, value))

    def _on_order_event(self, msg: Any) -> None:
        if self._until is not None and self.state.paused and self._steps == 0:
            self._hit = True


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
