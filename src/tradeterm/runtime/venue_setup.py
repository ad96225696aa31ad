"""The venues a session runs on, built from the config: the simulated market, and paper
execution over any market-data venue (the ``[sim]`` and ``[paper]`` sections)."""

from __future__ import annotations

from tradeterm.config import Settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.instruments import Instrument
from tradeterm.matching.paper_fills import FillModel
from tradeterm.matching.rules import MatchingRules
from tradeterm.venues.base import Venue
from tradeterm.venues.paper import PaperVenue
from tradeterm.venues.sim import SimMarketVenue
from tradeterm.venues.simmarket import AgentParams


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
