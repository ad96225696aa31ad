"""The base of every configuration section, and the error the trader sees."""

from __future__ import annotations

import os

# Before the first model is built: pydantic looks for plugins in the entry points of every
# installed distribution the first time it builds a model (~10 ms of every start-up); tradeterm
# uses none. A PYDANTIC_DISABLE_PLUGINS already in the environment (even empty) is respected.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import BaseModel, ConfigDict  # noqa: E402


class ConfigError(Exception):
    """A configuration problem, already phrased for the trader."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
