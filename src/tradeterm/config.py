"""Configuration: one pydantic-settings model, one section per component.

Sources, strongest first: ``TRADETERM_*`` environment variables (nested with ``__``, e.g.
``TRADETERM_SIM__ACTIVITY=busy``), then the TOML file given with ``--config``, then defaults.
``load_settings`` turns every problem into a ``ConfigError`` that names the key and the reason.
"""

from __future__ import annotations

import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
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
    ladder_levels: int = Field(default=0, ge=0, le=200,
                               description="Price rows in the ladder; 0 = fit the pane")


class LogConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """All of tradeterm's configuration."""

    model_config = SettingsConfigDict(env_prefix="TRADETERM_", env_nested_delimiter="__",
                                      extra="forbid", frozen=True)

    data_dir: Path | None = Field(default=None, description="State and recordings; XDG default")
    sim: SimConfig = Field(default_factory=SimConfig)
    paper: PaperConfig = Field(default_factory=PaperConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    log: LogConfig = Field(default_factory=LogConfig)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)  # environment beats the file

    def resolved_data_dir(self) -> Path:
        if self.data_dir is not None:
            return self.data_dir.expanduser()
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(xdg) / "tradeterm"


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
