"""Binance's kline intervals and time zones: where a candle of an interval opens, and where the
next one does. Pure functions of milliseconds since the epoch (UTC).

Intervals: ``1s``, ``1m 3m 5m 15m 30m``, ``1h 2h 4h 6h 8h 12h``, ``1d 3d``, ``1w`` (weeks open on
Monday) and ``1M`` (calendar months). A ``timeZone`` (``-1:00``, ``05:45``, ``8``; from ``-12:00``
to ``+14:00``) moves where the candles open, as Binance documents; ``startTime``/``endTime``
stay UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tradeterm.venues.loopback.errors import ApiError

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
MONDAY = 4 * DAY  # 1970-01-01 was a Thursday: the first Monday is four days later
MONTH = "1M"

FIXED: dict[str, int] = {
    "1s": SECOND,
    "1m": MINUTE,
    "3m": 3 * MINUTE,
    "5m": 5 * MINUTE,
    "15m": 15 * MINUTE,
    "30m": 30 * MINUTE,
    "1h": HOUR,
    "2h": 2 * HOUR,
    "4h": 4 * HOUR,
    "6h": 6 * HOUR,
    "8h": 8 * HOUR,
    "12h": 12 * HOUR,
    "1d": DAY,
    "3d": 3 * DAY,
    "1w": WEEK,
}
INTERVALS = (*FIXED, MONTH)
TIME_ZONE = re.compile(r"^([+-]?)(\d{1,2})(?::(\d{2}))?$")


def check_interval(name: str | None) -> str:
    if not name:
        raise ApiError(
            -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed."
        )
    if name not in INTERVALS:
        raise ApiError(-1120, "Invalid interval.")
    return name


def is_kline_stream(kind: str) -> bool:
    """``kline_<interval>``, the part of a stream name after ``<symbol>@``."""
    return kind.startswith("kline_") and kind[6:] in INTERVALS


def time_zone_ms(text: str | None) -> int:
    """A ``timeZone`` parameter as an offset from UTC in milliseconds (none: 0)."""
    if not text:
        return 0
    match = TIME_ZONE.match(text.strip())
    if match is None:
        raise ApiError(-1130, "Data sent for parameter 'timeZone' is not valid.")
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    offset = hours * HOUR + minutes * MINUTE
    if sign == "-":
        offset = -offset
    if minutes >= 60 or not -12 * HOUR <= offset <= 14 * HOUR:
        raise ApiError(-1130, "Data sent for parameter 'timeZone' is not valid.")
    return offset


def opening(interval: str, ms: int, tz_ms: int = 0) -> int:
    """When the candle of ``interval`` that holds ``ms`` opens (UTC ms)."""
    local = ms + tz_ms
    if interval == MONTH:
        day = datetime.fromtimestamp(local / 1000, UTC)
        return _ms(datetime(day.year, day.month, 1, tzinfo=UTC)) - tz_ms
    size = FIXED[interval]
    anchor = MONDAY if interval == "1w" else 0
    return (local - anchor) // size * size + anchor - tz_ms


def following(interval: str, open_ms: int, tz_ms: int = 0) -> int:
    """When the candle after the one opening at ``open_ms`` opens."""
    if interval != MONTH:
        return open_ms + FIXED[interval]
    day = datetime.fromtimestamp((open_ms + tz_ms) / 1000, UTC)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return _ms(datetime(year, month, 1, tzinfo=UTC)) - tz_ms


def first_opening_from(interval: str, ms: int, tz_ms: int = 0) -> int:
    """The first candle opening at or after ``ms``."""
    start = opening(interval, ms, tz_ms)
    return start if start == ms else following(interval, start, tz_ms)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000
