"""A replay that reached its end while a trader still looks at it (the TUI): the session stays
up until they quit, rather than closing the store under a running screen, and a plain replay
(or a ``--paper`` one, its paper trading rebuilt at the target) seeks back from there and plays
again.

At the end there is no more market data, so nothing can trade: working paper orders are
cancelled (a plain replay's recorded ones stay as recorded) and new ones are refused; the kill
switch, the store and the views keep working. The simulated clock then follows the wall clock,
so timers fire (answer timeouts, a paper venue's latency...). A seek (``g``, ``-5m``, the
previous-fill keys) jumps there and sets ``ReplayVenue.reopened``: the market opens again and
``end`` says so; the kernel runs the replay's loop again from there. A ``--paper`` replay goes
back as any seek back (``record/paper_branch.py``): the cancels of its orders at the end are
among the trades it would discard, so the trader is asked first; its orders working at the
target work there again.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from tradeterm.core.clock import Clock, SimClock
from tradeterm.core.views import EngineViews

if TYPE_CHECKING:
    from tradeterm.record.replayer import ReplayVenue
    from tradeterm.runtime.status import StatusSampler
    from tradeterm.trading.desk import TradingDesk

ENDED = "replay ended: the recording has no more market data (replay it again to trade it)"


class ReplayReview:
    def __init__(
        self,
        replay: ReplayVenue,
        desk: TradingDesk,
        views: EngineViews,
        status: StatusSampler,
        clock: Clock,
        stop: asyncio.Event,
        paper: bool,
    ) -> None:
        self.replay = replay
        self.desk = desk
        self.views = views
        self.status = status
        self.clock = clock
        self.stop = stop
        self.paper = paper

    def reviewing(self) -> bool:
        """The replay is at its end and the session is not stopping."""
        return not self.stop.is_set() and self.replay.state.done

    async def end(self) -> bool:
        """The market closed until the session stops (False) or a seek opens the replay again
        (True: the kernel plays it on)."""
        self.views.status.ended = ENDED
        self.status.update(self.clock.timestamp_ns())
        self.desk.close_market(ENDED, cancel=self.paper)
        clock = self.clock
        assert isinstance(clock, SimClock)  # a replay runs on simulated time
        wake = asyncio.Event()
        watch = [
            asyncio.create_task(_set_when(event, wake))
            for event in (self.stop, self.replay.reopened)
        ]
        try:
            await clock.follow_wall_clock(wake)
        finally:
            for task in watch:
                task.cancel()
        if self.stop.is_set() or not self.replay.reopened.is_set():
            return False
        self.replay.reopened.clear()
        self.desk.closed_reason = ""  # the market is open again: orders are not refused
        self.views.status.ended = ""
        self.status.update(self.clock.timestamp_ns())
        return True


async def _set_when(event: asyncio.Event, wake: asyncio.Event) -> None:
    await event.wait()
    wake.set()
