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

# first: it sets pydantic's environment before any model is built (see there)
from tradeterm.config_base import ConfigError, Section

from pydantic import Field, ValidationError, ValidationInfo, field_validator  # noqa: E402
from pydantic_settings import (  # noqa: E402
    BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict,
)

# the sections live in three modules; everything is importable from here
from tradeterm.config_trading import (
    InstrumentLimits, OmsConfig, PortfolioConfig, RiskConfig, SessionConfig,
)
from tradeterm.config_venues import (
    BinanceConfig, CcxtConfig, ExchangeConfig, LoopbackAccount, LoopbackSymbol,
)

ACTIVITY_PRESETS: dict[str, float] = {"calm": 200, "normal": 2_000, "busy": 20_000, "storm": 50_000}

__all__ = [
    "ConfigError", "Section", "Settings", "load_settings", "InstrumentLimits", "OmsConfig",
    "PortfolioConfig", "RiskConfig", "SessionConfig", "BinanceConfig", "CcxtConfig",
    "ExchangeConfig", "LoopbackAccount", "LoopbackSymbol",
]


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
