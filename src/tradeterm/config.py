"""Configuration: one pydantic-settings model, one section per component.

Sources, strongest first: ``TRADETERM_*`` environment variables (nested with ``__``, e.g.
``TRADETERM_SIM__ACTIVITY=busy``), then the TOML file given with ``--config``, then defaults.
``load_settings`` turns every problem into a ``ConfigError`` that names the key and the reason.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ACTIVITY_PRESETS: dict[str, float] = {"calm": 200, "normal": 2_000, "busy": 20_000, "storm": 50_000}


class ConfigError(Exception):
    """A configuration problem, already phrased for the trader."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SimInstrument(Section):
    """One instrument of the embedded simulated market."""

    symbol: str = Field(description="Display symbol, e.g. SIM-BTC/USD")
    base: str
    quote: str
    tick_size: Decimal = Field(gt=0, description="Price increment")
    lot_size: Decimal = Field(gt=0, description="Quantity increment")
    min_notional: Decimal = Field(default=Decimal(0), ge=0)
    maker_fee: Decimal = Field(default=Decimal("0.0001"), description="Rate; negative = rebate")
    taker_fee: Decimal = Field(default=Decimal("0.0004"))
    start_price: Decimal = Field(gt=0)
    vol_bps_per_sqrt_s: float = Field(default=2.0, ge=0, description="Fair-price volatility")
    jumps_per_hour: float = Field(default=6.0, ge=0)
    jump_bps: float = Field(default=25.0, ge=0)
    depth_ticks: float = Field(default=12.0, gt=0, description="Mean distance of passive orders")
    maker_median_lots: int = Field(default=100, gt=0)
    taker_median_lots: int = Field(default=60, gt=0)
    weight: float = Field(default=1.0, gt=0, description="Share of the market's activity")
    post_only: Literal["reject", "slide"] = Field(
        default="reject", description="A post-only order that would take: reject it, or slide "
                                      "it one tick inside the opposite best")
    pro_rata: bool = Field(default=False, description="Allocate each level pro rata to size "
                                                      "(remainder by time) instead of FIFO")
    self_trade_prevention: Literal["none", "cancel_resting", "cancel_aggressing",
                                   "cancel_both"] = Field(
        default="cancel_aggressing", description="What the exchange does when an account's "
                                                 "order would trade with its own resting order")


def _default_sim_instruments() -> list[SimInstrument]:
    return [
        SimInstrument(symbol="SIM-BTC/USD", base="BTC", quote="USD", tick_size=Decimal("0.5"),
                      lot_size=Decimal("0.0001"), min_notional=Decimal(5),
                      start_price=Decimal(61800), maker_median_lots=400, taker_median_lots=250,
                      weight=1.5),
        SimInstrument(symbol="SIM-ETH/USD", base="ETH", quote="USD", tick_size=Decimal("0.05"),
                      lot_size=Decimal("0.001"), min_notional=Decimal(5),
                      start_price=Decimal(2650), maker_median_lots=800, taker_median_lots=500,
                      vol_bps_per_sqrt_s=2.5),
    ]


class SimConfig(Section):
    """The embedded simulated market."""

    activity: Literal["calm", "normal", "busy", "storm"] = Field(
        default="normal", description="Preset rate: calm 200, normal 2k, busy 20k, storm 50k ev/s")
    events_per_second: float | None = Field(
        default=None, gt=0, le=1_000_000, description="Agent actions per second; overrides activity")
    seed: int | None = Field(default=None, ge=0, description="Seed; random (and reported) if unset")
    seed_orders: int = Field(default=300, ge=1, description="Resting orders per side at start")
    instruments: list[SimInstrument] = Field(default_factory=_default_sim_instruments, min_length=1)

    @field_validator("instruments")
    @classmethod
    def _unique_symbols(cls, v: list[SimInstrument]) -> list[SimInstrument]:
        symbols = [i.symbol for i in v]
        if len(set(symbols)) != len(symbols):
            raise ValueError("instrument symbols must be unique")
        return v

    @property
    def rate(self) -> float:
        return self.events_per_second or ACTIVITY_PRESETS[self.activity]


class PaperConfig(Section):
    """Paper fills against external market data (a recording replayed with --paper, paper
    trading on a real venue's feed). The embedded simulated market matches orders itself."""

    fill_model: Literal["queue", "trade-through", "touch"] = Field(
        default="queue", description="queue: fills once trades exhaust the queue ahead or trade "
        "through the price; trade-through: only trades through the price; touch: fills in full "
        "when the price is touched (optimistic)")
    latency_ms: float = Field(default=0.0, ge=0, le=10_000,
                              description="Order and cancel arrival delay")
    latency_jitter_ms: float = Field(default=0.0, ge=0, le=10_000,
                                     description="Extra random delay, uniform 0..jitter")
    cancels_ahead: float = Field(
        default=0.0, ge=0, le=1, description="Share of size leaving our level without a trade "
        "that is assumed to have been ahead of us (0 = conservative: only trades advance us)")
    post_only: Literal["reject", "slide"] = Field(default="reject",
                                                  description="Post-only that would take")


class UIConfig(Section):
    """The terminal workstation."""

    refresh_hz: float = Field(default=20.0, ge=1, le=30, description="Pane redraw rate (max 30)")
    theme: str = Field(default="tradeterm-dark",
                       description="tradeterm-dark | -light | -high-contrast | -colorblind, or a "
                                   "theme file of your own in <data_dir>/themes")
    keys: dict[str, str] = Field(default_factory=dict,
                                 description='Remap bindings by id, e.g. "app.quit" = "ctrl+q"')
    confirm_orders: bool = Field(default=False,
                                 description="Ask before sending an order from the command line or "
                                             "the ladder (always on in LIVE)")
    default_size: Decimal | dict[str, Decimal] = Field(
        default=Decimal("0.01"),
        description='Ladder b/s order size, base units: one value, or per symbol / base asset '
                    'with "*" as the fallback, e.g. {"BTC" = 0.01, "*" = 0.1}')


class QuoterOverrides(Section):
    """Values for one symbol that replace the ``[quoter]`` ones (``[quoter.per_symbol."X"]``)."""

    order_size: Decimal | None = Field(default=None, gt=0, description="Quote size, base units")
    max_position: Decimal | None = Field(default=None, ge=0, description="|position| limit")
    gamma: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, gt=0)
    k: float | None = Field(default=None, gt=0)
    A: float | None = Field(default=None, gt=0)
    min_spread_ticks: int | None = Field(default=None, ge=1)
    max_spread_ticks: int | None = Field(default=None, ge=1)


class QuoterConfig(Section):
    """The market-making quoter (Avellaneda-Stoikov / Gueant-Lehalle-Fernandez-Tapia).

    Model units: prices in ticks, time in seconds, inventory in clips (position / order size).
    Unset ``sigma``, ``k`` and ``A`` are estimated from the market data while running.
    """

    enabled: bool = Field(default=False, description="Quote from the start of the session")
    symbols: list[str] = Field(default_factory=list,
                               description="Symbols to quote; empty = every instrument")
    model: Literal["glft", "avellaneda_stoikov"] = Field(
        default="glft", description="glft: no horizon (24/7); avellaneda_stoikov: horizon_s")
    gamma: float = Field(default=0.05, gt=0, description="Risk aversion, per tick")
    horizon_s: float = Field(default=3600.0, gt=0,
                             description="avellaneda_stoikov: T; restarts every horizon (UTC)")
    sigma: float | None = Field(default=None, gt=0,
                                description="Volatility, ticks/sqrt(s); unset = estimated")
    k: float | None = Field(default=None, gt=0, description="Intensity decay per tick; unset = "
                            "estimated")
    A: float | None = Field(default=None, gt=0,
                            description="Arrivals per second per side at the mid; unset = "
                            "estimated")
    fair_price: Literal["mid", "micro", "vamp"] = Field(
        default="mid", description="Price the model quotes around")
    vamp_depth_clips: int = Field(default=5, ge=1, description="VAMP depth in order sizes")
    order_size: Decimal | None = Field(
        default=None, gt=0, description="Quote size, base units; unset = 2x min notional")
    max_position: Decimal | None = Field(
        default=None, ge=0, description="|position| a fill may never exceed; unset = 10 sizes")
    levels: int = Field(default=1, ge=1, le=10, description="Quotes per side")
    level_step_ticks: int = Field(default=1, ge=1, description="Distance between levels")
    min_spread_ticks: int = Field(default=1, ge=1)
    max_spread_ticks: int | None = Field(default=None, ge=1)
    requote_ticks: int = Field(default=1, ge=1,
                               description="Replace a quote only when it moved this many ticks")
    max_quote_age_s: float = Field(default=30.0, gt=0, description="... or is older than this")
    max_orders_per_s: float = Field(default=20.0, gt=0,
                                    description="New orders and modifies per second (cancels "
                                    "always go)")
    stale_after_s: float = Field(default=5.0, gt=0,
                                 description="Pull all quotes when the book is older than this")
    reject_backoff_s: float = Field(default=1.0, ge=0,
                                    description="Pause after a rejected or denied order")
    post_only: bool = True
    vol_estimator: Literal["ewma", "parkinson", "garman_klass", "rogers_satchell",
                           "yang_zhang"] = "yang_zhang"
    vol_source: Literal["mid", "trade"] = Field(default="mid", description="Bars built from")
    bar_seconds: float = Field(default=1.0, gt=0, le=3600)
    vol_window_bars: int = Field(default=300, ge=10)
    ewma_halflife_bars: float = Field(default=60.0, gt=0)
    intensity_halflife_s: float | None = Field(default=900.0, gt=0,
                                               description="Forgetting of the A, k fit; unset = "
                                               "none")
    warmup_bars: int = Field(default=30, ge=2, description="Bars before sigma is trusted")
    warmup_sweeps: int = Field(default=30, ge=1, description="Sweeps before A and k are trusted")
    refresh_ms: int = Field(default=250, ge=10, le=10_000,
                            description="Timer: estimates, staleness, quote age, the view")
    per_symbol: dict[str, QuoterOverrides] = Field(default_factory=dict)

    @field_validator("max_spread_ticks")
    @classmethod
    def _spread_bounds(cls, v: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_spread_ticks", 1)
        if v is not None and v < low:
            raise ValueError(f"must be >= min_spread_ticks ({low})")
        return v


class RecordConfig(Section):
    """The session journal: every bus message of every session, for replay, export and report."""

    enabled: bool = Field(default=True, description="Record every session (--no-record: off)")
    directory: Path | None = Field(default=None,
                                   description="Where journals go; default <data_dir>/recordings")
    flush_ms: int = Field(default=250, ge=10, le=250,
                          description="Longest time a message waits in memory before the file")
    block_records: int = Field(default=16_384, ge=64, le=1_000_000,
                               description="Most records in one journal block")
    compression_level: int = Field(default=3, ge=1, le=19, description="zstd level of blocks")
    fsync_seconds: float = Field(default=5.0, ge=0,
                                 description="Push the file to disk this often (0: at close)")


class CcxtConfig(Section):
    """Any exchange through ccxt (``tradeterm live --venue ccxt:<id>``): REST orders, ccxt.pro
    streams where the exchange has them, else REST polling. Rate limiting is always on."""

    symbols: list[str] = Field(default_factory=lambda: ["BTC/USDT"], min_length=1,
                               description="ccxt unified symbols")
    options: dict[str, Any] = Field(default_factory=dict,
                                    description="ccxt exchange options (passed as `options`)")
    websockets: bool = Field(default=True, description="Use ccxt.pro watch_* where available")
    book_depth: int = Field(default=50, ge=1, le=1000, description="Book levels kept")
    poll_s: float = Field(default=1.0, gt=0, description="Book polling interval without streams")
    private_poll_s: float = Field(default=2.0, gt=0,
                                  description="Working orders looked up this often (REST)")
    reconnect_min_s: float = Field(default=0.5, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    not_placed_after_s: float = Field(
        default=30.0, gt=0, description="An order with no answer that the venue still does not "
                                        "know after this long was never placed")
    resolve_timeout_s: float = Field(default=120.0, gt=0,
                                     description="Give up resolving an uncertain order after this")


class LogConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class BinanceConfig(Section):
    """The native Binance venue: market data over websockets (snapshot + diff sync), orders over
    signed REST and the user data stream. Point the URLs at ``tradeterm exchange serve`` to run
    against the loopback exchange."""

    market: Literal["spot", "usdm"] = Field(
        default="spot", description="spot, or usdm (USD-M futures market data; no orders)")
    rest_url: str = Field(default="https://api.binance.com", description="REST base URL")
    ws_url: str = Field(default="wss://stream.binance.com:9443",
                        description="Websocket base URL (streams at /stream, /ws)")
    ws_api_url: str = Field(default="wss://ws-api.binance.com:443/ws-api/v3",
                            description="WebSocket API URL (the user data stream)")
    user_stream: Literal["ws-api", "listen-key"] = Field(
        default="ws-api", description="ws-api (Binance spot since 2026-02-20), or listen-key "
                                      "(the older REST listen key stream)")
    testnet_rest_url: str = Field(default="https://testnet.binance.vision")
    testnet_ws_url: str = Field(default="wss://stream.testnet.binance.vision")
    testnet_ws_api_url: str = Field(default="wss://ws-api.testnet.binance.vision/ws-api/v3")
    symbols: list[str] = Field(default_factory=lambda: ["BTC/USDT", "ETH/USDT"], min_length=1)
    depth_speed_ms: Literal[100, 1000] = Field(default=100, description="Diff depth stream speed")
    book_ticker: bool = Field(default=True, description="Also subscribe to <sym>@bookTicker")
    snapshot_depth: int = Field(default=1000, ge=5, le=5000, description="REST snapshot levels")
    stale_after_s: float = Field(default=5.0, gt=0,
                                 description="No message this long: the feed shows STALE")
    stale_reconnect_s: float = Field(default=30.0, ge=0,
                                     description="No message this long: reconnect (0: never)")
    reconnect_min_s: float = Field(default=0.5, gt=0, description="First reconnect delay")
    reconnect_max_s: float = Field(default=30.0, gt=0, description="Longest reconnect delay")
    max_connection_age_s: float = Field(default=23.5 * 3600, gt=0,
                                        description="Reconnect before Binance's 24 h limit")
    ping_interval_s: float = Field(default=20.0, gt=0, description="Our keepalive pings")
    ping_timeout_s: float = Field(default=20.0, gt=0, description="Pong overdue: reconnect")
    open_timeout_s: float = Field(default=10.0, gt=0, description="Websocket handshake limit")
    recv_window_ms: int = Field(default=5000, ge=1, le=60_000,
                                description="How long a signed request stays valid")
    request_timeout_s: float = Field(default=10.0, gt=0, description="REST answer limit")
    listen_key_keepalive_s: float = Field(default=1800.0, gt=0,
                                          description="Listen key keepalive (Binance: 60 min TTL)")
    resolve_timeout_s: float = Field(default=120.0, gt=0,
                                     description="Give up resolving an uncertain order after this")


def _eight_decimals(value: Decimal) -> Decimal:
    if value.as_tuple().exponent < -8:  # type: ignore[operator]
        raise ValueError("at most 8 decimals (Binance's precision)")
    return value


class LoopbackSymbol(Section):
    """One symbol of the loopback exchange, named as on Binance (BTCUSDT)."""

    symbol: str = Field(pattern=r"^[A-Z0-9]{2,20}$", description="Binance symbol, e.g. BTCUSDT")
    base: str
    quote: str
    tick_size: Decimal = Field(gt=0, description="PRICE_FILTER tickSize")
    step_size: Decimal = Field(gt=0, description="LOT_SIZE stepSize")
    min_qty: Decimal | None = Field(default=None, gt=0,
                                    description="LOT_SIZE minQty (default: the step)")
    min_notional: Decimal = Field(default=Decimal(5), ge=0, description="NOTIONAL minNotional")
    start_price: Decimal = Field(gt=0)
    maker_median_qty: Decimal = Field(gt=0, description="Median size of the agents' resting orders")
    taker_median_qty: Decimal = Field(gt=0, description="Median size of the agents' market orders")
    vol_bps_per_sqrt_s: float = Field(default=2.0, ge=0)
    depth_ticks: float = Field(default=40.0, gt=0, description="Mean distance of passive orders")
    weight: float = Field(default=1.0, gt=0, description="Share of the market's activity")

    @field_validator("tick_size", "step_size", "min_qty", "min_notional")
    @classmethod
    def _binance_precision(cls, v: Decimal | None) -> Decimal | None:
        return v if v is None else _eight_decimals(v)


class LoopbackAccount(Section):
    """An account on the loopback exchange. These are the loopback's own test keys, not real
    ones."""

    api_key: str = Field(min_length=1)
    api_secret: str = Field(min_length=1)
    balances: dict[str, Decimal] = Field(default_factory=dict)


def _default_loopback_symbols() -> list[LoopbackSymbol]:
    return [
        LoopbackSymbol(symbol="BTCUSDT", base="BTC", quote="USDT", tick_size=Decimal("0.01"),
                       step_size=Decimal("0.00001"), min_notional=Decimal(5),
                       start_price=Decimal(61800), maker_median_qty=Decimal("0.05"),
                       taker_median_qty=Decimal("0.03"), depth_ticks=400, weight=1.5),
        LoopbackSymbol(symbol="ETHUSDT", base="ETH", quote="USDT", tick_size=Decimal("0.01"),
                       step_size=Decimal("0.0001"), min_notional=Decimal(5),
                       start_price=Decimal(2650), maker_median_qty=Decimal("1"),
                       taker_median_qty=Decimal("0.6"), depth_ticks=40),
    ]


def _default_loopback_accounts() -> list[LoopbackAccount]:
    return [LoopbackAccount(api_key="loopback-key", api_secret="loopback-secret",
                            balances={"USDT": Decimal(1_000_000), "BTC": Decimal(10),
                                      "ETH": Decimal(100)})]


class ExchangeConfig(Section):
    """The loopback exchange (``tradeterm exchange serve``): Binance's spot protocol on a
    loopback address, backed by the simulated market and matching/."""

    host: str = Field(default="127.0.0.1", description="Loopback address only")
    port: int = Field(default=8765, ge=0, le=65535, description="0 picks a free port")
    events_per_second: float = Field(default=500, gt=0, le=100_000,
                                     description="Agent actions a second across all symbols")
    seed: int | None = Field(default=None, ge=0)
    seed_orders: int = Field(default=300, ge=1, description="Resting agent orders a side at start")
    maker_fee: Decimal = Field(default=Decimal("0.001"), ge=0)
    taker_fee: Decimal = Field(default=Decimal("0.001"), ge=0)
    depth_interval_ms: int = Field(default=100, ge=1, le=1000,
                                   description="How often <sym>@depth@100ms goes out")
    heartbeat_s: float = Field(default=20, ge=0, description="Server ping interval (0: none)")
    listen_key_ttl_s: float = Field(default=3600, gt=0, description="Listen key lifetime")
    max_connection_age_s: float = Field(default=86400, ge=0,
                                        description="Streams closed after this (Binance: 24 h)")
    faults: str = Field(default="", description="Fault plan, e.g. drop=30,gap=45,5xx=0.05")
    symbols: list[LoopbackSymbol] = Field(default_factory=_default_loopback_symbols,
                                          min_length=1)
    accounts: list[LoopbackAccount] = Field(default_factory=_default_loopback_accounts,
                                            min_length=1)

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, v: str) -> str:
        if v != "localhost":
            try:
                if ipaddress.ip_address(v).is_loopback:
                    return v
            except ValueError:
                pass
            raise ValueError("the loopback exchange only listens on 127.0.0.1, ::1 or localhost")
        return v


class OmsConfig(Section):
    """Order management and the durable store."""

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/tradeterm.db "
                                  "(postgresql+psycopg://... works through the same code)")
    synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL", description="SQLite fsync policy for order and fill writes: FULL "
                                    "survives power loss; NORMAL a crash of the process only")
    order_id_prefix: str = Field(default="TT", pattern=r"^[A-Za-z]{1,6}$",
                                 description="Leading letters of every client order id")
    ack_timeout_ms: int = Field(default=2_000, gt=0,
                                description="An order or cancel without an answer for this long "
                                            "is resolved by a query to the venue")
    query_retry_ms: int = Field(default=1_000, gt=0, description="Pause between status queries")
    max_query_attempts: int = Field(default=5, ge=1,
                                    description="Unanswered queries before the kill switch trips")
    flush_interval_ms: int = Field(default=100, gt=0,
                                   description="Status-only updates are written at this cadence")
    fills_lookback_s: float = Field(default=86_400, gt=0,
                                    description="How far back to ask the venue for missed fills")


class PortfolioConfig(Section):
    """Positions and PnL."""

    mark: Literal["mid", "last"] = Field(default="mid", description="Price positions are "
                                         "valued at: the book's mid or the last trade")
    starting_cash: Decimal = Field(default=Decimal(100_000), ge=0,
                                   description="Account cash before the first fill")
    currency: str = Field(default="", description="Account currency; default: the instruments' "
                                                  "quote currency")
    revalue_ms: int = Field(default=250, gt=0, description="How often positions are re-marked")


class InstrumentLimits(Section):
    """Per-instrument limits in base units (e.g. BTC); the notional limits apply as well."""

    max_order_qty: Decimal | None = Field(default=None, gt=0)
    max_position: Decimal | None = Field(default=None, gt=0)


class RiskConfig(Section):
    """Pre-trade checks, post-trade limits and the kill switch. Money in the account currency."""

    max_order_notional: Decimal = Field(default=Decimal(250_000), gt=0)
    max_position_notional: Decimal = Field(default=Decimal(500_000), gt=0,
                                           description="Per instrument, counting working orders")
    instruments: dict[str, InstrumentLimits] = Field(
        default_factory=dict, description="Limits by symbol, e.g. [risk.instruments.'BTC/USDT']")
    price_band_bps: int = Field(default=500, gt=0, description="Fat finger: furthest a limit "
                                "price may be from the reference price (mid, else last)")
    max_open_orders: int = Field(default=100, gt=0)
    orders_per_second: float = Field(default=50, gt=0, description="Global order throttle rate")
    order_burst: int = Field(default=100, gt=0, description="Global order throttle burst")
    venue_orders_per_second: float | None = Field(
        default=None, gt=0, description="Per-venue throttle; default: the venue's own limit")
    venue_order_burst: int | None = Field(default=None, gt=0)
    duplicate_window_ms: int = Field(default=250, ge=0, description="An identical order "
                                     "(instrument, side, price, qty) within it is denied")
    daily_loss_limit: Decimal = Field(default=Decimal(5_000), gt=0,
                                      description="Trips the kill switch at today's PnL <= -this")
    max_drawdown: Decimal = Field(default=Decimal(10_000), gt=0,
                                  description="Trips when equity falls this far below the peak")
    flatten_max_attempts: int = Field(default=5, ge=1)
    flatten_retry_ms: int = Field(default=500, gt=0)
    flatten_slippage_bps: int = Field(default=50, ge=0, description="How far through the "
                                      "reference price a flattening IOC order may trade")
    feed_loss_policy: Literal["halt", "ignore"] = Field(
        default="halt", description="Market data lost for longer than the grace period: halt")
    feed_loss_grace_s: float = Field(default=5.0, gt=0)


class SessionConfig(Section):
    """How a trading session behaves when its terminal or process goes away."""

    on_hangup: Literal["keep", "halt", "halt_cancel"] = Field(
        default="halt_cancel", description="SIGHUP / SSH drop: keep running, HALT (orders stay), "
                                           "or HALT and cancel every working order")
    cancel_on_exit: bool = Field(default=True,
                                 description="Cancel working orders on a clean stop")


class Settings(BaseSettings):
    """All of tradeterm's configuration."""

    model_config = SettingsConfigDict(env_prefix="TRADETERM_", env_nested_delimiter="__",
                                      extra="forbid", frozen=True)

    data_dir: Path | None = Field(default=None, description="State and recordings; XDG default")
    sim: SimConfig = Field(default_factory=SimConfig)
    paper: PaperConfig = Field(default_factory=PaperConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    quoter: QuoterConfig = Field(default_factory=QuoterConfig)
    record: RecordConfig = Field(default_factory=RecordConfig)
    log: LogConfig = Field(default_factory=LogConfig)
    exchange: ExchangeConfig = Field(default_factory=ExchangeConfig)
    binance: BinanceConfig = Field(default_factory=BinanceConfig)
    ccxt: CcxtConfig = Field(default_factory=CcxtConfig)
    oms: OmsConfig = Field(default_factory=OmsConfig)
    portfolio: PortfolioConfig = Field(default_factory=PortfolioConfig)
    risk: RiskConfig = Field(default_factory=RiskConfig)
    session: SessionConfig = Field(default_factory=SessionConfig)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)  # environment beats the file

    def recordings_dir(self) -> Path:
        return (self.record.directory.expanduser() if self.record.directory is not None
                else self.resolved_data_dir() / "recordings")

    def resolved_data_dir(self) -> Path:
        if self.data_dir is not None:
            return self.data_dir.expanduser()
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(xdg) / "tradeterm"

    def database_url(self) -> str:
        """The store's URL: ``oms.database_url`` or ``<data_dir>/tradeterm.db``."""
        if self.oms.database_url:
            return self.oms.database_url
        return f"sqlite:///{self.resolved_data_dir() / 'tradeterm.db'}"


def _describe(err: dict[str, Any]) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key (check its spelling and section)"
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    return f"{key}: {err['msg']}{shown}"


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (if any), apply the environment, validate. Raises ConfigError."""
    data: dict[str, Any] = {}
    where = "environment"
    if path is not None:
        path = Path(path)
        where = str(path)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except IsADirectoryError:
            raise ConfigError(f"config file {path} is a directory") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    for section, values in overrides.items():
        if isinstance(values, dict):
            data.setdefault(section, {}).update(values)
        else:
            data[section] = values
    try:
        return Settings(**data)
    except ValidationError as exc:
        lines = "\n".join("  " + _describe(e) for e in exc.errors())
        raise ConfigError(f"invalid configuration ({where}):\n{lines}") from None
