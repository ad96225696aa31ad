"""Binance REST over aiohttp: public, API-key (``USER_STREAM``) and signed (``TRADE`` /
``USER_DATA``) requests, with Binance's security rules.

A signed request carries ``timestamp`` (ms, corrected by the measured offset to the server's
clock) and ``recvWindow``; its ``signature`` is the hex HMAC-SHA256 of the exact query string
sent, keyed with the API secret; the key travels in the ``X-MBX-APIKEY`` header. The secret never
leaves ``Credentials``, and neither the key nor the secret is ever logged or put in an exception
message (``repr(credentials)`` is masked).

Every failure is one of three kinds (``binance_errors``): ``BinanceError`` (refused, nothing
happened), ``UnknownOutcome`` (maybe it happened) or ``VenueUnreachable`` (never sent).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from tradeterm.venues.binance_errors import (
    UNKNOWN_OUTCOME_CODES,
    BinanceError,
    UnknownOutcome,
    VenueUnreachable,
)


class Credentials:
    """An API key and secret. Masked in every representation; the secret only signs."""

    __slots__ = ("api_key", "_secret")

    def __init__(self, api_key: str, api_secret: str) -> None:
        if not api_key or not api_secret:
            raise ValueError("an API key and a secret are both needed")
        self.api_key = api_key
        self._secret = api_secret.encode()

    def sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "Credentials(***)"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickled into a file by accident
        raise TypeError("credentials cannot be serialised")


def ws_api_signed(credentials: Credentials, params: dict[str, Any]) -> dict[str, Any]:
    """WebSocket API params with ``apiKey`` and ``signature``: the HMAC of every param sorted by
    name and joined as ``name=value&...``."""
    signed = {**params, "apiKey": credentials.api_key}
    payload = "&".join(f"{k}={v}" for k, v in sorted(signed.items()))
    signed["signature"] = credentials.sign(payload)
    return signed


class BinanceRest:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        credentials: Credentials | None = None,
        recv_window_ms: int = 5000,
        timeout_s: float = 10.0,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.recv_window_ms = recv_window_ms
        self.timeout_s = timeout_s
        self.time_offset_ms = 0  # server time - local time

    def server_time_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self.time_offset_ms

    async def sync_time(self, samples: int = 3) -> int:
        """Measure the offset to the server's clock (half the round trip assumed each way). A
        sample is only as good as its round trip: one taken while the event loop stalled, or
        answered late, can be seconds off. So up to ``samples`` are taken, stopping early at
        one that came back within 100 ms, and the one with the shortest round trip is kept."""
        best: tuple[int, int] | None = None  # (round trip, offset)
        for _ in range(max(1, samples)):
            before = time.time_ns() // 1_000_000
            data = await self.public("/api/v3/time")
            after = time.time_ns() // 1_000_000
            sample = (after - before, int(data["serverTime"]) - (before + after) // 2)
            best = sample if best is None or sample < best else best
            if sample[0] <= 100:
                break
        assert best is not None
        self.time_offset_ms = best[1]
        return self.time_offset_ms

    # --- the three security types ----------------------------------------------------------------
    async def public(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        method: str = "GET",
        timeout_s: float | None = None,
    ) -> Any:
        query = urlencode(params or {})
        return await self._request(method, path, query, {}, timeout_s=timeout_s)

    async def keyed(self, method: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self._request(method, path, urlencode(params or {}), self._key_header())

    async def signed(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        timeout_s: float | None = None,
    ) -> Any:
        creds = self._need_credentials()
        timestamp = self.server_time_ms()
        fields = [(k, v) for k, v in (params or {}).items() if v is not None]
        fields += [("recvWindow", self.recv_window_ms), ("timestamp", timestamp)]
        query = urlencode(fields)
        query += "&signature=" + creds.sign(query)
        return await self._request(method, path, query, self._key_header(), timestamp, timeout_s)

    def _need_credentials(self) -> Credentials:
        if self.credentials is None:
            raise BinanceError(-2014, "API-key format invalid. (no API key configured)", 401)
        return self.credentials

    def _key_header(self) -> dict[str, str]:
        return {"X-MBX-APIKEY": self._need_credentials().api_key}

    # --- transport -------------------------------------------------------------------------------
    async def _request(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        timestamp_ms: int | None = None,
        timeout_s: float | None = None,
    ) -> Any:
        url = URL(self.base_url + path + ("?" + query if query else ""), encoded=True)
        timeout = aiohttp.ClientTimeout(total=timeout_s or self.timeout_s)
        window = self.recv_window_ms if timestamp_ms is not None else None
        try:
            async with self.session.request(method, url, headers=headers, timeout=timeout) as resp:
                status = resp.status
                text = await resp.text()
                retry_after = resp.headers.get("Retry-After")
        except asyncio.TimeoutError:
            raise UnknownOutcome(
                f"{method} {path}: no answer within {timeout.total:g}s", timestamp_ms, window
            ) from None
        except aiohttp.ClientConnectorError as exc:
            raise VenueUnreachable(f"{method} {path}: cannot connect ({exc.os_error})") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise UnknownOutcome(
                f"{method} {path}: connection lost ({type(exc).__name__})", timestamp_ms, window
            ) from None
        if status >= 500:
            raise UnknownOutcome(f"{method} {path}: HTTP {status}", timestamp_ms, window)
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            if status < 400:
                raise UnknownOutcome(
                    f"{method} {path}: unreadable answer (HTTP {status})", timestamp_ms, window
                ) from None
            raise BinanceError(-1000, f"HTTP {status} without an error body", status) from None
        if status >= 400 or (
            isinstance(data, dict)
            and "code" in data
            and "msg" in data
            and len(data) == 2
            and data["code"] != 200
        ):
            code = int(data.get("code", -1000)) if isinstance(data, dict) else -1000
            msg = str(data.get("msg", "")) if isinstance(data, dict) else text[:200]
            if code in UNKNOWN_OUTCOME_CODES:
                raise UnknownOutcome(f"{method} {path}: {code} {msg}", timestamp_ms, window)
            raise BinanceError(code, msg, status, float(retry_after) if retry_after else None)
        return data
