"""What a Binance capture line must look like before the importer uses it.

A capture is data from outside: a line may be cut, edited or simply wrong. ``check_message``
checks a parsed message's shape against what Binance documents (integer ids and times, prices
and sizes as plain ASCII decimal strings, book levels as ``[price, size]`` pairs) and
``check_event`` the decoded event's values (prices above zero, trade sizes above zero, level sizes
zero or more, everything within 64 bits). Either raises ``Malformed`` with the reason, and the
importer counts the line as malformed with its line number; nothing unchecked reaches a
recording, so a negative or zero trade is never imported.

Messages of a type the importer does not handle pass unchecked: the decoder reports them as
unhandled.
"""

from __future__ import annotations

import re
from typing import Any

from tradeterm.domain.market import BookDelta, BookSnapshot, TopOfBook, Trade

INT64_MAX = 2**63 - 1
MS_MAX = INT64_MAX // 1_000_000  # a millisecond time whose nanoseconds still fit in 64 bits
# Binance writes prices and sizes with at most 8 decimals (zero-padded): a longer fraction would
# make the importer's price grid (the most decimals seen) finer than the market's
MAX_DECIMALS = 8
_DECIMAL = re.compile(rf"[0-9]{{1,20}}(?:\.[0-9]{{1,{MAX_DECIMALS}}}0*)?\Z", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,19}\Z", re.ASCII)


class Malformed(ValueError):
    """A capture line that is not what Binance sends; the message says what is wrong."""


def receive_time(text: str) -> int:
    """The ``<receive ns>`` at the start of a line: ASCII digits within 64 bits."""
    if not _DIGITS.match(text) or int(text) > INT64_MAX:
        raise Malformed(f"the receive time {text[:40]!r} is not nanoseconds since the epoch")
    return int(text)


def is_decimal(value: Any) -> bool:
    """A price or size as Binance writes it: ASCII digits, then a point and at most 8 decimals
    (not counting trailing zeros)."""
    return type(value) is str and _DECIMAL.match(value) is not None


def _whole(v: Any) -> bool:
    return type(v) is int and 0 <= v <= INT64_MAX


def _millis(v: Any) -> bool:
    return type(v) is int and 0 <= v <= MS_MAX


def _text(v: Any) -> bool:
    return type(v) is str


def _flag(v: Any) -> bool:
    return type(v) is bool


WHOLE = (_whole, "a whole number from 0 to 2^63-1")
MILLIS = (_millis, "a time in milliseconds")
DECIMAL = (is_decimal, f'a decimal string like "61837.63" (at most {MAX_DECIMALS} decimals)')
SYMBOL = (_text, "a string (the symbol)")
FLAG = (_flag, "true or false")
LEVELS = (None, "a list of [price, size] pairs")  # checked level by level

# per message kind: (key, required, (check, what it must be))
SHAPES: dict[str, tuple[tuple[str, bool, tuple[Any, str]], ...]] = {
    "snapshot": (
        ("lastUpdateId", True, WHOLE),
        ("T", False, MILLIS),
        ("E", False, MILLIS),
        ("bids", True, LEVELS),
        ("asks", True, LEVELS),
    ),
    "depth update": (
        ("s", True, SYMBOL),
        ("U", True, WHOLE),
        ("u", True, WHOLE),
        ("pu", False, WHOLE),
        ("E", True, MILLIS),
        ("T", False, MILLIS),
        ("b", True, LEVELS),
        ("a", True, LEVELS),
    ),
    "trade": (
        ("s", True, SYMBOL),
        ("t", True, WHOLE),
        ("p", True, DECIMAL),
        ("q", True, DECIMAL),
        ("T", True, MILLIS),
        ("E", False, MILLIS),
        ("m", True, FLAG),
    ),
    "bookTicker": (
        ("s", True, SYMBOL),
        ("u", True, WHOLE),
        ("b", True, DECIMAL),
        ("B", True, DECIMAL),
        ("a", True, DECIMAL),
        ("A", True, DECIMAL),
        ("E", False, MILLIS),
        ("T", False, MILLIS),
    ),
}


def check_message(msg: dict[str, Any]) -> None:
    """Raises Malformed if ``msg`` (a snapshot or a stream frame) is not shaped as documented."""
    if "lastUpdateId" in msg:
        _check(msg, "snapshot")
        return
    data = msg.get("data", msg)
    if type(data) is not dict:
        raise Malformed("the stream message's 'data' is not an object")
    kind = data.get("e")
    if kind == "depthUpdate":
        _check(data, "depth update")
        if data["U"] > data["u"]:
            raise Malformed(
                f"depth update: the first update id U={data['U']} is after the last u={data['u']}"
            )
    elif kind == "trade":
        _check(data, "trade")
    elif kind == "bookTicker" or (kind is None and "b" in data and "A" in data):
        _check(data, "bookTicker")


def _check(data: dict[str, Any], what: str) -> None:
    for key, required, (check, expected) in SHAPES[what]:
        if key not in data:
            if required:
                raise Malformed(f"{what}: {key!r} is missing")
        elif check is None:
            _levels(data[key], key, what)
        elif not check(data[key]):
            raise Malformed(f"{what}: {key!r} must be {expected}, got {_show(data[key])}")


def check_event(event: Any) -> None:
    """Raises Malformed if a decoded event holds a price or size no market has: a trade at or
    below zero, a book level at a price at or below zero or with a negative size, or a number
    beyond 64 bits."""
    if type(event) is Trade:
        if not 0 < event.price <= INT64_MAX or not 0 < event.size <= INT64_MAX:
            raise Malformed(f"trade {event.trade_id}: price and size must be above zero")
    elif type(event) is BookDelta or type(event) is BookSnapshot:
        for side in (event.bids, event.asks):
            for price, size in side:
                if not 0 < price <= INT64_MAX or not 0 <= size <= INT64_MAX:
                    raise Malformed("book level prices must be above zero and sizes zero or more")
    elif type(event) is TopOfBook and not (
        0 < event.bid_price <= INT64_MAX
        and 0 < event.ask_price <= INT64_MAX
        and 0 <= event.bid_size <= INT64_MAX
        and 0 <= event.ask_size <= INT64_MAX
    ):
        raise Malformed("bookTicker: prices must be above zero and sizes zero or more")


def _levels(levels: Any, key: str, what: str) -> None:
    if type(levels) is not list:
        raise Malformed(
            f"{what}: {key!r} must be a list of [price, size] pairs, got {_show(levels)}"
        )
    match = _DECIMAL.match
    for level in levels:  # the hot loop of an import: a snapshot has thousands of levels
        if type(level) is not list or len(level) != 2:
            raise Malformed(
                f"{what}: {key!r} must be a list of [price, size] pairs, got the "
                f"level {_show(level)}"
            )
        price, size = level
        if type(price) is not str or type(size) is not str or not match(price) or not match(size):
            raise Malformed(
                f"{what}: {key!r} must be a list of [price, size] pairs of decimal "
                f"strings, got the level {_show(level)}"
            )


def _show(value: Any) -> str:
    text = "missing" if value is None else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
