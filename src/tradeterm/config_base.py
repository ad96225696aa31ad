"""The base of every configuration section, and the error the trader sees."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ConfigError(Exception):
    """A configuration problem, already phrased for the trader."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
