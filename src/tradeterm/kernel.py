"""The composition root: builds the one component graph for a mode, starts and stops it.

Every mode is the same graph; only the clock and the venue differ:

* paper on the simulated market: ``LiveClock`` + ``SimMarketVenue`` (``--fast``: ``SimClock``)
* later: paper on external data, live, and replay plug different venues into the same slots.

The UI and the CLI talk to the engine only through a ``Kernel``: its ``views`` to read and its
methods to act. Nothing below this module imports it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import Settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock, LiveClock, SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.events import VenueStatus
from tradeterm.domain.instruments import Instrument
from tradeterm.logbridge import EngineLogHandler
from tradeterm.matching.paper_fills import FillModel
from tradeterm.matching.rules import MatchingRules
from tradeterm.venues.base import Venue
from tradeterm.venues.paper import PaperVenue
from tradeterm.venues.sim import SimMarketVenue
from tradeterm.venues.simmarket import AgentParams

log = logging.getLogger(__name__)

FAST_START_NS = 1_767_225_600 * NS  # 2026-01-01T00:00:00Z: where every --fast run starts
SUMMARY_LEVELS = 20


@dataclass(frozen=True, slots=True)
class RunOptions:
    mode: str = "paper"
    fast: bool = False  # SimClock, as fast as possible
    seconds: float | None = None  # bound the run (simulated seconds when fast)


def build_sim_venue(settings: Settings, bus: MessageBus, clock: Clock, seed: int) -> SimMarketVenue:
    markets = []
    rules = {}
    for cfg in settings.sim.instruments:
        inst = Instrument("sim", cfg.symbol, cfg.base, cfg.quote, cfg.tick_size, cfg.lot_size,
                          cfg.min_notional, cfg.maker_fee, cfg.taker_fee)
        params = AgentParams(
            start_price=float(cfg.start_price), vol_bps_per_sqrt_s=cfg.vol_bps_per_sqrt_s,
            jumps_per_hour=cfg.jumps_per_hour, jump_bps=cfg.jump_bps, depth_ticks=cfg.depth_ticks,
            maker_median_lots=cfg.maker_median_lots, taker_median_lots=cfg.taker_median_lots,
            weight=cfg.weight)
        markets.append((inst, params))
        rules[inst.id] = MatchingRules.for_instrument(
            inst, post_only=cfg.post_only, pro_rata=cfg.pro_rata, stp=cfg.self_trade_prevention)
    return SimMarketVenue(bus, clock, markets, settings.sim.rate, seed, settings.sim.seed_orders,
                          rules)


def fill_model(settings: Settings) -> FillModel:
    cfg = settings.paper
    return FillModel(model=cfg.fill_model, latency_ns=int(cfg.latency_ms * 1_000_000),
                     jitter_ns=int(cfg.latency_jitter_ms * 1_000_000),
                     cancels_ahead=cfg.cancels_ahead, post_only_slide=cfg.post_only == "slide")


def with_paper_execution(settings: Settings, data: Venue, seed: int = 0) -> PaperVenue:
    """Market data from ``data`` (a replay, a live feed, built on the kernel's bus and clock)
    plus paper fills with the configured model, in the venue slot: e.g. for ``replay --paper``
    the kernel puts ``with_paper_execution(settings, ReplayVenue(bus, clock, ...))`` where it
    would put the ReplayVenue."""
    return PaperVenue(data, fill_model(settings), seed)


class Kernel:
    """One running engine. Build with ``Kernel(settings, options)``, then ``await run()``."""

    def __init__(self, settings: Settings, options: RunOptions = RunOptions(),
                 venue: Venue | None = None, clock: Clock | None = None) -> None:
        self.settings = settings
        self.options = options
        self.seed = settings.sim.seed if settings.sim.seed is not None else secrets.randbelow(2**31)
        self.clock = clock or (SimClock(FAST_START_NS) if options.fast else LiveClock())
        self.bus = MessageBus()
        self.bus.on_handler_error = self._on_handler_error
        self.venue = venue or build_sim_venue(settings, self.bus, self.clock, self.seed)
        self.instruments = {inst.id: inst for inst in self.venue.instruments()}
        self.views = EngineViews(StatusView(mode=options.mode.upper(), venue=self.venue.name))
        self.market = MarketDataKeeper(self.bus, self.views, list(self.instruments.values()))
        self.bus.subscribe(topics.venue_status(self.venue.name), self._on_venue_status)
        self._log_handler = EngineLogHandler(self.bus, self.clock, self.views.log)
        self._stop = asyncio.Event()
        self._started_wall = 0.0
        self._last_rate_sample = (0, 0)  # (clock ns, market events)
        self.wall_seconds = 0.0

    # --- lifecycle -------------------------------------------------------------------------
    async def run(self) -> None:
        """Start every component, run until ``request_stop()`` or the time bound, then stop."""
        root = logging.getLogger("tradeterm")
        root.addHandler(self._log_handler)
        root.setLevel(self.settings.log.level)
        self._started_wall = time.perf_counter()
        start = self.clock.timestamp_ns()
        self._last_rate_sample = (start, 0)
        self.clock.set_timer("kernel.status", NS, self._sample_rate)
        if self.options.seconds is not None:
            self.clock.set_alert("kernel.stop", start + int(self.options.seconds * NS),
                                 lambda _ts: self.request_stop())
        log.info("%s session on %s started (seed %d)", self.options.mode, self.venue.name, self.seed)
        venue_task = asyncio.create_task(self.venue.run(), name=f"venue.{self.venue.name}")
        stop_task = asyncio.create_task(self._stop.wait())
        try:
            done, _ = await asyncio.wait({venue_task, stop_task},
                                         return_when=asyncio.FIRST_COMPLETED)
            if venue_task in done and venue_task.exception() is not None:
                raise venue_task.exception()  # type: ignore[misc]
        finally:
            self.venue.stop()
            stop_task.cancel()
            try:
                await asyncio.wait_for(venue_task, timeout=2)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                venue_task.cancel()
            self.clock.cancel_timer("kernel.status")
            self.clock.cancel_timer("kernel.stop")
            self._update_status(self.clock.timestamp_ns())
            self.wall_seconds = time.perf_counter() - self._started_wall
            log.info("session stopped after %d events", self.bus.seq)
            root.removeHandler(self._log_handler)

    def request_stop(self) -> None:
        self._stop.set()
        self.venue.stop()

    # --- views -----------------------------------------------------------------------------
    def _sample_rate(self, ts: int) -> None:
        """Once a clock second: market events per second over the last interval."""
        then, events_then = self._last_rate_sample
        events = self.market.md_events
        if ts > then:
            self.views.status.events_per_s = (events - events_then) * NS / (ts - then)
        self._last_rate_sample = (ts, events)
        self._update_status(ts)

    def _update_status(self, ts: int) -> None:
        status = self.views.status
        status.events = self.market.md_events
        status.clock_ns = ts
        status.touch()

    def _on_venue_status(self, msg: VenueStatus) -> None:
        status = self.views.status
        status.connection = msg.state
        status.connection_detail = msg.detail
        status.touch()

    def _on_handler_error(self, topic: str, msg: Any, exc: BaseException) -> None:
        log.error("handler failed on %s: %s: %s", topic, type(exc).__name__, exc)

    # --- summary ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """What a headless run prints. Deterministic for ``--fast --seed``: no wall-clock data."""
        instruments: dict[str, Any] = {}
        for iid, inst in self.instruments.items():
            book = self.views.books[iid]
            stats = self.views.stats[iid]
            bids, asks = book.top(SUMMARY_LEVELS)
            instruments[inst.symbol] = {
                "best_bid": _price(inst, book.best_bid),
                "best_ask": _price(inst, book.best_ask),
                "last": _price(inst, stats.last_price),
                "trades": stats.trades,
                "volume": str(inst.lots_to_qty(stats.volume)),
                "bids": [[str(inst.ticks_to_price(p)), str(inst.lots_to_qty(s))] for p, s in bids],
                "asks": [[str(inst.ticks_to_price(p)), str(inst.lots_to_qty(s))] for p, s in asks],
            }
        start = FAST_START_NS if self.options.fast else None
        return {
            "mode": self.options.mode,
            "venue": self.venue.name,
            "seed": self.seed,
            "fast": self.options.fast,
            "sim_seconds": (self.clock.timestamp_ns() - start) / NS if start else None,
            "events": self.bus.seq,
            "market_events": self.market.md_events,
            "instruments": instruments,
        }


def _price(inst: Instrument, ticks: int | None) -> str | None:
    return None if ticks is None else str(inst.ticks_to_price(ticks))

