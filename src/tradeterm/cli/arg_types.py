"""The command line's value types: one argparse type per kind of value, each refusing bad input
with one line that says what it expected (``parser.py`` uses them)."""

from __future__ import annotations

import argparse
import math

MAX_SECONDS = 366 * 86_400

QUOTER_MODELS = {
    "as": "avellaneda_stoikov",
    "avellaneda_stoikov": "avellaneda_stoikov",
    "glft": "glft",
    "placeholder": "placeholder",
    "on": "on",
}


def number(text: str) -> float:
    """A finite number in ASCII digits (float() also reads 'inf', 'nan' and Unicode digits)."""
    if not text.strip().isascii():
        raise argparse.ArgumentTypeError(f"expected a number in digits 0-9, got {text!r}")
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    value = number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (a count: rows, workers, cells)."""
    if not (text.strip().isascii() and text.strip().isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def tabs(text: str) -> int:
    """--max-tabs: 1 to 32 (each tab is a whole session, about 100 MB)."""
    if not (text.strip().isascii() and text.strip().isdigit()) or not 1 <= int(text) <= 32:
        raise argparse.ArgumentTypeError(f"expected a number of tabs from 1 to 32, got {text!r}")
    return int(text)


def seconds(text: str) -> float:
    """A run's length: more than 0, at most a year."""
    value = positive_float(text)
    if value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"at most {MAX_SECONDS:,} seconds (a year), got {text}")
    return value


def gamma(text: str) -> float:
    value = positive_float(text)
    if value > 10:
        raise argparse.ArgumentTypeError(f"a risk aversion above 0 and at most 10, got {text}")
    return value


def seed(text: str) -> int:
    if not text.strip().isascii():  # int() reads Unicode digits too
        raise argparse.ArgumentTypeError(f"expected a whole number in digits 0-9, got {text!r}")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    if value > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"at most {2**63 - 1} (a 64-bit seed), got {text}")
    return value


def paths(text: str) -> int:
    value = seed(text)
    if not 2 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be between 2 and 1000000, got {value}")
    return value


def quoter_model(text: str) -> str:
    model = QUOTER_MODELS.get(text.strip().lower())
    if model is None:
        raise argparse.ArgumentTypeError(
            f"expected glft, as (avellaneda_stoikov) or placeholder, got {text!r}"
        )
    return model


def port(text: str) -> int:
    if not text.strip().isascii():
        raise argparse.ArgumentTypeError(f"expected a port number in digits 0-9, got {text!r}")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def data_venue(text: str) -> str:
    """A market data source: ``sim``, ``binance`` or ``ccxt:<exchange>``."""
    name = text.strip()
    if name in ("sim", "binance") or (name.startswith("ccxt:") and name[5:].strip()):
        return name
    raise argparse.ArgumentTypeError(
        f"expected sim, binance or ccxt:<exchange> (e.g. ccxt:kraken), got {text!r}"
    )
