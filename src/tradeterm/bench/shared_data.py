"""Where the shared market data lives (the real Binance captures the benchmarks and some tests
run on): ``TRADETERM_SHARED_DATA`` if set (that folder only: what the user named wins), else
``shared/data`` in a folder above this file or above the working directory (a checkout's
``../shared/data``). A clone without it finds nothing: callers skip or say so."""

from __future__ import annotations

import os
from pathlib import Path

CAPTURE = "binance-spot-btcusdt-20240808.gz"  # the real BTCUSDT capture, 2024-08-08


def find_shared(name: str) -> Path | None:
    env = os.environ.get("TRADETERM_SHARED_DATA")
    if env:
        folders = [Path(env)]
    else:
        folders = [p / "shared" / "data" for p in Path(__file__).resolve().parents]
        folders += [p / "shared" / "data" for p in Path.cwd().resolve().parents]
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    return None
