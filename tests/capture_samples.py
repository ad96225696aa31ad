"""A small, consistent Binance spot capture (``<receive ns> <json>`` lines) for importer tests:
a REST snapshot, depth diffs that continue it, trades and bookTicker, for BTCUSDT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECV0 = 1_723_161_253_000_000_000
E0 = 1_723_161_255_000  # ms
SNAPSHOT_ID = 1_000


def snapshot() -> dict[str, Any]:
    return {
        "lastUpdateId": SNAPSHOT_ID,
        "bids": [["61837.63000000", "3.78826000"], ["61837.62000000", "0.61700000"]],
        "asks": [["61837.64000000", "1.54698000"], ["61838.04000000", "0.32332000"]],
    }


def diff(first: int, last: int, k: int) -> dict[str, Any]:
    return {
        "stream": "btcusdt@depth@100ms",
        "data": {
            "e": "depthUpdate",
            "E": E0 + k,
            "s": "BTCUSDT",
            "U": first,
            "u": last,
            "b": [["61837.63000000", f"{3 + k % 5}.00000000"]],
            "a": [["61838.04000000", "0.00000000"], ["61838.05000000", "0.10000000"]],
        },
    }


def trade(k: int) -> dict[str, Any]:
    return {
        "stream": "btcusdt@trade",
        "data": {
            "e": "trade",
            "E": E0 + k,
            "s": "BTCUSDT",
            "t": 3_735_683_259 + k,
            "p": "61837.63000000",
            "q": "0.02000000",
            "T": E0 + k,
            "m": bool(k % 2),
            "M": True,
        },
    }


def ticker(k: int) -> dict[str, Any]:
    return {
        "stream": "btcusdt@bookTicker",
        "data": {
            "u": SNAPSHOT_ID + k,
            "s": "BTCUSDT",
            "b": "61837.63000000",
            "B": "3.78826000",
            "a": "61837.64000000",
            "A": "1.54698000",
        },
    }


def messages(n: int = 20) -> list[dict[str, Any]]:
    """Diffs straddling then continuing the snapshot, each followed by a trade and a ticker."""
    out: list[dict[str, Any]] = [diff(SNAPSHOT_ID - 5, SNAPSHOT_ID - 1, 0), snapshot()]
    update = SNAPSHOT_ID - 1
    for k in range(n):
        out.append(diff(update + 1, update + 3, k))
        update += 3
        out.append(trade(k))
        out.append(ticker(k))
    return out


def line(recv: int, msg: Any) -> str:
    return f"{recv} {json.dumps(msg, separators=(',', ':'))}\n"


def write_capture(path: Path, msgs: list[Any] | None = None, raw: list[str] | None = None) -> Path:
    """Write ``msgs`` (default: ``messages()``) one a line, then the ``raw`` lines as given."""
    lines = [line(RECV0 + i * 1_000_000, m) for i, m in enumerate(msgs or messages())]
    path.write_text("".join(lines + (raw or [])))
    return path
