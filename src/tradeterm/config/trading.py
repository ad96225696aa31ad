"""Configuration sections of the trading desk: OMS and store, portfolio, risk, session
(part of ``config``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from tradeterm.config.base import (
    BPS_MAX,
    DAY,
    HOUR,
    MINUTE,
    MONEY_MAX,
    QTY_MAX,
    Section,
)


# orders a second, a burst, open orders: a million is more than any venue takes (and off)
THROTTLE_MAX = 1_000_000


class OmsConfig(Section):
    """Order management and the durable store."""

    database_url: str | None = Field(
        default=None,
        description="SQLite URL of the store: sqlite:///<path> (sqlite://: in memory); default "
        "sqlite:///<data_dir>/tradeterm.db",
    )
    synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description="SQLite fsync policy for order and fill writes: FULL "
        "survives power loss; NORMAL a crash of the process only",
    )
    order_id_prefix: str = Field(
        default="TT",
        pattern=r"^[A-Za-z]{1,6}$",
        description="Leading letters of every client order id",
    )
    ack_timeout_ms: int = Field(
        default=2_000,
        ge=1,
        le=10 * MINUTE * 1000,
        description="An order or cancel without an answer for this long "
        "is resolved by a query to the venue",
    )
    query_retry_ms: int = Field(
        default=1_000, ge=1, le=10 * MINUTE * 1000, description="Pause between status queries"
    )
    max_query_attempts: int = Field(
        default=5, ge=1, le=1_000, description="Unanswered queries before the kill switch trips"
    )
    flush_interval_ms: int = Field(
        default=100,
        ge=1,
        le=MINUTE * 1000,
        description="Status-only updates are written at this cadence",
    )
    fills_lookback_s: float = Field(
        default=86_400,
        gt=0,
        le=30 * DAY,
        description="How far back to ask the venue for missed fills",
    )
    reconcile_retry_s: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="A venue that does not answer during a "
        "reconciliation (5xx, timeouts) is retried with "
        "backoff this long before trading halts",
    )

    @field_validator("database_url")
    @classmethod
    def _sqlite_only(cls, url: str | None) -> str | None:
        if url is not None and url.split("://", 1)[0].split("+", 1)[0] != "sqlite":
            raise ValueError(
                "the store is a SQLite file: sqlite:///<path/to/file.db> (or leave "
                "it unset for <data_dir>/tradeterm.db); other databases are not "
                "supported"
            )
        return url


class PortfolioConfig(Section):
    """Positions and PnL."""

    mark: Literal["mid", "last"] = Field(
        default="mid", description="Price positions are valued at: the book's mid or the last trade"
    )
    starting_cash: Decimal = Field(
        default=Decimal(100_000),
        ge=0,
        le=MONEY_MAX,
        description="Account cash before the first fill",
    )
    currency: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9]{0,20}$",
        description="Account currency; default: the instruments' quote currency",
    )
    revalue_ms: int = Field(
        default=250, ge=1, le=MINUTE * 1000, description="How often positions are re-marked"
    )


class InstrumentLimits(Section):
    """Per-instrument limits in base units (e.g. BTC); the notional limits apply as well."""

    max_order_qty: Decimal | None = Field(default=None, gt=0, le=QTY_MAX)
    max_position: Decimal | None = Field(default=None, gt=0, le=QTY_MAX)


class RiskConfig(Section):
    """Pre-trade checks, post-trade limits and the kill switch. Money in the account currency."""

    max_order_notional: Decimal = Field(default=Decimal(250_000), gt=0, le=MONEY_MAX)
    max_position_notional: Decimal = Field(
        default=Decimal(500_000),
        gt=0,
        le=MONEY_MAX,
        description="Per instrument, counting working orders",
    )
    instruments: dict[str, InstrumentLimits] = Field(
        default_factory=dict, description="Limits by symbol, e.g. [risk.instruments.'BTC/USDT']"
    )
    price_band_bps: int = Field(
        default=500,
        gt=0,
        le=BPS_MAX,
        description="Fat finger: furthest a limit price may be "
        "from the reference price (mid, else last)",
    )
    market_protection_bps: int = Field(
        default=50,
        ge=1,
        le=1_000,
        description="A market order never trades further than this from the reference price "
        "(mid, else last): its protection price (risk/protection.py); at most "
        "price_band_bps",
    )
    max_open_orders: int = Field(default=100, gt=0, le=THROTTLE_MAX)
    orders_per_second: float = Field(
        default=50, gt=0, le=THROTTLE_MAX, description="Global order throttle rate"
    )
    order_burst: int = Field(
        default=100, gt=0, le=THROTTLE_MAX, description="Global order throttle burst"
    )
    venue_orders_per_second: float | None = Field(
        default=None,
        gt=0,
        le=THROTTLE_MAX,
        description="Per-venue throttle; default: the venue's own limit",
    )
    venue_order_burst: int | None = Field(default=None, gt=0, le=THROTTLE_MAX)
    duplicate_window_ms: int = Field(
        default=250,
        ge=0,
        le=MINUTE * 1000,
        description="An identical order (instrument, side, price, qty) within it is denied",
    )
    daily_loss_limit: Decimal = Field(
        default=Decimal(5_000),
        gt=0,
        le=MONEY_MAX,
        description="Trips the kill switch at today's PnL <= -this",
    )
    max_drawdown: Decimal = Field(
        default=Decimal(10_000),
        gt=0,
        le=MONEY_MAX,
        description="Trips when equity falls this far below the peak",
    )
    flatten_max_attempts: int = Field(default=5, ge=1, le=100)
    flatten_retry_ms: int = Field(default=500, ge=1, le=MINUTE * 1000)
    flatten_slippage_bps: int = Field(
        default=50,
        ge=0,
        le=BPS_MAX,
        description="How far through the reference price a flattening IOC order may trade",
    )
    feed_loss_policy: Literal["halt", "ignore"] = Field(
        default="halt", description="Market data lost for longer than the grace period: halt"
    )
    feed_loss_grace_s: float = Field(
        default=5.0,
        gt=0,
        le=HOUR,
        description="Market data lost (disconnected, stale) this long: halt",
    )
    resync_grace_s: float = Field(
        default=30.0,
        gt=0,
        le=HOUR,
        description="A feed that is "
        "recovering (connected, books resyncing) is not lost; not "
        "recovered after this long from the start of the outage: halt",
    )

    @model_validator(mode="after")
    def _protection_inside_the_band(self) -> RiskConfig:
        if self.market_protection_bps > self.price_band_bps:
            raise ValueError(
                f"market_protection_bps ({self.market_protection_bps}) must not exceed "
                f"price_band_bps ({self.price_band_bps}): a market order's protection price "
                "is a limit the fat-finger band would refuse"
            )
        return self


class SessionConfig(Section):
    """How a trading session behaves when its terminal or process goes away."""

    on_hangup: Literal["keep", "halt", "halt_cancel"] = Field(
        default="halt_cancel",
        description="SIGHUP / SSH drop: keep running, HALT (orders stay), "
        "or HALT and cancel every working order",
    )
    cancel_on_exit: bool = Field(default=True, description="Cancel working orders on a clean stop")
