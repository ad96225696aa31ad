"""Configuration sections of the embedded simulated market and of paper fills (part of
``config``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from tradeterm.config.base import (
    FEE_MAX,
    FEE_MIN,
    INT64_MAX,
    MONEY_MAX,
    PRICE_MAX,
    Section,
    at_most_decimals,
)

ASSET = r"^[A-Za-z0-9]{1,20}$"  # BTC, USDT, 1000SHIB
MAX_PRICE_TICKS = 10**12  # a price of at most a trillion ticks

ACTIVITY_PRESETS: dict[str, float] = {"calm": 200, "normal": 2_000, "busy": 20_000, "storm": 50_000}


class SimInstrument(Section):
    """One instrument of the embedded simulated market."""

    symbol: str = Field(pattern=r"^\S{1,40}$", description="Display symbol, e.g. SIM-BTC/USD")
    base: str = Field(pattern=ASSET)
    quote: str = Field(pattern=ASSET)
    tick_size: Decimal = Field(gt=0, le=10**6, description="Price increment")
    lot_size: Decimal = Field(gt=0, le=10**6, description="Quantity increment")
    min_notional: Decimal = Field(default=Decimal(0), ge=0, le=MONEY_MAX)
    maker_fee: Decimal = Field(
        default=Decimal("0.0001"), ge=FEE_MIN, le=FEE_MAX, description="Rate; negative = rebate"
    )
    taker_fee: Decimal = Field(default=Decimal("0.0004"), ge=FEE_MIN, le=FEE_MAX)
    start_price: Decimal = Field(gt=0, le=PRICE_MAX)
    vol_bps_per_sqrt_s: float = Field(
        default=2.0, ge=0, le=100, description="Fair-price volatility"
    )
    jumps_per_hour: float = Field(default=6.0, ge=0, le=3_600)
    jump_bps: float = Field(default=25.0, ge=0, le=2_000)
    depth_ticks: float = Field(
        default=12.0, gt=0, le=100_000, description="Mean distance of passive orders"
    )
    maker_median_lots: int = Field(default=100, gt=0, le=10**12)
    taker_median_lots: int = Field(default=60, gt=0, le=10**12)
    weight: float = Field(default=1.0, gt=0, le=1_000, description="Share of the market's activity")
    post_only: Literal["reject", "slide"] = Field(
        default="reject",
        description="A post-only order that would take: reject it, or slide "
        "it one tick inside the opposite best",
    )
    pro_rata: bool = Field(
        default=False,
        description="Allocate each level pro rata to size (remainder by time) instead of FIFO",
    )
    self_trade_prevention: Literal["none", "cancel_resting", "cancel_aggressing", "cancel_both"] = (
        Field(
            default="cancel_aggressing",
            description="What the exchange does when an account's "
            "order would trade with its own resting order",
        )
    )

    @field_validator("tick_size", "lot_size")
    @classmethod
    def _grid(cls, v: Decimal) -> Decimal:
        return at_most_decimals(v, 12)  # type: ignore[return-value]

    @model_validator(mode="after")
    def _price_on_the_grid(self) -> SimInstrument:
        ticks = self.start_price / self.tick_size
        if ticks < 1 or ticks > MAX_PRICE_TICKS:
            raise ValueError(
                f"start_price {self.start_price} must be between one tick and "
                f"{MAX_PRICE_TICKS:,} ticks of {self.tick_size}"
            )
        return self


def _default_sim_instruments() -> list[SimInstrument]:
    return [
        SimInstrument(
            symbol="SIM-BTC/USD",
            base="BTC",
            quote="USD",
            tick_size=Decimal("0.5"),
            lot_size=Decimal("0.0001"),
            min_notional=Decimal(5),
            start_price=Decimal(61800),
            maker_median_lots=400,
            taker_median_lots=250,
            weight=1.5,
        ),
        SimInstrument(
            symbol="SIM-ETH/USD",
            base="ETH",
            quote="USD",
            tick_size=Decimal("0.05"),
            lot_size=Decimal("0.001"),
            min_notional=Decimal(5),
            start_price=Decimal(2650),
            maker_median_lots=800,
            taker_median_lots=500,
            vol_bps_per_sqrt_s=2.5,
        ),
    ]


class SimConfig(Section):
    """The embedded simulated market."""

    activity: Literal["calm", "normal", "busy", "storm"] = Field(
        default="normal", description="Preset rate: calm 200, normal 2k, busy 20k, storm 50k ev/s"
    )
    events_per_second: float | None = Field(
        default=None, gt=0, le=1_000_000, description="Agent actions per second; overrides activity"
    )
    seed: int | None = Field(
        default=None, ge=0, le=INT64_MAX, description="Seed; random (and reported) if unset"
    )
    seed_orders: int = Field(
        default=300, ge=1, le=100_000, description="Resting orders per side at start"
    )
    instruments: list[SimInstrument] = Field(
        default_factory=_default_sim_instruments, min_length=1, max_length=100
    )

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
        default="queue",
        description="queue: fills once trades exhaust the queue ahead or trade "
        "through the price; trade-through: only trades through the price; touch: fills in full "
        "when the price is touched (optimistic)",
    )
    latency_ms: float = Field(
        default=0.0, ge=0, le=10_000, description="Order and cancel arrival delay"
    )
    latency_jitter_ms: float = Field(
        default=0.0, ge=0, le=10_000, description="Extra random delay, uniform 0..jitter"
    )
    cancels_ahead: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of size leaving our level without a trade "
        "that is assumed to have been ahead of us (0 = conservative: only trades advance us)",
    )
    post_only: Literal["reject", "slide"] = Field(
        default="reject", description="Post-only that would take"
    )
