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


class UIConfig(Section):
    """The terminal workstation."""

    refresh_hz: float = Field(default=20.0, ge=1, le=30, description="Pane redraw rate (max 30)")
    ladder_levels: int = Field(default=0, ge=0, le=200,
                               description="Price rows in the ladder; 0 = fit the pane")


class LogConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


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
    ui: UIConfig = Field(default_factory=UIConfig)
    log: LogConfig = Field(default_factory=LogConfig)
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
