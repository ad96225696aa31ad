"""Configuration section of the market-making quoter (part of ``config``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from tradeterm.config.base import DAY, HOUR, QTY_MAX, WEEK, Section

# the model's parameters (prices in ticks, time in seconds), bounded where the model still
# means something: a risk aversion of 1e9 per tick quotes nothing a trader would want
Gamma = Annotated[float, Field(gt=0, le=10, description="Risk aversion, per tick (at most 10)")]
Sigma = Annotated[float, Field(gt=0, le=1e6, description="Volatility, ticks/sqrt(s)")]
K = Annotated[float, Field(gt=0, le=1_000, description="Intensity decay per tick")]
Arrivals = Annotated[
    float, Field(gt=0, le=10_000, description="Arrivals per second per side at the mid")
]
Size = Annotated[Decimal, Field(gt=0, le=QTY_MAX, description="Quote size, base units")]
Position = Annotated[Decimal, Field(ge=0, le=QTY_MAX, description="|position| limit, base units")]
Ticks = Annotated[int, Field(ge=1, le=100_000)]
Count = Annotated[int, Field(ge=1, le=100_000)]


class QuoterOverrides(Section):
    """Values for one symbol that replace the ``[quoter]`` ones (``[quoter.per_symbol."X"]``)."""

    order_size: Size | None = None
    max_position: Position | None = None
    gamma: Gamma | None = None
    sigma: Sigma | None = None
    k: K | None = None
    A: Arrivals | None = None
    min_spread_ticks: Ticks | None = None
    max_spread_ticks: Ticks | None = None

    @model_validator(mode="after")
    def _spread_bounds(self) -> QuoterOverrides:
        low, high = self.min_spread_ticks, self.max_spread_ticks
        if low is not None and high is not None and high < low:
            raise ValueError(f"max_spread_ticks ({high}) must be >= min_spread_ticks ({low})")
        return self


class QuoterConfig(Section):
    """The market-making quoter (Avellaneda-Stoikov / Gueant-Lehalle-Fernandez-Tapia).

    Model units: prices in ticks, time in seconds, inventory in clips (position / order size).
    Unset ``sigma``, ``k`` and ``A`` are estimated from the market data while running.
    """

    enabled: bool = Field(default=False, description="Quote from the start of the session")
    symbols: list[str] = Field(
        default_factory=list, description="Symbols to quote; empty = every instrument"
    )
    model: Literal["glft", "avellaneda_stoikov"] = Field(
        default="glft", description="glft: no horizon (24/7); avellaneda_stoikov: horizon_s"
    )
    gamma: Gamma = 0.05
    horizon_s: float = Field(
        default=3600.0,
        gt=0,
        le=DAY,
        description="avellaneda_stoikov: T; restarts every horizon (UTC)",
    )
    sigma: Sigma | None = Field(
        default=None, description="Volatility, ticks/sqrt(s); unset = estimated"
    )
    k: K | None = Field(default=None, description="Intensity decay per tick; unset = estimated")
    A: Arrivals | None = Field(
        default=None, description="Arrivals per second per side at the mid; unset = estimated"
    )
    fair_price: Literal["mid", "micro", "vamp"] = Field(
        default="mid", description="Price the model quotes around"
    )
    vamp_depth_clips: int = Field(
        default=5, ge=1, le=1_000, description="VAMP depth in order sizes"
    )
    order_size: Size | None = Field(
        default=None, description="Quote size, base units; unset = 2x min notional"
    )
    max_position: Position | None = Field(
        default=None, description="|position| a fill may never exceed; unset = 10 sizes"
    )
    levels: int = Field(default=1, ge=1, le=10, description="Quotes per side")
    level_step_ticks: Ticks = Field(default=1, description="Distance between levels")
    min_spread_ticks: Ticks = 1
    max_spread_ticks: Ticks | None = None
    requote_ticks: Ticks = Field(
        default=1, description="Replace a quote only when it moved this many ticks"
    )
    max_quote_age_s: float = Field(
        default=30.0, gt=0, le=DAY, description="... or is older than this"
    )
    max_orders_per_s: float = Field(
        default=20.0,
        gt=0,
        le=1_000,
        description="New orders and modifies per second (cancels always go)",
    )
    stale_after_s: float = Field(
        default=5.0, gt=0, le=HOUR, description="Pull all quotes when the book is older than this"
    )
    reject_backoff_s: float = Field(
        default=1.0, ge=0, le=HOUR, description="Pause after a rejected or denied order"
    )
    post_only: bool = True
    vol_estimator: Literal["ewma", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang"] = (
        "yang_zhang"
    )
    vol_source: Literal["mid", "trade"] = Field(default="mid", description="Bars built from")
    bar_seconds: float = Field(default=1.0, gt=0, le=3600)
    vol_window_bars: int = Field(default=300, ge=10, le=100_000)
    ewma_halflife_bars: float = Field(default=60.0, gt=0, le=100_000)
    intensity_halflife_s: float | None = Field(
        default=900.0, gt=0, le=WEEK, description="Forgetting of the A, k fit; unset = none"
    )
    warmup_bars: int = Field(
        default=30,
        ge=2,
        le=100_000,
        description="Bars before sigma is trusted (at most vol_window_bars)",
    )
    warmup_sweeps: Count = Field(default=30, description="Sweeps before A and k are trusted")
    refresh_ms: int = Field(
        default=250,
        ge=10,
        le=10_000,
        description="Timer: estimates, staleness, quote age, the view",
    )
    per_symbol: dict[str, QuoterOverrides] = Field(default_factory=dict)

    @field_validator("max_spread_ticks")
    @classmethod
    def _spread_bounds(cls, v: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_spread_ticks", 1)
        if v is not None and v < low:
            raise ValueError(f"must be >= min_spread_ticks ({low})")
        return v

    @model_validator(mode="after")
    def _warmup_fits_the_window(self) -> QuoterConfig:
        if self.warmup_bars > self.vol_window_bars:  # the window never holds that many bars
            raise ValueError(
                f"warmup_bars ({self.warmup_bars}) must be at most "
                f"vol_window_bars ({self.vol_window_bars}): sigma would never "
                "be trusted"
            )
        return self
