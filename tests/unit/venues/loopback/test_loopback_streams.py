"""The loopback exchange's websockets speak Binance: the user data stream behind a listen key,
the WebSocket API's user data subscription, market streams (raw, combined, subscribed), pings and
listen keys that expire."""

import time

import aiohttp
import pytest

from tests.loopback_session import TRADER_KEY, TRADER_SECRET, loopback_settings, wait_until
from tradeterm.venues.binance_errors import BinanceError
from tradeterm.venues.binance_rest import BinanceRest, Credentials, ws_api_signed
from tradeterm.venues.loopback import LoopbackServer


async def test_listen_keys_and_user_stream(server, rest):
    key = (await rest.keyed("POST", "/api/v3/userDataStream"))["listenKey"]
    assert (await rest.keyed("POST", "/api/v3/userDataStream"))["listenKey"] == key
    assert await rest.keyed("PUT", "/api/v3/userDataStream", {"listenKey": key}) == {}
    with pytest.raises(BinanceError) as err:
        await rest.keyed("PUT", "/api/v3/userDataStream", {"listenKey": "other"})
    assert err.value.code == -1125
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{server.ws_url}/ws/{key}") as ws:
            await rest.signed(
                "POST",
                "/api/v3/order",
                {
                    "symbol": "BTCUSDT",
                    "side": "SELL",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": "0.01",
                    "price": "900000",
                    "newClientOrderId": "ws-1",
                },
            )
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
            params = ws_api_signed(
                Credentials(TRADER_KEY, "wrong"), {"timestamp": int(time.time() * 1000)}
            )
            await ws.send_json(
                {"id": "a", "method": "userDataStream.subscribe.signature", "params": params}
            )
            answer = await ws.receive_json(timeout=2)
            assert answer["status"] == 400 and answer["error"]["code"] == -1022
            params = ws_api_signed(
                creds, {"timestamp": int(time.time() * 1000), "recvWindow": 5000}
            )
            await ws.send_json(
                {"id": "b", "method": "userDataStream.subscribe.signature", "params": params}
            )
            answer = await ws.receive_json(timeout=2)
            assert answer["status"] == 200 and "subscriptionId" in answer["result"]
            sub = answer["result"]["subscriptionId"]
            await rest.signed(
                "POST",
                "/api/v3/order",
                {
                    "symbol": "BTCUSDT",
                    "side": "SELL",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": "0.01",
                    "price": "900000",
                    "newClientOrderId": "wsapi-1",
                },
            )
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
