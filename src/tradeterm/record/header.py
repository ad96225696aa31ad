"""What a journal header says about its session, and the file names recordings get."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradeterm.domain.instruments import Instrument

INSTRUMENT_FIELDS = (
    "venue",
    "symbol",
    "base",
    "quote",
    "tick_size",
    "lot_size",
    "min_notional",
    "maker_fee",
    "taker_fee",
    "qty_step_lots",
)
_INTS = {"qty_step_lots"}  # absent from recordings made before it existed: 1
_DECIMALS = {"tick_size", "lot_size", "min_notional", "maker_fee", "taker_fee"}


def instrument_to_dict(inst: Instrument) -> dict[str, str]:
    return {name: str(getattr(inst, name)) for name in INSTRUMENT_FIELDS}


def instrument_from_dict(d: dict[str, Any]) -> Instrument:
    args: dict[str, Any] = {
        name: (
            Decimal(str(d[name]))
            if name in _DECIMALS
            else int(d[name])
            if name in _INTS
            else str(d[name])
        )
        for name in INSTRUMENT_FIELDS
        if name in d
    }
    return Instrument(**args)


def session_header(
    mode: str,
    venue: str,
    instruments: list[Instrument],
    start_ns: int,
    config: dict[str, Any] | None = None,
    seed: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The header of a session's journal. No wall-clock data: a seeded simulated run must
    produce the same bytes every time."""
    header: dict[str, Any] = {
        "mode": mode,
        "venue": venue,
        "start_ns": start_ns,
        "seed": seed,
        "instruments": [instrument_to_dict(i) for i in instruments],
        "config": config or {},
    }
    header.update(extra)
    return header


def recording_path(directory: Path, mode: str, venue: str, start_ns: int) -> Path:
    """``<dir>/<UTC start>-<mode>-<venue>.ttj``, numbered if that name is taken."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(start_ns / 1e9))
    base = f"{stamp}-{mode}-{venue}".replace("/", "-").replace(":", "-")
    path = directory / f"{base}.ttj"
    n = 2
    while path.exists():
        path = directory / f"{base}-{n}.ttj"
        n += 1
    return path


SECRET_FIELDS = frozenset({"api_key", "api_secret", "key", "secret", "password"})


def redacted(value: Any) -> Any:
    """The config as the journal keeps it: every key/secret field (e.g. the loopback
    exchange's accounts) masked, so no credential is ever written into a recording."""
    if isinstance(value, dict):
        return {k: "***" if k in SECRET_FIELDS and v else redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value
