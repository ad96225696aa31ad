"""The loopback exchange driven by two clients nobody here wrote: python-binance's AsyncClient
(and its BinanceSocketManager) and ccxt's binance, both pointed at a loopback on a free port."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.ccxt_session import OPTIONS
from tests.loopback_session import TRADER_KEY, TRADER_SECRET, loopback_settings
from tradeterm.venues.ccxt_setup import point_rest_at
from tradeterm.venues.loopback import LoopbackServer


@pytest.fixture
async def server():
    settings = loopback_settings(events_per_second=300, depth_interval_ms=50, seed_orders=100)
    async with LoopbackServer(settings.exchange) as srv:
        yield srv


@pytest.fixture
async def client(server):
    """python-binance's AsyncClient, its REST and stream URLs on the loopback."""
    from binance import AsyncClient

    c = AsyncClient(TRADER_KEY, TRADER_SECRET)
    c.API_URL = server.rest_url + "/api"
    yield c
    await c.close_connection()


@pytest.fixture
async def socket_manager(server, client):
    from binance import BinanceSocketManager

    bsm = BinanceSocketManager(client)
    bsm.STREAM_URL = server.ws_url + "/"
    return bsm


@pytest.fixture
async def ccxt_binance(server):
    """ccxt's binance (REST), on the loopback."""
    import ccxt.async_support as ccxt_async

    exchange = ccxt_async.binance(
        {"apiKey": TRADER_KEY, "secret": TRADER_SECRET, "options": dict(OPTIONS)}
    )
    point_rest_at(exchange, server.rest_url)
    yield exchange
    await exchange.close()


@pytest.fixture
async def http(server):
    """A plain HTTP session, for what no client asks in its own words (headers, bad paths)."""
    async with aiohttp.ClientSession(server.rest_url) as session:
        yield session


async def control(http: aiohttp.ClientSession, path: str, **params: object) -> dict:
    async with http.post(path, params={k: str(v) for k, v in params.items()}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def signed_call(
    http: aiohttp.ClientSession, method: str, path: str, **params: object
) -> tuple[int, Any, Any]:
    """A SIGNED request as Binance documents it, signed as the trader: (HTTP status, JSON,
    headers)."""
    query = urlencode({**params, "timestamp": int(time.time() * 1000)})
    signature = hmac.new(TRADER_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    async with http.request(
        method,
        f"{path}?{query}&signature={signature}",
        headers={"X-MBX-APIKEY": TRADER_KEY},
    ) as resp:
        return resp.status, await resp.json(), resp.headers


async def signed_answer(
    http: aiohttp.ClientSession, method: str, path: str, **params: object
) -> tuple[int, Any]:
    status, body, _ = await signed_call(http, method, path, **params)
    return status, body


async def same_minute(seconds_needed: float = 3.0, period: float = 60.0) -> None:
    """Weights are counted in fixed minutes (orders also in fixed 10 s: ``period``): start a
    sequence that must stay in one window early enough in it."""
    left = period - time.time() % period
    if left < seconds_needed:
        await asyncio.sleep(left + 0.05)


async def signed(http: aiohttp.ClientSession, method: str, path: str, **params: object) -> Any:
    status, body = await signed_answer(http, method, path, **params)
    assert status == 200, body
    return body
