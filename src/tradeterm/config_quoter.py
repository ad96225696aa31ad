"""Configuration section of the market-making quoter (part of ``config``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from tradeterm.config_base import Section


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
