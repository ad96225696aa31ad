"""The header's numbers (``views.status``), kept by the kernel: market events, market events per
second (sampled once a clock second), the clock, and the venue's connection state."""

from __future__ import annotations

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.core.clock import NS
from tradeterm.core.views import StatusView
from tradeterm.domain.events import VenueStatus


class StatusSampler:
    def __init__(self, status: StatusView, market: MarketDataKeeper) -> None:
        self.status = status
        self.market = market
        self._last_sample = (0, 0)  # (clock ns, market events)

    def restart(self, ts: int) -> None:
        """The session starts at ``ts``: the first rate is measured from there."""
        self._last_sample = (ts, 0)

    def sample(self, ts: int) -> None:
        """Once a clock second: market events per second over the last interval."""
        then, events_then = self._last_sample
        events = self.market.md_events
        if ts > then:
            self.status.events_per_s = (events - events_then) * NS / (ts - then)
        self._last_sample = (ts, events)
        self.update(ts)

    def update(self, ts: int) -> None:
        status = self.status
        status.events = self.market.md_events
        status.clock_ns = ts
        status.touch()

    def on_venue_status(self, msg: VenueStatus) -> None:
        status = self.status
        status.connection = msg.state
        status.connection_detail = msg.detail
        status.touch()
