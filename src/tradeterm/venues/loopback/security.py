"""Binance's request security, as the loopback exchange enforces it (REST and WebSocket API).

* the API key must be known: missing -> -2014, unknown -> -2015 (HTTP 401);
* ``timestamp`` within ``recvWindow`` (default 5000, at most 60000 ms) of the server's time and
  less than 1000 ms ahead of it, else -1021;
* ``signature`` = hex HMAC-SHA256 of the signed payload, keyed with the account's secret, else
  -1022. REST signs the query string followed by the body; the WebSocket API signs its params
  (all but ``signature``) sorted by name and joined as ``name=value&...``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from tradeterm.venues.loopback.accounts import Account
from tradeterm.venues.loopback.errors import ApiError, mandatory, now_ms
from tradeterm.venues.loopback.exchange import LoopbackExchange


def account_for_key(exchange: LoopbackExchange, key: str | None) -> Account:
    if not key:
        raise ApiError(-2014, "API-key format invalid.", 401)
    account = exchange.accounts.get(key)
    if account is None:
        raise ApiError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
    return account


def check_timestamp(params: Mapping[str, Any]) -> None:
    if "timestamp" not in params:
        raise mandatory("timestamp")
    try:
        timestamp = int(params["timestamp"])
        window = int(params.get("recvWindow") or 5000)
    except (TypeError, ValueError):
        raise ApiError(
            -1100,
            "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.",
        ) from None
    if window > 60_000:
        raise ApiError(-1131, "recvWindow must be less than 60000")
    server = now_ms()
    if timestamp >= server + 1000:
        raise ApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if server - timestamp > window:
        raise ApiError(-1021, "Timestamp for this request is outside of the recvWindow.")


def check_signature(account: Account, payload: str, signature: str | None) -> None:
    if not signature:
        raise mandatory("signature")
    expected = hmac.new(account.secret, payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(signature).lower()):
        raise ApiError(-1022, "Signature for this request is not valid.")


def ws_api_payload(params: Mapping[str, Any]) -> str:
    """The WebSocket API's signed payload: every param but the signature, sorted by name."""
    return "&".join(f"{k}={_text(v)}" for k, v in sorted(params.items()) if k != "signature")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
