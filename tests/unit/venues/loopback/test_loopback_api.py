"""The loopback exchange speaks Binance: paths, JSON shapes, security and error answers, checked
with a plain HTTP client and with the venue's own REST client."""

import asyncio
import hashlib
import hmac
import time
from decimal import Decimal
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.loopback_session import (
    COUNTERPARTY_KEY, TRADER_KEY, TRADER_SECRET, loopback_settings, wait_until,
)
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome
from tradeterm.venues.binance_rest import BinanceRest, Credentials, ws_api_signed
from tradeterm.venues.binance_symbols import fetch_symbols
from tradeterm.venues.loopback import (
    FaultPlan, FaultSpecError, LoopbackServer, NotLoopback, check_loopback,
)


@pytest.fixture
async def server():
    async with LoopbackServer(loopback_settings(events_per_second=500).exchange) as srv:
        yield srv


@pytest.fixture
async def rest(server):
    async with aiohttp.ClientSession() as session:
        yield BinanceRest(session, server.rest_url, Credentials(TRADER_KEY, TRADER_SECRET),
                          recv_window_ms=5000, timeout_s=2)


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


async def test_signature_over_query_and_body_as_binance_documents(server):
    """Binance's mixed example: the signed payload is the query string followed by the body."""
    query = urlencode({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                       "timeInForce": "GTC"})
    body = urlencode({"quantity": "0.001", "price": "50000", "newClientOrderId": "mixed-1",
                      "recvWindow": 5000, "timestamp": int(time.time() * 1000)})
    sig = hmac.new(TRADER_SECRET.encode(), (query + body).encode(), hashlib.sha256).hexdigest()
    async with aiohttp.ClientSession() as http:
        resp = await http.post(f"{server.rest_url}/api/v3/order?{query}",
                               data=f"{body}&signature={sig}",
                               headers={"X-MBX-APIKEY": TRADER_KEY,
                                        "Content-Type": "application/x-www-form-urlencoded"})
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
    server.exchange.new_order(counterparty, {  # clear the best ask: our bid will stand alone
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "IOC",
        "quantity": market.qty_str(market.book.levels()[1][ask]), "price": market.price_str(ask)})
    price = market.price_str(ask)
    placed = await rest.signed("POST", "/api/v3/order", {
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
        "quantity": "0.01", "price": price, "newClientOrderId": "life-1"})
    assert placed["status"] == "NEW" and placed["fills"] == []
    with pytest.raises(BinanceError) as err:  # the same client id while the first is open
        await rest.signed("POST", "/api/v3/order", {
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
            "quantity": "0.01", "price": price, "newClientOrderId": "life-1"})
    assert (err.value.code, err.value.reason) == (-2010, "DUPLICATE_ORDER")
    server.exchange.new_order(counterparty, {
        "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "IOC",
        "quantity": "0.004", "price": price})
    order = await rest.signed("GET", "/api/v3/order", {"symbol": "BTCUSDT",
                                                       "origClientOrderId": "life-1"})
    assert (order["status"], order["executedQty"]) == ("PARTIALLY_FILLED", "0.00400000")
    (trade,) = await rest.signed("GET", "/api/v3/myTrades", {"symbol": "BTCUSDT",
                                                             "orderId": placed["orderId"]})
    assert trade["isMaker"] and trade["isBuyer"] and trade["commissionAsset"] == "BTC"
    assert trade["commission"] == "0.00000400"  # 0.1 % of 0.004 BTC
    canceled = await rest.signed("DELETE", "/api/v3/order", {"symbol": "BTCUSDT",
                                                             "origClientOrderId": "life-1"})
    assert canceled["status"] == "CANCELED" and canceled["origClientOrderId"] == "life-1"
    with pytest.raises(BinanceError) as err:
        await rest.signed("DELETE", "/api/v3/order", {"symbol": "BTCUSDT",
                                                      "origClientOrderId": "life-1"})
    assert err.value.code == -2011
    with pytest.raises(BinanceError) as err:
        await rest.signed("GET", "/api/v3/order", {"symbol": "BTCUSDT",
                                                   "origClientOrderId": "never"})
    assert err.value.code == -2013
    balances = {b["asset"]: b for b in (await rest.signed("GET", "/api/v3/account"))["balances"]}
    cost = Decimal(price) * Decimal("0.004")
    assert Decimal(balances["USDT"]["free"]) == Decimal(1_000_000) - cost
    assert Decimal(balances["USDT"]["locked"]) == 0  # the rest was released on cancel
    assert Decimal(balances["BTC"]["free"]) == Decimal(10) + Decimal("0.004") - Decimal("0.000004")


async def test_filters_refuse_like_binance(rest):
    base = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    cases = [({"quantity": "0.000015", "price": "50000"}, -1013, "Filter failure: LOT_SIZE"),
             ({"quantity": "0.001", "price": "50000.005"}, -1013, "Filter failure: PRICE_FILTER"),
             ({"quantity": "0.00001", "price": "50000"}, -1013, "Filter failure: NOTIONAL"),
             ({"quantity": "0.001"}, -1102, "Mandatory parameter 'price'"),
             ({"quantity": "0.001", "price": "50000", "type": "STOP_LOSS"}, -2010,
              "Stop loss orders are not supported for this symbol."),
             ({"quantity": "0.001", "price": "50000", "timeInForce": "DAY"}, -1115,
              "Invalid timeInForce.")]
    for extra, code, msg in cases:
        with pytest.raises(BinanceError) as err:
            await rest.signed("POST", "/api/v3/order", {**base, **extra})
        assert err.value.code == code and err.value.msg.startswith(msg), (extra, err.value)


async def test_rest_faults(server, rest):
    server.injector.fail_rest(1, 503)
    with pytest.raises(UnknownOutcome, match="HTTP 503"):
        await rest.signed("GET", "/api/v3/openOrders")
    rest.timeout_s = 0.2
    server.injector.hold_rest(0.5)
    with pytest.raises(UnknownOutcome, match="no answer"):
        await rest.public("/api/v3/ping")
    assert await rest.public("/api/v3/ping") == {}
    assert server.injector.counts == {"5xx": 1, "timeout": 1}


async def test_listen_keys_and_user_stream(server, rest):
    key = (await rest.keyed("POST", "/api/v3/userDataStream"))["listenKey"]
    assert (await rest.keyed("POST", "/api/v3/userDataStream"))["listenKey"] == key
    assert await rest.keyed("PUT", "/api/v3/userDataStream", {"listenKey": key}) == {}
    with pytest.raises(BinanceError) as err:
        await rest.keyed("PUT", "/api/v3/userDataStream", {"listenKey": "other"})
    assert err.value.code == -1125
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{server.ws_url}/ws/{key}") as ws:
            await rest.signed("POST", "/api/v3/order", {
                "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                "quantity": "0.01", "price": "900000", "newClientOrderId": "ws-1"})
            report = await ws.receive_json(timeout=2)
            position = await ws.receive_json(timeout=2)
        assert (report["e"], report["x"], report["c"]) == ("executionReport", "NEW", "ws-1")
        assert position["e"] == "outboundAccountPosition"
        assert {b["a"]: b["l"] for b in position["B"]}["BTC"] == "0.01000000"
    assert await rest.keyed("DELETE", "/api/v3/userDataStream", {"listenKey": key}) == {}


async def test_ws_api_user_data_subscription(server, rest):
    creds = Credentials(TRADER_KEY, TRADER_SECRET)
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{server.ws_url}/ws-api/v3") as ws:
            params = ws_api_signed(Credentials(TRADER_KEY, "wrong"),
                                   {"timestamp": int(time.time() * 1000)})
            await ws.send_json({"id": "a", "method": "userDataStream.subscribe.signature",
                                "params": params})
            answer = await ws.receive_json(timeout=2)
            assert answer["status"] == 400 and answer["error"]["code"] == -1022
            params = ws_api_signed(creds, {"timestamp": int(time.time() * 1000),
                                           "recvWindow": 5000})
            await ws.send_json({"id": "b", "method": "userDataStream.subscribe.signature",
                                "params": params})
            answer = await ws.receive_json(timeout=2)
            assert answer["status"] == 200 and "subscriptionId" in answer["result"]
            sub = answer["result"]["subscriptionId"]
            await rest.signed("POST", "/api/v3/order", {
                "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                "quantity": "0.01", "price": "900000", "newClientOrderId": "wsapi-1"})
            report = await ws.receive_json(timeout=2)
            assert report["subscriptionId"] == sub
            assert (report["event"]["e"], report["event"]["c"]) == ("executionReport", "wsapi-1")
            await ws.send_json({"id": "c", "method": "userDataStream.unsubscribe"})
            while (await ws.receive_json(timeout=2)).get("id") != "c":
                pass
            await ws.send_json({"id": "d", "method": "nonsense"})
            assert (await ws.receive_json(timeout=2))["error"]["code"] == -1020


async def test_market_streams_raw_combined_and_subscribe(server):
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{server.ws_url}/ws/btcusdt@trade") as raw:
            msg = await raw.receive_json(timeout=3)
            assert msg["e"] == "trade" and msg["s"] == "BTCUSDT"
        async with http.ws_connect(f"{server.ws_url}/ws") as ws:
            await ws.send_json({"method": "SUBSCRIBE", "params": ["ethusdt@bookTicker"], "id": 7})
            assert await ws.receive_json(timeout=2) == {"result": None, "id": 7}
            ticker = await ws.receive_json(timeout=3)
            assert ticker["s"] == "ETHUSDT" and set(ticker) == {"u", "s", "b", "B", "a", "A"}
        async with http.ws_connect(f"{server.ws_url}/stream?streams=btcusdt@depth@100ms") as ws:
            frame = await ws.receive_json(timeout=3)
            assert frame["stream"] == "btcusdt@depth@100ms"
            assert frame["data"]["e"] == "depthUpdate" and frame["data"]["U"] <= frame["data"]["u"]
        resp = await http.get(f"{server.rest_url}/stream?streams=dogeusdt@trade")
        assert resp.status == 400
        # a raw path naming no stream (ccxt.pro's /ws/<n>) is an empty connection, as on
        # stream.binance.com; stream- or listen-key-shaped unknown names are still refused
        async with http.ws_connect(f"{server.ws_url}/ws/3") as ws:
            await ws.send_json({"method": "LIST_SUBSCRIPTIONS", "id": 1})
            assert await ws.receive_json(timeout=2) == {"result": [], "id": 1}
        for name in ("dogeusdt@trade", "k" * 60):
            resp = await http.get(f"{server.rest_url}/ws/{name}")
            assert resp.status == 400, name


async def test_a_client_that_does_not_answer_pings_is_dropped():
    async with LoopbackServer(loopback_settings(heartbeat_s=0.1).exchange) as srv:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{srv.ws_url}/ws/btcusdt@trade", autoping=False) as ws:
                start = time.monotonic()
                while not ws.closed and time.monotonic() - start < 2:
                    await ws.receive(timeout=2)
                assert ws.closed and time.monotonic() - start < 1


async def test_listen_keys_expire():
    async with LoopbackServer(loopback_settings(listen_key_ttl_s=0.3).exchange) as srv:
        async with aiohttp.ClientSession() as http:
            rest = BinanceRest(http, srv.rest_url, Credentials(TRADER_KEY, TRADER_SECRET))
            key = (await rest.keyed("POST", "/api/v3/userDataStream"))["listenKey"]
            async with http.ws_connect(f"{srv.ws_url}/ws/{key}") as ws:
                event = await ws.receive_json(timeout=2)
                assert event == {"e": "listenKeyExpired", "E": event["E"], "listenKey": key}
            await wait_until(lambda: srv.exchange.accounts[TRADER_KEY].listen_key is None, 1)


def test_fault_plans_parse_and_refuse_nonsense():
    plan = FaultPlan.parse("drop=30, gap=45,stale=60:5,delay=50,5xx=0.05,timeout=0.02:10,dup=0.1")
    assert (plan.drop_every_s, plan.gap_every_s, plan.stale_every_s, plan.stale_for_s) == (
        30, 45, 60, 5)
    assert (plan.delay_ms, plan.rest_5xx_rate, plan.timeout_rate, plan.timeout_hold_s,
            plan.duplicate_rate) == (50, 0.05, 0.02, 10, 0.1)
    for bad in ("drop", "drop=x", "drop=0", "5xx=2", "explode=1"):
        with pytest.raises(FaultSpecError):
            FaultPlan.parse(bad)


def test_only_loopback_addresses():
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        check_loopback(host)
    for host in ("0.0.0.0", "192.168.1.2", "10.0.0.1", "example.com", "::"):
        with pytest.raises(NotLoopback):
            check_loopback(host)


async def test_scheduled_faults_fire():
    settings = loopback_settings(faults="drop=0.3")
    async with LoopbackServer(settings.exchange) as srv:
        await asyncio.sleep(1.3)
        assert srv.injector.counts.get("drop", 0) >= 2
