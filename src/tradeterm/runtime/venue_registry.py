"""The venue registry: the one place a session's venue clients are built, by venue name.

    sim          the simulated market ([sim]): data and execution in one object
    binance      the native Binance venue ([binance]; its symbols' rules discovered first)
    ccxt:<id>    any ccxt exchange ([ccxt]; its markets discovered first)
    replay       a recording (``VenueRequest.source``); a plain replay refuses orders

``paper=True`` puts paper execution (``venues/paper_client.PaperExecutionClient``, the [paper]
fill model) on top of the data client, whichever it is; without it the venue's own execution
takes the orders. The answer is a ``VenueClients``: the data client the kernel runs, the execution
client the desk sends orders to, and the replay when the data client is one (its transport).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import Settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews
from tradeterm.domain.instruments import Instrument
from tradeterm.matching.paper_fills import FillModel
from tradeterm.matching.rules import MatchingRules
from tradeterm.venues.base import DataClient, ExecutionClient, Venue
from tradeterm.venues.paper_client import PaperExecutionClient
from tradeterm.venues.sim import SimMarketVenue
from tradeterm.venues.simmarket import AgentParams

if TYPE_CHECKING:  # record/ (numpy, zstd) is imported only when a session replays
    from tradeterm.record.replayer import ReplayVenue


class VenueSetupError(Exception):
    """The venue cannot be built (unknown name, symbols it does not list, unreachable at
    start); the message says why, for the command line to print."""


@dataclass(frozen=True)
class VenueRequest:
    """What a session asks the registry for. ``source``/``speed``: the recording of a replay;
    ``keys``/``testnet``/``api_url``: a live venue's (``keys`` None: market data only)."""

    name: str
    settings: Settings
    bus: MessageBus
    clock: Clock
    seed: int = 0
    paper: bool = False
    source: Any = None
    speed: float | None = None
    keys: Any = None
    testnet: bool = False
    api_url: str | None = None


@dataclass(frozen=True)
class VenueChoice:
    """The venue a session is to run on, as the command line names it (``sim``, ``binance``,
    ``ccxt:<id>``); the kernel builds its clients with the session's own bus and clock.
    ``keys`` None: market data only; ``paper``: the session's orders filled on paper."""

    name: str
    keys: Any = None
    testnet: bool = False
    api_url: str | None = None
    paper: bool = False


@dataclass(frozen=True)
class VenueClients:
    """A session's venue: the data client (run by the kernel, read by the keeper and the
    recorder through the bus) and the execution client (the desk's), often one object."""

    data: DataClient
    execution: ExecutionClient
    replay: ReplayVenue | None = None  # the data client, when it is a recording being replayed

    @property
    def name(self) -> str:
        return self.execution.name

    def keep_market(self, bus: MessageBus, views: EngineViews) -> MarketDataKeeper:
        """The market data keeper of the data client's instruments. Paper execution fills
        against the books it keeps (each update applied once, not to a copy of each book)."""
        keeper = MarketDataKeeper(bus, views, self.data.instruments())
        if isinstance(self.execution, PaperExecutionClient):
            for iid, paper in self.execution.execution.read_books(keeper.books).items():
                keeper.watch(iid, paper)
        return keeper

    @classmethod
    def of(cls, venue: Venue) -> VenueClients:
        """Both halves from one object (a venue built by hand, e.g. a test's)."""
        return cls(venue, venue)


def build_clients(request: VenueRequest) -> VenueClients:
    """The (data, execution) pair for ``request.name``. Raises VenueSetupError."""
    name = request.name
    build = _DATA.get("ccxt:<id>" if name.startswith("ccxt:") and name[5:] else name)
    if build is None:
        raise VenueSetupError(
            f"unknown venue {name!r}: use binance or ccxt:<exchange>, e.g. ccxt:kraken"
        )
    data = build(request)
    execution: ExecutionClient = (
        PaperExecutionClient(data, fill_model(request.settings), request.seed)
        if request.paper
        else data
    )
    replay: Any = data if name == "replay" else None  # the transport's owner (a ReplayVenue)
    return VenueClients(data, execution, replay)


def fill_model(settings: Settings) -> FillModel:
    cfg = settings.paper
    return FillModel(
        model=cfg.fill_model,
        latency_ns=int(cfg.latency_ms * 1_000_000),
        jitter_ns=int(cfg.latency_jitter_ms * 1_000_000),
        cancels_ahead=cfg.cancels_ahead,
        post_only_slide=cfg.post_only == "slide",
    )


# --- the data clients by name (each also executes, unless paper execution sits on top) ------
def build_sim_venue(settings: Settings, bus: MessageBus, clock: Clock, seed: int) -> SimMarketVenue:
    markets = []
    rules = {}
    for cfg in settings.sim.instruments:
        inst = Instrument(
            "sim",
            cfg.symbol,
            cfg.base,
            cfg.quote,
            cfg.tick_size,
            cfg.lot_size,
            cfg.min_notional,
            cfg.maker_fee,
            cfg.taker_fee,
        )
        params = AgentParams(
            start_price=float(cfg.start_price),
            vol_bps_per_sqrt_s=cfg.vol_bps_per_sqrt_s,
            jumps_per_hour=cfg.jumps_per_hour,
            jump_bps=cfg.jump_bps,
            depth_ticks=cfg.depth_ticks,
            maker_median_lots=cfg.maker_median_lots,
            taker_median_lots=cfg.taker_median_lots,
            weight=cfg.weight,
        )
        markets.append((inst, params))
        rules[inst.id] = MatchingRules.for_instrument(
            inst, post_only=cfg.post_only, pro_rata=cfg.pro_rata, stp=cfg.self_trade_prevention
        )
    return SimMarketVenue(
        bus, clock, markets, settings.sim.rate, seed, settings.sim.seed_orders, rules
    )


def _sim(r: VenueRequest) -> Venue:
    return build_sim_venue(r.settings, r.bus, r.clock, r.seed)


def _replay(r: VenueRequest) -> Venue:
    """``paper``: the recording's market data only, the session's orders filled on paper."""
    from tradeterm.record.replayer import ReplayVenue

    return ReplayVenue(
        r.bus,
        r.clock,  # type: ignore[arg-type]
        r.source,
        r.speed,
        market_only=r.paper,
    )


def _binance(r: VenueRequest) -> Venue:
    """Discover the symbols' rules (exchangeInfo), then the native venue on the bus."""
    from tradeterm.venues.binance import BinanceVenue
    from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
    from tradeterm.venues.binance_rest import Credentials
    from tradeterm.venues.binance_symbols import UnknownSymbol

    cfg = r.settings.binance
    try:
        rules = asyncio.run(BinanceVenue.discover(cfg, cfg.symbols, r.testnet))
    except UnknownSymbol as exc:
        raise VenueSetupError(str(exc)) from None
    except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
        url = cfg.testnet_rest_url if r.testnet else cfg.rest_url
        raise VenueSetupError(
            f"cannot read Binance's symbols from {url}: {exc}; check --api-url and the network"
        ) from None
    creds = Credentials(r.keys.key, r.keys.secret) if r.keys is not None else None
    return BinanceVenue(r.bus, r.clock, rules, cfg, creds, r.testnet)


def _ccxt(r: VenueRequest) -> Venue:
    """``ccxt:<id>``: discover the symbols ([ccxt] symbols), then the venue."""
    from tradeterm.venues.ccxt_setup import CcxtSetupError, create_exchange
    from tradeterm.venues.ccxt_venue import CcxtVenue

    exchange_id = r.name.split(":", 1)[1]
    cfg = r.settings.ccxt

    def make() -> Any:
        return create_exchange(exchange_id, cfg, r.keys, r.testnet, r.api_url)

    try:
        instruments = asyncio.run(CcxtVenue.discover(make, cfg.symbols))
    except CcxtSetupError as exc:
        raise VenueSetupError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - ccxt network / exchange errors at start-up
        raise VenueSetupError(
            f"cannot load {exchange_id}'s markets: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    return CcxtVenue(r.bus, r.clock, make, instruments, cfg, trading=r.keys is not None)


_DATA: dict[str, Callable[[VenueRequest], Venue]] = {
    "sim": _sim,
    "replay": _replay,
    "binance": _binance,
    "ccxt:<id>": _ccxt,
}
