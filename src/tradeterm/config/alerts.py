"""``[alerts]``: alerts set by the configuration, and how a firing is announced."""

from __future__ import annotations

from pydantic import Field, field_validator

from tradeterm.config.base import Section
from tradeterm.domain.alert_grammar import AlertSyntaxError, parse_rule

MAX_RULES = 100


class AlertsConfig(Section):
    """Alerts (``alert ...`` on the command line sets more; those are kept in the data dir).
    Every firing is a notification, a log line and a journal record."""

    bell: bool = Field(default=True, description="Ring the terminal bell when an alert fires")
    fills: bool = Field(
        default=False, description="Alert on every fill of our orders (a repeating `fill`)"
    )
    rearm_ticks: int = Field(
        default=3,
        ge=0,
        le=1_000_000,
        description="A repeating price alert fires again only once the price has gone this "
        "many ticks back past its level (`crosses`: away from it); 0 re-arms just off the level",
    )
    min_interval_s: float = Field(
        default=0.0,
        ge=0.0,
        le=86_400.0,
        description="Least seconds between two firings of a repeating price alert (one within "
        "it is swallowed)",
    )
    rules: list[str] = Field(
        default_factory=list,
        max_length=MAX_RULES,
        description='Rules in the command line\'s grammar, e.g. ["BTC > 62000", "pnl < -500", '
        '"drawdown > 2%", "ETH/USDT crosses 2650 repeat", "stale"]',
    )

    @field_validator("rules")
    @classmethod
    def _rules(cls, value: list[str]) -> list[str]:
        for n, text in enumerate(value):
            try:
                parse_rule(text.strip().removeprefix("alert "))
            except AlertSyntaxError as exc:
                raise ValueError(f"rules[{n}] {text!r}: {exc}") from None
        return value
