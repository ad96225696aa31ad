"""Binance's answers, classified: what failed for sure, and what may or may not have happened.

Binance (https://developers.binance.com/docs/binance-spot-api-docs/errors) answers a refused
request with HTTP 4xx and ``{"code": -2010, "msg": "Account has insufficient balance..."}``.
HTTP 5xx, a timeout, a dropped connection and the codes -1006 / -1007 mean the *outcome is
unknown*: the order may have been placed. Those raise ``UnknownOutcome``, never a rejection,
and the caller finds out what happened by asking (``GET /api/v3/order`` by client order id).

``reject_reason`` turns a Binance error into the stable reason code the engine shows and
records (``INSUFFICIENT_FUNDS``, ``FILTER_LOT_SIZE``, ``POST_ONLY_WOULD_TAKE``...).
"""

from __future__ import annotations

UNKNOWN_OUTCOME_CODES = frozenset({-1006, -1007})

_CODES = {
    -1003: "RATE_LIMITED",
    -1015: "RATE_LIMITED",
    -1013: "FILTER",
    -1021: "TIMESTAMP_OUTSIDE_RECV_WINDOW",
    -1022: "BAD_SIGNATURE",
    -1100: "BAD_PARAMETER",
    -1101: "BAD_PARAMETER",
    -1102: "BAD_PARAMETER",
    -1106: "BAD_PARAMETER",
    -1111: "BAD_PRECISION",
    -1115: "BAD_TIME_IN_FORCE",
    -1116: "BAD_ORDER_TYPE",
    -1117: "BAD_SIDE",
    -1121: "UNKNOWN_SYMBOL",
    -2011: "UNKNOWN_ORDER",
    -2013: "NO_SUCH_ORDER",
    -2014: "BAD_API_KEY",
    -2015: "BAD_API_KEY",
}

_MESSAGES = {  # -2010 NEW_ORDER_REJECTED / -2011 CANCEL_REJECTED carry the reason in msg
    "Account has insufficient balance for requested action.": "INSUFFICIENT_FUNDS",
    "Duplicate order sent.": "DUPLICATE_ORDER",
    "Order would immediately match and take.": "POST_ONLY_WOULD_TAKE",
    "Market is closed.": "MARKET_CLOSED",
    "Unknown order sent.": "UNKNOWN_ORDER",
    "Order would trigger immediately.": "WOULD_TRIGGER_IMMEDIATELY",
    "Unsupported order combination": "UNSUPPORTED_ORDER",
    "This action is disabled on this account.": "ACCOUNT_DISABLED",
    "This account may not place or cancel orders.": "ACCOUNT_DISABLED",
}


class BinanceError(Exception):
    """Binance refused the request: it was *not* carried out."""

    def __init__(
        self, code: int, msg: str, http_status: int = 400, retry_after_s: float | None = None
    ) -> None:
        super().__init__(f"Binance error {code}: {msg}")
        self.code = code
        self.msg = msg
        self.http_status = http_status
        self.retry_after_s = retry_after_s

    @property
    def reason(self) -> str:
        return reject_reason(self.code, self.msg)


class UnknownOutcome(Exception):
    """No usable answer (HTTP 5xx, timeout, connection lost after sending, -1006/-1007): the
    request may or may not have been carried out. ``timestamp_ms`` + ``recv_window_ms`` is when
    Binance stops accepting it (for signed requests)."""

    def __init__(
        self, what: str, timestamp_ms: int | None = None, recv_window_ms: int | None = None
    ) -> None:
        super().__init__(what)
        self.timestamp_ms = timestamp_ms
        self.recv_window_ms = recv_window_ms


class VenueUnreachable(Exception):
    """The connection could not be made: the request never left, so it certainly did nothing."""


def reject_reason(code: int, msg: str) -> str:
    """A stable reason code for a Binance error."""
    if msg.startswith("Filter failure: "):
        return "FILTER_" + msg.removeprefix("Filter failure: ").strip().rstrip(".")
    if code in (-2010, -2011, -1010):
        return _MESSAGES.get(msg, "VENUE_REJECTED")
    return _CODES.get(code, f"BINANCE_{-code}" if code < 0 else "VENUE_REJECTED")
