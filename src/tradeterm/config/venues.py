"""Configuration sections of the live venues and the loopback exchange (part of ``config``)."""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, field_validator, model_validator

from tradeterm.config.base import (
    DAY,
    FEE_MAX,
    HOUR,
    INT64_MAX,
    MINUTE,
    MONEY_MAX,
    PRICE_MAX,
    QTY_MAX,
    WEEK,
    Section,
    at_most_decimals,
)

HTTP_URL = r"^https?://\S+$"
WS_URL = r"^wss?://\S+$"
ASSET = r"^[A-Za-z0-9]{1,20}$"


VenueSection = TypeVar("VenueSection", "CcxtConfig", "BinanceConfig")


def _backoff_in_order(section: VenueSection) -> VenueSection:
    if section.reconnect_max_s < section.reconnect_min_s:
        raise ValueError(
            f"reconnect_max_s ({section.reconnect_max_s:g}) must be >= "
            f"reconnect_min_s ({section.reconnect_min_s:g})"
        )
    return section


class CcxtConfig(Section):
    """Any exchange through ccxt (``tradeterm live --venue ccxt:<id>``): REST orders, ccxt.pro
    streams where the exchange has them, else REST polling. Rate limiting is always on."""

    symbols: list[str] = Field(
        default_factory=lambda: ["BTC/USDT"],
        min_length=1,
        max_length=200,
        description="ccxt unified symbols",
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="ccxt exchange options (passed as `options`)"
    )
    websockets: bool = Field(default=True, description="Use ccxt.pro watch_* where available")
    book_depth: int = Field(
        default=50,
        ge=1,
        le=1000,
        description="Book levels published (ccxt.pro keeps its own, deeper "
        "book; polling fetches this many)",
    )
    poll_s: float = Field(
        default=1.0, gt=0, le=HOUR, description="Book polling interval without streams"
    )
    private_poll_s: float = Field(
        default=2.0, gt=0, le=HOUR, description="Working orders looked up this often (REST)"
    )
    reconnect_min_s: float = Field(default=0.5, gt=0, le=HOUR)
    reconnect_max_s: float = Field(default=30.0, gt=0, le=HOUR)
    trades_page: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="Trades asked for per fetch_my_trades page "
        "(default: the exchange's own page size); "
        "every page is read",
    )
    not_placed_after_s: float = Field(
        default=30.0,
        gt=0,
        le=DAY,
        description="An order with no answer that the venue still "
        "does not know after this long was never placed",
    )
    resolve_timeout_s: float = Field(
        default=120.0, gt=0, le=DAY, description="Give up resolving an uncertain order after this"
    )

    @model_validator(mode="after")
    def _backoff(self) -> CcxtConfig:
        return _backoff_in_order(self)


class BinanceConfig(Section):
    """The native Binance venue: market data over websockets (snapshot + diff sync), orders over
    signed REST and the user data stream. Point the URLs at ``tradeterm exchange serve`` to run
    against the loopback exchange."""

    market: Literal["spot", "usdm"] = Field(
        default="spot", description="spot, or usdm (USD-M futures market data; no orders)"
    )
    rest_url: str = Field(
        default="https://api.binance.com", pattern=HTTP_URL, description="REST base URL"
    )
    ws_url: str = Field(
        default="wss://stream.binance.com:9443",
        pattern=WS_URL,
        description="Websocket base URL (streams at /stream, /ws)",
    )
    ws_api_url: str = Field(
        default="wss://ws-api.binance.com:443/ws-api/v3",
        pattern=WS_URL,
        description="WebSocket API URL (the user data stream)",
    )
    user_stream: Literal["ws-api", "listen-key"] = Field(
        default="ws-api",
        description="ws-api (Binance spot since 2026-02-20), or listen-key "
        "(the older REST listen key stream)",
    )
    testnet_rest_url: str = Field(default="https://testnet.binance.vision", pattern=HTTP_URL)
    testnet_ws_url: str = Field(default="wss://stream.testnet.binance.vision", pattern=WS_URL)
    testnet_ws_api_url: str = Field(
        default="wss://ws-api.testnet.binance.vision/ws-api/v3", pattern=WS_URL
    )
    symbols: list[str] = Field(
        default_factory=lambda: ["BTC/USDT", "ETH/USDT"], min_length=1, max_length=200
    )
    depth_speed_ms: Literal[100, 1000] = Field(default=100, description="Diff depth stream speed")
    book_ticker: bool = Field(default=True, description="Also subscribe to <sym>@bookTicker")
    snapshot_depth: int = Field(default=1000, ge=5, le=5000, description="REST snapshot levels")
    snapshot_timeout_s: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="A book snapshot not answered this fast is "
        "asked for again (a resync must be quick)",
    )
    stale_after_s: float = Field(
        default=5.0, gt=0, le=HOUR, description="No message this long: the feed shows STALE"
    )
    stale_reconnect_s: float = Field(
        default=30.0, ge=0, le=DAY, description="No message this long: reconnect (0: never)"
    )
    reconnect_min_s: float = Field(default=0.5, gt=0, le=HOUR, description="First reconnect delay")
    reconnect_max_s: float = Field(
        default=30.0, gt=0, le=HOUR, description="Longest reconnect delay"
    )
    max_connection_age_s: float = Field(
        default=23.5 * 3600, gt=0, le=DAY, description="Reconnect before Binance's 24 h limit"
    )
    ping_interval_s: float = Field(default=20.0, gt=0, le=HOUR, description="Our keepalive pings")
    ping_timeout_s: float = Field(
        default=20.0, gt=0, le=HOUR, description="Pong overdue: reconnect"
    )
    open_timeout_s: float = Field(
        default=10.0, gt=0, le=10 * MINUTE, description="Websocket handshake limit"
    )
    recv_window_ms: int = Field(
        default=5000, ge=1, le=60_000, description="How long a signed request stays valid"
    )
    request_timeout_s: float = Field(
        default=10.0, gt=0, le=10 * MINUTE, description="REST answer limit"
    )
    listen_key_keepalive_s: float = Field(
        default=1800.0, gt=0, lt=HOUR, description="Listen key keepalive (Binance: 60 min TTL)"
    )
    resolve_timeout_s: float = Field(
        default=120.0, gt=0, le=DAY, description="Give up resolving an uncertain order after this"
    )

    @model_validator(mode="after")
    def _backoff(self) -> BinanceConfig:
        return _backoff_in_order(self)


def _eight_decimals(value: Decimal | None) -> Decimal | None:
    try:
        return at_most_decimals(value, 8)
    except ValueError:
        raise ValueError("at most 8 decimals (Binance's precision)") from None


class LoopbackSymbol(Section):
    """One symbol of the loopback exchange, named as on Binance (BTCUSDT)."""

    symbol: str = Field(pattern=r"^[A-Z0-9]{2,20}$", description="Binance symbol, e.g. BTCUSDT")
    base: str = Field(pattern=ASSET)
    quote: str = Field(pattern=ASSET)
    tick_size: Decimal = Field(gt=0, le=10**6, description="PRICE_FILTER tickSize")
    step_size: Decimal = Field(gt=0, le=10**6, description="LOT_SIZE stepSize")
    min_qty: Decimal | None = Field(
        default=None, gt=0, le=QTY_MAX, description="LOT_SIZE minQty (default: the step)"
    )
    min_notional: Decimal = Field(
        default=Decimal(5), ge=0, le=MONEY_MAX, description="NOTIONAL minNotional"
    )
    start_price: Decimal = Field(gt=0, le=PRICE_MAX)
    maker_median_qty: Decimal = Field(
        gt=0, le=QTY_MAX, description="Median size of the agents' resting orders"
    )
    taker_median_qty: Decimal = Field(
        gt=0, le=QTY_MAX, description="Median size of the agents' market orders"
    )
    vol_bps_per_sqrt_s: float = Field(default=2.0, ge=0, le=100)
    depth_ticks: float = Field(
        default=40.0, gt=0, le=100_000, description="Mean distance of passive orders"
    )
    weight: float = Field(default=1.0, gt=0, le=1_000, description="Share of the market's activity")

    @field_validator("tick_size", "step_size", "min_qty", "min_notional")
    @classmethod
    def _binance_precision(cls, v: Decimal | None) -> Decimal | None:
        return _eight_decimals(v)


class LoopbackAccount(Section):
    """An account on the loopback exchange. These are the loopback's own test keys, not real
    ones."""

    api_key: str = Field(min_length=1)
    api_secret: str = Field(min_length=1)
    balances: dict[str, Annotated[Decimal, Field(ge=0, le=MONEY_MAX)]] = Field(
        default_factory=dict, description="Starting balance by asset, e.g. {USDT = 1000000}"
    )


def _default_loopback_symbols() -> list[LoopbackSymbol]:
    return [
        LoopbackSymbol(
            symbol="BTCUSDT",
            base="BTC",
            quote="USDT",
            tick_size=Decimal("0.01"),
            step_size=Decimal("0.00001"),
            min_notional=Decimal(5),
            start_price=Decimal(61800),
            maker_median_qty=Decimal("0.05"),
            taker_median_qty=Decimal("0.03"),
            depth_ticks=400,
            weight=1.5,
        ),
        LoopbackSymbol(
            symbol="ETHUSDT",
            base="ETH",
            quote="USDT",
            tick_size=Decimal("0.01"),
            step_size=Decimal("0.0001"),
            min_notional=Decimal(5),
            start_price=Decimal(2650),
            maker_median_qty=Decimal("1"),
            taker_median_qty=Decimal("0.6"),
            depth_ticks=40,
        ),
    ]


def _default_loopback_accounts() -> list[LoopbackAccount]:
    return [
        LoopbackAccount(
            api_key="loopback-key",
            api_secret="loopback-secret",
            balances={"USDT": Decimal(1_000_000), "BTC": Decimal(10), "ETH": Decimal(100)},
        )
    ]


class ExchangeConfig(Section):
    """The loopback exchange (``tradeterm exchange serve``): Binance's spot protocol on a
    loopback address, backed by the simulated market and matching/."""

    host: str = Field(default="127.0.0.1", description="Loopback address only")
    port: int = Field(default=8765, ge=0, le=65535, description="0 picks a free port")
    events_per_second: float = Field(
        default=500, gt=0, le=100_000, description="Agent actions a second across all symbols"
    )
    seed: int | None = Field(default=None, ge=0, le=INT64_MAX)
    seed_orders: int = Field(
        default=300, ge=1, le=100_000, description="Resting agent orders a side at start"
    )
    maker_fee: Decimal = Field(default=Decimal("0.001"), ge=0, le=FEE_MAX)
    taker_fee: Decimal = Field(default=Decimal("0.001"), ge=0, le=FEE_MAX)
    depth_interval_ms: int = Field(
        default=100, ge=1, le=1000, description="How often <sym>@depth@100ms goes out"
    )
    heartbeat_s: float = Field(
        default=20, ge=0, le=HOUR, description="Server ping interval (0: none)"
    )
    listen_key_ttl_s: float = Field(default=3600, gt=0, le=DAY, description="Listen key lifetime")
    max_connection_age_s: float = Field(
        default=86400, ge=0, le=WEEK, description="Streams closed after this (Binance: 24 h)"
    )
    faults: str = Field(default="", description="Fault plan, e.g. drop=30,gap=45,5xx=0.05")
    symbols: list[LoopbackSymbol] = Field(
        default_factory=_default_loopback_symbols, min_length=1, max_length=100
    )
    accounts: list[LoopbackAccount] = Field(
        default_factory=_default_loopback_accounts, min_length=1
    )

    @field_validator("faults")
    @classmethod
    def _fault_plan(cls, v: str) -> str:
        if v.strip():  # the loopback package (aiohttp) only when there is a plan to read
            from tradeterm.venues.loopback.faults import FaultPlan, FaultSpecError

            try:
                FaultPlan.parse(v)
            except FaultSpecError as exc:
                raise ValueError(str(exc)) from None
        return v

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
