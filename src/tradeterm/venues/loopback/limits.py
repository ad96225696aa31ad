"""Binance's request weights and rate limits on the loopback's REST API.

Every answer under ``/api/`` carries ``X-MBX-USED-WEIGHT-1M``: the weight the caller's IP has
used in the current minute (Binance counts per IP in fixed minutes), each request weighing what
Binance documents for it (``weight``). Order entry answers also carry ``X-MBX-ORDER-COUNT-10S``
and ``X-MBX-ORDER-COUNT-1D`` (counted per account, as Binance does).

The limit is a fault you turn on (``weight=LIMIT[:BAN_S]`` in the fault plan, or ``POST
/loopback/fault/weight?limit=N&ban_s=S``; off by default): a request that takes the minute's
weight over the limit is answered HTTP 429, code -1003, with ``Retry-After`` (seconds to the next
minute); a caller that keeps asking before then is banned, HTTP 418, for ``ban_s`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M"
ORDERS_10S_HEADER = "X-MBX-ORDER-COUNT-10S"
ORDERS_1D_HEADER = "X-MBX-ORDER-COUNT-1D"

FIXED_WEIGHTS: dict[tuple[str, str], int] = {
    ("GET", "/api/v3/ping"): 1,
    ("GET", "/api/v3/time"): 1,
    ("GET", "/api/v3/exchangeInfo"): 20,
    ("GET", "/api/v3/trades"): 25,
    ("GET", "/api/v3/historicalTrades"): 25,
    ("GET", "/api/v3/aggTrades"): 4,
    ("GET", "/api/v3/klines"): 2,
    ("GET", "/api/v3/uiKlines"): 2,
    ("GET", "/api/v3/avgPrice"): 2,
    ("POST", "/api/v3/order"): 1,
    ("DELETE", "/api/v3/order"): 1,
    ("GET", "/api/v3/order"): 4,
    ("POST", "/api/v3/order/cancelReplace"): 1,
    ("DELETE", "/api/v3/openOrders"): 1,
    ("GET", "/api/v3/allOrders"): 20,
    ("GET", "/api/v3/account"): 20,
    ("POST", "/api/v3/orderList/oco"): 1,
    ("POST", "/api/v3/orderList/oto"): 1,
    ("POST", "/api/v3/orderList/otoco"): 1,
    ("POST", "/api/v3/order/oco"): 1,
    ("DELETE", "/api/v3/orderList"): 1,
    ("GET", "/api/v3/orderList"): 4,
    ("GET", "/api/v3/allOrderList"): 20,
    ("GET", "/api/v3/openOrderList"): 6,
    ("POST", "/api/v3/userDataStream"): 2,
    ("PUT", "/api/v3/userDataStream"): 2,
    ("DELETE", "/api/v3/userDataStream"): 2,
}
# orders an accepted request places (counted in X-MBX-ORDER-COUNT-*)
ORDERS_PLACED: dict[tuple[str, str], int] = {
    ("POST", "/api/v3/order"): 1,
    ("POST", "/api/v3/order/cancelReplace"): 1,
    ("POST", "/api/v3/orderList/oco"): 2,
    ("POST", "/api/v3/orderList/oto"): 2,
    ("POST", "/api/v3/orderList/otoco"): 3,
    ("POST", "/api/v3/order/oco"): 2,
}


def weight(method: str, path: str, q: Mapping[str, str]) -> int:
    """The request weight Binance documents for ``method path`` with query ``q``."""
    fixed = FIXED_WEIGHTS.get((method, path))
    if fixed is not None:
        return fixed
    if path == "/api/v3/depth":
        limit = _int(q.get("limit"), 100)
        return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250
    if path == "/api/v3/ticker/24hr":
        if q.get("symbol"):
            return 2
        if q.get("symbols"):
            count = q["symbols"].count(",") + 1
            return 2 if count <= 20 else 40 if count <= 100 else 80
        return 80
    if path in ("/api/v3/ticker/price", "/api/v3/ticker/bookTicker"):
        return 2 if q.get("symbol") else 4
    if path == "/api/v3/openOrders":  # GET
        return 6 if q.get("symbol") else 80
    if path == "/api/v3/myTrades":
        return 5 if q.get("orderId") else 20
    if path == "/api/v3/order/test":
        return 20 if q.get("computeCommissionRates") == "true" else 1
    return 1


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


@dataclass(slots=True)
class _Window:
    start: float = 0.0
    used: int = 0

    def count(self, now: float, length: float, amount: int) -> int:
        start = now - now % length
        if start != self.start:
            self.start, self.used = start, 0
        self.used += amount
        return self.used


@dataclass
class RateLimits:
    """Weight used per IP in the current minute, orders per account; the ban if enforced."""

    weights: dict[str, _Window] = field(default_factory=dict)
    orders_10s: dict[str, _Window] = field(default_factory=dict)
    orders_1d: dict[str, _Window] = field(default_factory=dict)
    backing_off: dict[str, float] = field(default_factory=dict)  # ip -> until (wall seconds)
    banned: dict[str, float] = field(default_factory=dict)

    def use(self, ip: str, amount: int, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return self.weights.setdefault(ip, _Window()).count(now, 60.0, amount)

    def refusal(
        self, ip: str, used: int, limit: int, ban_s: float, now: float | None = None
    ) -> tuple[int, str, int] | None:
        """None, or (HTTP status, message, Retry-After seconds) for a request from ``ip`` that
        brought the minute's weight to ``used``, under ``limit`` (0: no limit)."""
        if not limit:
            return None
        now = time.time() if now is None else now
        until = self.banned.get(ip, 0.0)
        if until > now:
            return 418, _banned(until, limit), _ceil(until - now)
        if self.backing_off.get(ip, 0.0) > now:
            until = now + ban_s
            self.banned[ip] = until
            return 418, _banned(until, limit), _ceil(ban_s)
        if used > limit:
            until = now - now % 60.0 + 60.0
            self.backing_off[ip] = until
            return (
                429,
                f"Too much request weight used; current limit is {limit} request weight per "
                "1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
                _ceil(until - now),
            )
        return None

    def count_orders(self, account: str, amount: int, now: float | None = None) -> tuple[int, int]:
        now = time.time() if now is None else now
        ten = self.orders_10s.setdefault(account, _Window()).count(now, 10.0, amount)
        day = self.orders_1d.setdefault(account, _Window()).count(now, 86_400.0, amount)
        return ten, day


def _banned(until: float, limit: int) -> str:
    return (
        f"Way too much request weight used; IP banned until {int(until * 1000)}. "
        "Please use WebSocket Streams for live updates to avoid bans."
    )


def _ceil(seconds: float) -> int:
    return max(1, int(seconds + 0.999))
