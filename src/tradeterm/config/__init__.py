"""Configuration: one pydantic-settings model (``settings.py``), one section per component
(``sim.py``, ``quoter.py``, ``trading.py``, ``venues.py``; the shared limits and the error the
trader sees in ``base.py``), and where values come from (``sources.py``). Everything a caller
needs is importable from here: ``from tradeterm.config import Settings, load_settings``."""

# first: base sets pydantic's environment before any model is built (see there)
from tradeterm.config.base import ConfigError, Section
from tradeterm.config.alerts import AlertsConfig
from tradeterm.config.quoter import QuoterConfig, QuoterOverrides
from tradeterm.config.settings import (
    LogConfig,
    RecordConfig,
    Settings,
    UIConfig,
    load_settings,
)
from tradeterm.config.sim import ACTIVITY_PRESETS, PaperConfig, SimConfig, SimInstrument
from tradeterm.config.trading import (
    InstrumentLimits,
    OmsConfig,
    PortfolioConfig,
    RiskConfig,
    SessionConfig,
)
from tradeterm.config.venues import (
    BinanceConfig,
    CcxtConfig,
    ExchangeConfig,
    LoopbackAccount,
    LoopbackSymbol,
)

__all__ = [
    "ACTIVITY_PRESETS",
    "AlertsConfig",
    "ConfigError",
    "Section",
    "Settings",
    "load_settings",
    "UIConfig",
    "RecordConfig",
    "LogConfig",
    "InstrumentLimits",
    "OmsConfig",
    "PortfolioConfig",
    "RiskConfig",
    "SessionConfig",
    "BinanceConfig",
    "CcxtConfig",
    "ExchangeConfig",
    "LoopbackAccount",
    "LoopbackSymbol",
    "PaperConfig",
    "QuoterConfig",
    "QuoterOverrides",
    "SimConfig",
    "SimInstrument",
]
