"""The base of every configuration section, the error the trader sees, and the limits every
number in the configuration is held to.

Every number has a lower and an upper bound (a test walks the whole settings tree), and
infinity and NaN are refused everywhere: a value that would break a session (a timer of
``inf`` seconds, a cash balance of 1e308) is a configuration error with the key and the reason,
found by ``tradeterm config check`` and at start, never a failure on every book update.
"""

from __future__ import annotations

import os
import unicodedata
from decimal import Decimal
from pathlib import PurePath
from typing import Annotated, Any

# Before the first model is built: pydantic looks for plugins in the entry points of every
# installed distribution the first time it builds a model (~10 ms of every start-up); tradeterm
# uses none. A PYDANTIC_DISABLE_PLUGINS already in the environment (even empty) is respected.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import BaseModel, ConfigDict, Field, field_validator  # noqa: E402

# durations
MINUTE = 60
HOUR = 3_600
DAY = 86_400
WEEK = 7 * DAY
# a seed, an id: what an int64 holds (journals and venues carry int64)
INT64_MAX = 2**63 - 1
# money in the account currency, and amounts of an asset (base units): a trillion is more than
# any desk's account or limit; a billion units of an asset more than any one order or position
MONEY_MAX = Decimal(10) ** 12
QTY_MAX = Decimal(10) ** 9
PRICE_MAX = Decimal(10) ** 9
# a fee rate: a rebate of up to 1 %, a fee of up to 10 %
FEE_MIN = Decimal("-0.01")
FEE_MAX = Decimal("0.1")
# basis points: 10 000 is 100 %
BPS_MAX = 10_000

Money = Annotated[Decimal, Field(ge=0, le=MONEY_MAX)]
Qty = Annotated[Decimal, Field(gt=0, le=QTY_MAX)]


class ConfigError(Exception):
    """A configuration problem, already phrased for the trader."""


def plain_text(value: Any) -> Any:
    """Refuses a control character (a NUL in a path failed at mkdir with a traceback) in a
    string, a path, or any string inside a list or table."""
    if isinstance(value, str | PurePath):
        bad = next((c for c in str(value) if unicodedata.category(c) == "Cc"), None)
        if bad is not None:
            raise ValueError(f"contains a control character (U+{ord(bad):04X})")
    elif isinstance(value, list | tuple):
        for item in value:
            plain_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            plain_text(key)
            plain_text(item)
    return value


def ascii_digits(value: Any) -> Any:
    """Refuses a non-ASCII digit in a text value (or one inside a list or table) before it is
    read as a number (pydantic's Decimal reads '１０' as 10, as Decimal() does)."""
    if isinstance(value, str):
        bad = next((c for c in value if not c.isascii() and unicodedata.category(c) == "Nd"), None)
        if bad is not None:
            raise ValueError(
                f"{value!r} holds the digit {bad!r} (U+{ord(bad):04X}, "
                f"{unicodedata.name(bad, '?')}); write numbers in digits 0-9"
            )
    elif isinstance(value, list | tuple):
        for item in value:
            ascii_digits(item)
    elif isinstance(value, dict):
        for item in value.values():
            ascii_digits(item)
    return value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _ascii_digits(cls, value: Any) -> Any:
        return ascii_digits(value)

    @field_validator("*")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)


def at_most_decimals(value: Decimal | None, places: int) -> Decimal | None:
    """A tick or lot size with at most ``places`` decimals (ValueError otherwise)."""
    if value is not None and value.normalize().as_tuple().exponent < -places:  # type: ignore
        raise ValueError(f"at most {places} decimals")
    return value
