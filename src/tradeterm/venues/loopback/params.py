"""Request parameters as Binance reads them: integers and decimals with Binance's -1100 and
-1111 answers, client order ids, the ``startTime``/``endTime`` window and the paging of history
lists. Pure functions of the request's parameters (a dict of strings).
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from tradeterm.venues.loopback.errors import ApiError

CLIENT_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")


def new_client_id() -> str:
    return secrets.token_urlsafe(16)[:22].replace("-", "x").replace("_", "y")


def int_param(p: dict[str, str], name: str, default: int) -> int:
    text = p.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.",
        ) from None


def decimal_param(p: dict[str, str], name: str) -> Decimal | None:
    text = p.get(name)
    if text is None or text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApiError(
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is "
            "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
        ) from None
    if not value.is_finite() or value.as_tuple().exponent < -8:  # type: ignore[operator]
        raise ApiError(-1111, f"Parameter '{name}' has too much precision.")
    return value


def page(found: list[Any], limit: int, p: dict[str, str], from_name: str) -> list[Any]:
    """Binance's paging of history lists (oldest first in the answer): from an id or a
    ``startTime`` the oldest ``limit`` from there; otherwise (nothing, or ``endTime`` alone) the
    most recent ``limit``."""
    if p.get(from_name) or p.get("startTime"):
        return found[:limit]
    return found[-limit:]


def in_window(ms: int, p: dict[str, str]) -> bool:
    start = int_param(p, "startTime", 0)
    end = int_param(p, "endTime", 0)
    return ms >= start and (not end or ms <= end)
