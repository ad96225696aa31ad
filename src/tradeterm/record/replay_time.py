"""The times a replay seek accepts (``g`` in the TUI, ``--start`` on the command line), and how a
time is said back to the trader.

* ``HH:MM[:SS[.ffffff]]`` (UTC): the first moment at or after the recording's start with that
  clock time, so ``00:00:05`` on a recording that crosses midnight is the next day's;
* ``YYYY-MM-DD HH:MM[:SS]`` (or ISO ``T``, an offset allowed; UTC without one): that moment,
  for a recording longer than a day where a clock time occurs more than once;
* ``+90s`` / ``-5m`` / ``+1h`` (a bare number is seconds): relative to the replay clock.

A time outside the recording is refused with its span; a replay that can only play forward
refuses a time behind its clock in ``ReplayTransport.seek`` (rewind is not built yet).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

NS = 1_000_000_000
UNITS = {"s": 1, "m": 60, "h": 3600}
FORMS = "HH:MM:SS (UTC), +90s / -5m from the replay clock, or a date and time (2024-08-09 00:00:05)"


def parse_time(text: str, start_ns: int, end_ns: int, now_ns: int) -> int:
    """The time ``text`` names in a recording running ``start_ns`` to ``end_ns`` whose replay
    clock is at ``now_ns``. Raises ValueError saying what was wrong and what is accepted."""
    t = text.strip()
    if not t:
        raise ValueError(f"no time given: use {FORMS}")
    if t[0] in "+-":
        target = now_ns + _offset(t, text)
    else:
        target = _clock_time(t, start_ns) if _looks_like_clock(t) else _moment(t, text)
    first = start_ns - start_ns % 1000  # times are typed to the microsecond
    if first <= target < start_ns:
        target = start_ns
    if not start_ns <= target <= end_ns:
        raise ValueError(
            f"{text.strip()} ({_utc(target).strftime('%Y-%m-%d %H:%M:%S')}) is not "
            f"in this recording: it runs {span(start_ns, end_ns)}"
        )
    return target


def _offset(t: str, text: str) -> int:
    sign = -1 if t[0] == "-" else 1
    body = t[1:].strip().lower()
    unit = body[-1] if body and body[-1] in UNITS else "s"
    number = body[:-1] if body and body[-1] in UNITS else body
    try:
        seconds = float(number)
        if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
            raise ValueError
        return sign * int(round(seconds * UNITS[unit] * NS))
    except (ValueError, OverflowError):
        raise ValueError(
            f"cannot read time {text!r}: after '{t[0]}' give seconds, minutes or "
            "hours, e.g. +90s, -5m or +1h"
        ) from None


def _looks_like_clock(t: str) -> bool:
    return ":" in t and "-" not in t and "T" not in t.upper() and " " not in t


def _clock_time(t: str, start_ns: int) -> int:
    for fmt in ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M"):
        try:
            parsed = datetime.strptime(t, fmt)
        except ValueError:
            continue
        start = _utc(start_ns)
        moment = start.replace(
            hour=parsed.hour,
            minute=parsed.minute,
            second=parsed.second,
            microsecond=parsed.microsecond,
        )
        at = _ns(moment)
        if at < start_ns - start_ns % 1000:  # earlier on the first day: the next day's
            at = _ns(moment + timedelta(days=1))
        return at
    raise ValueError(f"cannot read time {t!r}: use {FORMS}")


def _moment(t: str, text: str) -> int:
    try:
        moment = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"cannot read time {text.strip()!r}: use {FORMS}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return _ns(moment)


def _utc(ts_ns: int) -> datetime:
    return datetime.fromtimestamp(ts_ns // NS, tz=timezone.utc).replace(
        microsecond=(ts_ns % NS) // 1000
    )


def _ns(moment: datetime) -> int:
    whole = moment.replace(microsecond=0)
    return int(whole.timestamp()) * NS + moment.microsecond * 1000


def _clock(ts_ns: int) -> str:
    dt = _utc(ts_ns)
    return dt.strftime("%H:%M:%S") + (
        f".{dt.microsecond:06d}".rstrip("0") if dt.microsecond else ""
    )


def say_time(ts_ns: int, start_ns: int, sep: str = " ") -> str:
    """``ts_ns`` (to the microsecond) as the trader would type it: the clock time when that
    names this moment of the recording, else with its date (joined by ``sep``: ``T`` for a
    command line)."""
    clock = _clock(ts_ns)
    day = _utc(ts_ns).date()
    if _clock_time(clock, start_ns) == ts_ns - ts_ns % 1000:
        return clock
    return f"{day.isoformat()}{sep}{clock}"


def span(start_ns: int, end_ns: int) -> str:
    """The recording's span: ``2024-08-08 23:54:13 to 23:59:59 UTC`` (the second date only when
    it differs)."""
    a, b = _utc(start_ns), _utc(end_ns)
    tail = b.strftime("%H:%M:%S") if a.date() == b.date() else b.strftime("%Y-%m-%d %H:%M:%S")
    return f"{a.strftime('%Y-%m-%d %H:%M:%S')} to {tail} UTC"
