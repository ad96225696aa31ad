"""Refusals as Binance's JSON ``{"code", "msg"}`` with its HTTP status, so each client raises its
own typed error; the weight headers; the weight limit (a fault): 429 -1003, then 418."""

from __future__ import annotations

import pytest

from tests.integration.loopback_conformance import shapes
from tests.integration.loopback_conformance.conftest import (
    control,
    same_minute,
    signed_answer,
    signed_call,
)


async def test_python_binance_raises_binance_api_exceptions(client):
    from binance.exceptions import BinanceAPIException

    async def code_of(call, **params) -> tuple[int, int]:
        with pytest.raises(BinanceAPIException) as err:
            await call(**params)
        return err.value.code, err.value.status_code

    assert await code_of(client.get_klines, symbol="NOPE", interval="1m") == (-1121, 400)
    assert await code_of(client.get_klines, symbol="BTCUSDT", interval="2m") == (-1120, 400)
    assert await code_of(client.get_order, symbol="BTCUSDT", orderId=999999) == (-2013, 400)
    assert await code_of(client.cancel_order, symbol="BTCUSDT", orderId=999999) == (-2011, 400)
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"}
    assert await code_of(client.create_order, **order, quantity="5000") == (-2010, 400)
    client.API_SECRET = "not-the-secret"
    assert await code_of(client.get_account) == (-1022, 400)
    client.API_KEY = "unknown"
    client.session.headers["X-MBX-APIKEY"] = "unknown"
    assert await code_of(client.get_account) == (-2015, 401)


async def test_ccxt_raises_its_typed_errors(ccxt_binance):
    import ccxt

    await ccxt_binance.load_markets()
    with pytest.raises(ccxt.OrderNotFound):
        await ccxt_binance.fetch_order("999999", "BTC/USDT")
    with pytest.raises(ccxt.OrderNotFound):
        await ccxt_binance.cancel_order("999999", "BTC/USDT")
    with pytest.raises(ccxt.InsufficientFunds):
        await ccxt_binance.create_order("BTC/USDT", "market", "buy", 5000)
    with pytest.raises(ccxt.BadRequest):  # -1013 (ccxt's own mapping of filter failures)
        await ccxt_binance.create_order("BTC/USDT", "limit", "buy", 0.01, 1)  # under NOTIONAL
    ask = (await ccxt_binance.fetch_order_book("BTC/USDT", 5))["asks"][0][0]
    with pytest.raises(ccxt.InvalidOrder):  # -2010: a post-only order that would take
        await ccxt_binance.create_order(
            "BTC/USDT", "limit", "buy", 0.01, ask + 100, {"postOnly": True}
        )
    ccxt_binance.secret = "not-the-secret"
    with pytest.raises(ccxt.AuthenticationError):
        await ccxt_binance.fetch_balance()


async def test_unknown_paths_and_methods_answer_json(http):
    async with http.get("/api/v3/nothingHere") as resp:
        assert resp.status == 404
        body = await resp.json()
        assert shapes.has_fields(body, shapes.ERROR) and body["code"] == -1020
    async with http.put("/api/v3/klines") as resp:
        assert resp.status == 405 and (await resp.json())["code"] == -1020
    async with http.get("/somewhere/else") as resp:
        assert resp.status == 404 and (await resp.json())["code"] == -1020


async def test_every_answer_carries_the_used_weight(http):
    await same_minute()
    async with http.get("/api/v3/ping") as resp:
        first = int(resp.headers["X-MBX-USED-WEIGHT-1M"])
    async with http.get("/api/v3/depth", params={"symbol": "BTCUSDT", "limit": "500"}) as resp:
        assert int(resp.headers["x-mbx-used-weight-1m"]) == first + 25
    async with http.get("/api/v3/ticker/24hr") as resp:  # all symbols: 80
        assert int(resp.headers["X-MBX-USED-WEIGHT-1M"]) == first + 105
    async with http.get("/api/v3/depth", params={"symbol": "NOPE"}) as resp:  # refusals count
        assert resp.status == 400 and int(resp.headers["X-MBX-USED-WEIGHT-1M"]) == first + 110
        assert "X-MBX-ORDER-COUNT-10S" not in resp.headers
    status, _ = await signed_answer(
        http, "POST", "/api/v3/order", symbol="BTCUSDT", side="BUY", type="LIMIT",
        timeInForce="GTC", quantity="0.01", price="50000",
    )  # fmt: skip
    assert status == 200
    async with http.get("/api/v3/ping") as resp:
        assert int(resp.headers["X-MBX-USED-WEIGHT-1M"]) == first + 112


async def test_order_answers_count_orders(http):
    await same_minute(period=10.0)  # both orders in one 10 s window (a loaded run crossed one)
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    counts = []
    for price in ("50000", "1"):  # the second is refused (NOTIONAL): not counted
        _, _, headers = await signed_call(
            http, "POST", "/api/v3/order", **order, quantity="0.01", price=price
        )
        counts.append((int(headers["X-MBX-ORDER-COUNT-10S"]), int(headers["X-MBX-ORDER-COUNT-1D"])))
    assert counts == [(1, 1), (1, 1)]
    async with http.get("/api/v3/ping") as resp:  # not an order endpoint: no count
        assert "X-MBX-ORDER-COUNT-1D" not in resp.headers


async def test_weight_limit_as_a_fault(http, client):
    from binance.exceptions import BinanceAPIException

    async with http.get("/api/v3/ping") as resp:
        assert "Retry-After" not in resp.headers  # off by default
    await same_minute()
    await control(http, "/loopback/fault/weight", limit=60, ban_s=30)
    answers = []
    for _ in range(3):  # exchangeInfo weighs 20: the third goes over 60 with what came before
        async with http.get("/api/v3/exchangeInfo") as resp:
            answers.append(resp.status)
    assert answers[-1] == 429 and answers[0] == 200
    async with http.get("/api/v3/ping") as resp:  # asking again before Retry-After: banned
        assert resp.status == 418
        body = await resp.json()
        assert body["code"] == -1003 and "banned" in body["msg"]
        assert 1 <= int(resp.headers["Retry-After"]) <= 30
    with pytest.raises(BinanceAPIException) as err:
        await client.ping()
    assert (err.value.status_code, err.value.code) == (418, -1003)
    await control(http, "/loopback/fault/weight", limit=0)  # off again: bans are lifted
    assert await client.ping() == {}
