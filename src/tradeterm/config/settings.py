"""The root of the configuration: one pydantic-settings model, one section per component.

Sources, strongest first: the command line (what ``load_settings`` is given as keyword
arguments: ``--seed 42`` is ``sim={"seed": 42}``), ``TRADETERM_*`` environment variables (nested
with ``__``, e.g. ``TRADETERM_SIM__ACTIVITY=busy``), the TOML file given with ``--config``, then
the defaults. ``sources.py`` composes them; ``load_settings`` turns every problem into a
``ConfigError`` that names the key, the reason and the source the value came from.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

# first: it sets pydantic's environment before any model is built (see there)
from tradeterm.config.base import HOUR, Qty, Section, plain_text

from pydantic import Field, field_validator  # noqa: E402
from pydantic_settings import (  # noqa: E402
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from tradeterm.config.alerts import AlertsConfig
from tradeterm.config.quoter import QuoterConfig
from tradeterm.config.sim import PaperConfig, SimConfig
from tradeterm.config.trading import OmsConfig, PortfolioConfig, RiskConfig, SessionConfig
from tradeterm.config.venues import BinanceConfig, CcxtConfig, ExchangeConfig


MAX_PRESETS = 9  # size presets of one instrument


class UIConfig(Section):
    """The terminal workstation."""

    refresh_hz: float = Field(default=20.0, ge=1, le=30, description="Pane redraw rate (max 30)")
    theme: str = Field(
        default="tradeterm-dark",
        description="tradeterm-dark | -light | -high-contrast | -colorblind, or a "
        "theme file of your own in <data_dir>/themes",
    )
    keys: dict[str, str] = Field(
        default_factory=dict, description='Remap bindings by id, e.g. "app.quit" = "ctrl+q"'
    )
    confirm_orders: bool = Field(
        default=False,
        description="Ask before sending an order from the command line or "
        "the ladder (always on in LIVE)",
    )
    default_size: Qty | dict[str, Qty] = Field(
        default=Decimal("0.01"),
        description="Ladder b/s order size, base units: one value, or per symbol / base asset "
        'with "*" as the fallback, e.g. {"BTC" = 0.01, "*" = 0.1}',
    )
    sizes: dict[str, list[Qty]] = Field(
        default_factory=dict,
        description="Size presets, base units, cycled by z / Z: per symbol / base asset with "
        '"*" as the fallback, e.g. "BTC/USDT" = [0.01, 0.1, 0.5, 1]; each a multiple of '
        "the instrument's order step. Default: default_size x 1, 2, 5, 10",
    )
    join_ticks: int = Field(
        default=1,
        ge=1,
        le=1000,
        description="N of the join keys' offsets: J / K join N ticks in front of the "
        "touch, u / i N ticks behind it",
    )

    @field_validator("sizes")
    @classmethod
    def _preset_lists(cls, value: dict[str, list[Decimal]]) -> dict[str, list[Decimal]]:
        for name, presets in value.items():
            if not presets or len(presets) > MAX_PRESETS:
                raise ValueError(
                    f'"{name}": give 1 to {MAX_PRESETS} sizes, e.g. [0.01, 0.1, 0.5, 1]'
                )
            if len(set(presets)) != len(presets):
                raise ValueError(f'"{name}": a size is listed twice ({presets})')
        return value


class RecordConfig(Section):
    """The session journal: every bus message of every session, for replay, export and report."""

    enabled: bool = Field(default=True, description="Record every session (--no-record: off)")
    directory: Path | None = Field(
        default=None, description="Where journals go; default <data_dir>/recordings"
    )
    flush_ms: int = Field(
        default=250,
        ge=10,
        le=250,
        description="Longest time a message waits in memory before the file",
    )
    block_records: int = Field(
        default=16_384, ge=64, le=1_000_000, description="Most records in one journal block"
    )
    compression_level: int = Field(default=3, ge=1, le=19, description="zstd level of blocks")
    fsync_seconds: float = Field(
        default=5.0, ge=0, le=HOUR, description="Push the file to disk this often (0: at close)"
    )
    keyframe_interval_s: float = Field(
        default=60.0,
        ge=0,
        le=HOUR,
        description="A keyframe of the market (books, tape) this often, for seeking (0: none)",
    )


class ReplayConfig(Section):
    """Reviewing a recording (``tradeterm replay``)."""

    large_trade: Qty = Field(
        default=Decimal("1"),
        description="The smallest large trade, base units, for the replay's next / previous "
        "large trade keys (v / V)",
    )


class LogConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """All of tradeterm's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="TRADETERM_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    data_dir: Path | None = Field(default=None, description="State and recordings; XDG default")
    sim: SimConfig = Field(default_factory=SimConfig)
    paper: PaperConfig = Field(default_factory=PaperConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    quoter: QuoterConfig = Field(default_factory=QuoterConfig)
    record: RecordConfig = Field(default_factory=RecordConfig)
    replay: ReplayConfig = Field(default_factory=ReplayConfig)
    log: LogConfig = Field(default_factory=LogConfig)
    exchange: ExchangeConfig = Field(default_factory=ExchangeConfig)
    binance: BinanceConfig = Field(default_factory=BinanceConfig)
    ccxt: CcxtConfig = Field(default_factory=CcxtConfig)
    oms: OmsConfig = Field(default_factory=OmsConfig)
    portfolio: PortfolioConfig = Field(default_factory=PortfolioConfig)
    risk: RiskConfig = Field(default_factory=RiskConfig)
    session: SessionConfig = Field(default_factory=SessionConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)

    @field_validator("data_dir")
    @classmethod
    def _plain_path(cls, value: Path | None) -> Path | None:
        checked: Path | None = plain_text(value)
        return checked

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # one place orders the sources: ``sources.compose`` (command line >
        # environment > file > defaults) hands the merged values over as init arguments
        return (init_settings,)

    def recordings_dir(self) -> Path:
        return (
            self.record.directory.expanduser()
            if self.record.directory is not None
            else self.resolved_data_dir() / "recordings"
        )

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


def load_settings(path: Path | str | None = None, **flags: Any) -> Settings:
    """The settings of a session: ``flags`` (the command line, by section: ``sim={"seed": 42}``)
    over the ``TRADETERM_*`` environment over the TOML file at ``path`` over the defaults.
    Raises ConfigError naming each bad key, why, and where its value came from."""
    from tradeterm.config.sources import load

    return load(Settings, path, flags)
