"""Shared formatting for panes: times, sizes, colours that mean buy and sell."""

from __future__ import annotations

from datetime import datetime, timezone

BUY_STYLE = "bold green"
SELL_STYLE = "bold red"
BID_STYLE = "green"
ASK_STYLE = "red"


def hms(ts_ns: int, millis: bool = False) -> str:
    dt = datetime.fromtimestamp(ts_ns / 1e9, tz=timezone.utc)
    return dt.strftime("%H:%M:%S.%f")[:12] if millis else dt.strftime("%H:%M:%S")


def compact(value: float) -> str:
    """Short numbers for narrow columns: 950, 12.3k, 4.56M."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.4g}"
