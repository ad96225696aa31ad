"""The loopback exchange speaks Binance's REST API: paths, JSON shapes, signatures, filters, the
order lifecycle and error answers, checked with a plain HTTP client and with the venue's own REST
client."""

import hashlib
import hmac
import time
from decimal import Decimal
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.loopback_session import COUNTERPARTY_KEY, TRADER_KEY, TRADER_SECRET
from tradeterm.venues.binance_errors import BinanceError
from tradeterm.venues.binance_rest import Credentials
from tradeterm.venues.binance_symbols import fetch_symbols


async def test_public_endpoints(rest):
    assert await rest.public("/api/v3/ping") == {}
    server_time = (await rest.public("/api/v3/time"))["serverTime"]
    assert abs(server_time - time.time() * 1000) < 1000
    info = await rest.public("/api/v3/exchangeInfo", {"symbol": "BTCUSDT"})
    (sym,) = info["symbols"]
    filters = {f["filterType"]: f for f in sym["filters"]}
    assert sym["status"] == "TRADING" and sym["baseAsset"] == "BTC"
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001000"
    depth = await rest.public("/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5})
    assert set(depth) == {"lastUpdateId", "bids", "asks"} and len(depth["bids"]) == 5
    assert Decimal(depth["bids"][0][0]) < Decimal(depth["asks"][0][0])


async def test_errors_have_binance_codes(rest):
    with pytest.raises(BinanceError) as err:
        await rest.public("/api/v3/depth", {"symbol": "NOPE"})
    assert (err.value.code, err.value.msg) == (-1121, "Invalid symbol.")
    with pytest.raises(BinanceError) as err:
        await rest.public("/api/v3/depth")
    assert err.value.code == -1102 and "'symbol'" in err.value.msg


async def test_symbols_become_instruments_and_rules(rest):
    btc, eth = await fetch_symbols(rest, ["BTC/USDT", "ETHUSDT"])
    assert btc.instrument.id == "binance:BTC/USDT" and eth.instrument.symbol == "ETH/USDT"
    assert btc.instrument.tick_size == Decimal("0.01")
    assert btc.instrument.lot_size == Decimal("1E-8")  # Binance's finest quantity
    assert btc.step_lots == 1000 and btc.min_notional == 5
    with pytest.raises(ValueError, match="DOGE/USDT"):
        await fetch_symbols(rest, ["BTC/USDT", "DOGE/USDT"])


async def test_signed_requests_are_checked(server, rest):
    account = await rest.signed("GET", "/api/v3/account")
    assert {b["asset"]: b["free"] for b in account["balances"]}["BTC"] == "10.00000000"
    rest.credentials = Credentials(TRADER_KEY, "not-the-secret")
    with pytest.raises(BinanceError) as err:
        await rest.signed("GET", "/api/v3/account")
    assert err.value.code == -1022
    rest.credentials = Credentials("unknown-key", TRADER_SECRET)
    with pytest.raises(BinanceError) as err:
        await rest.signed("GET", "/api/v3/account")
    assert (err.value.code, err.value.http_status) == (-2015, 401)
    rest.credentials = Credentials(TRADER_KEY, TRADER_SECRET)
    rest.time_offset_ms = -10_000  # our clock is 10 s behind: outside the receive window
    with pytest.raises(BinanceError) as err:
        await rest.signed("GET", "/api/v3/account")
    assert err.value.code == -1021
    await rest.sync_time()
    assert abs(rest.time_offset_ms) < 1000
    assert await rest.signed("GET", "/api/v3/openOrders") == []


async def test_the_clock_offset_comes_from_the_quickest_answer(server, rest):
    """An answer to /api/v3/time held back 1.2 s would put the offset 0.6 s off (half the round
    trip assumed each way); the sync asks again and keeps the quickest round trip."""
    server.injector.hold_rest(1.2, path="/api/v3/time")
    offset = await rest.sync_time()
    assert abs(offset) < 200, offset  # one sample would have given about -600


async def test_signature_over_query_and_body_as_binance_documents(server):
    """Binance's mixed example: the signed payload is the query string followed by the body."""
    query = urlencode({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"})
    body = urlencode(
        {
            "quantity": "0.001",
            "price": "50000",
            "newClientOrderId": "mixed-1",
            "recvWindow": 5000,
            "timestamp": int(time.time() * 1000),
        }
    )
    sig = hmac.new(TRADER_SECRET.encode(), (query + body).encode(), hashlib.sha256).hexdigest()
    async with aiohttp.ClientSession() as http:
        resp = await http.post(
            f"{server.rest_url}/api/v3/order?{query}",
            data=f"{body}&signature={sig}",
            headers={
                "X-MBX-APIKEY": TRADER_KEY,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        data = await resp.json()
        assert resp.status == 200, data
        assert data["clientOrderId"] == "mixed-1" and data["status"] == "NEW"
        resp = await http.get(f"{server.rest_url}/api/v3/account")
        assert (resp.status, (await resp.json())["code"]) == (401, -2014)


async def test_order_lifecycle_balances_and_trades(server, rest):
    counterparty = server.exchange.accounts[COUNTERPARTY_KEY]
    server.exchange.market.pause()
    market = server.exchange.market.symbols["BTCUSDT"]
    ask = market.book.best_ask
    server.exchange.new_order(
        counterparty,
        {  # clear the best ask: our bid will stand alone
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "IOC",
            "quantity": market.qty_str(market.book.levels()[1][ask]),
            "price": market.price_str(ask),
        },
    )
    price = market.price_str(ask)
    placed = await rest.signed(
        "POST",
        "/api/v3/order",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.01",
            "price": price,
            "newClientOrderId": "life-1",
        },
    )
    assert placed["status"] == "NEW" and placed["fills"] == []
    with pytest.raises(BinanceError) as err:  # the same client id while the first is open
        await rest.signed(
            "POST",
            "/api/v3/order",
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.01",
                "price": price,
                "newClientOrderId": "life-1",
            },
        )
    assert (err.value.code, err.value.reason) == (-2010, "DUPLICATE_ORDER")
    server.exchange.new_order(
        counterparty,
        {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "type": "LIMIT",
            "timeInForce": "IOC",
            "quantity": "0.004",
            "price": price,
        },
    )
    order = await rest.signed(
        "GET", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "life-1"}
    )
    assert (order["status"], order["executedQty"]) == ("PARTIALLY_FILLED", "0.00400000")
    (trade,) = await rest.signed(
        "GET", "/api/v3/myTrades", {"symbol": "BTCUSDT", "orderId": placed["orderId"]}
    )
    assert trade["isMaker"] and trade["isBuyer"] and trade["commissionAsset"] == "BTC"
    assert trade["commission"] == "0.00000400"  # 0.1 % of 0.004 BTC
    canceled = await rest.signed(
        "DELETE", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "life-1"}
    )
    assert canceled["status"] == "CANCELED" and canceled["origClientOrderId"] == "life-1"
    with pytest.raises(BinanceError) as err:
        await rest.signed(
            "DELETE", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "life-1"}
        )
    assert err.value.code == -2011
    with pytest.raises(BinanceError) as err:
        await rest.signed(
            "GET", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "never"}
        )
    assert err.value.code == -2013
    balances = {b["asset"]: b for b in (await rest.signed("GET", "/api/v3/account"))["balances"]}
    cost = Decimal(price) * Decimal("0.004")
    assert Decimal(balances["USDT"]["free"]) == Decimal(1_000_000) - cost
    assert Decimal(balances["USDT"]["locked"]) == 0  # the rest was released on cancel
    assert Decimal(balances["BTC"]["free"]) == Decimal(10) + Decimal("0.004") - Decimal("0.000004")


async def test_filters_refuse_like_binance(rest):
    base = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    cases = [
        ({"quantity": "0.000015", "price": "50000"}, -1013, "Filter failure: LOT_SIZE"),
        ({"quantity": "0.001", "price": "50000.005"}, -1013, "Filter failure: PRICE_FILTER"),
        ({"quantity": "0.00001", "price": "50000"}, -1013, "Filter failure: NOTIONAL"),
        ({"quantity": "0.001"}, -1102, "Mandatory parameter 'price'"),
        (
            {"quantity": "0.001", "price": "50000", "type": "STOP_LOSS"},
            -2010,
            "Stop loss orders are not supported for this symbol.",
        ),
        (
            {"quantity": "0.001", "price": "50000", "timeInForce": "DAY"},
            -1115,
            "Invalid timeInForce.",
        ),
    ]
    for extra, code, msg in cases:
        with pytest.raises(BinanceError) as err:
            await rest.signed("POST", "/api/v3/order", {**base, **extra})
        assert err.value.code == code and err.value.msg.startswith(msg), (extra, err.value)
