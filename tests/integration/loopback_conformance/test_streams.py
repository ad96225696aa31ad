"""The market streams through python-binance's BinanceSocketManager (raw ``/ws/<name>`` and
combined ``/stream?streams=``) and by SUBSCRIBE, in Binance's documented payloads."""

from __future__ import annotations

import asyncio
import contextlib
import json

import aiohttp

from tests.integration.loopback_conformance import shapes


async def _next(socket, kind: str | None = None, timeout: float = 2.5) -> dict:
    async def wanted() -> dict:
        while True:
            msg = await socket.recv()
            data = msg.get("data", msg) if isinstance(msg, dict) else msg
            if kind is None or (isinstance(data, dict) and data.get("e") == kind):
                return msg

    return await asyncio.wait_for(wanted(), timeout)


async def test_kline_ticker_and_aggregate_trade_sockets(socket_manager):
    sockets = {
        "kline": socket_manager.kline_socket("BTCUSDT", interval="1s"),
        "24hrTicker": socket_manager.symbol_ticker_socket("BTCUSDT"),
        "24hrMiniTicker": socket_manager.symbol_miniticker_socket("ETHUSDT"),
        "aggTrade": socket_manager.aggtrade_socket("BTCUSDT"),
    }
    async with contextlib.AsyncExitStack() as stack:  # all at once: the tickers come each second
        opened = {kind: await stack.enter_async_context(s) for kind, s in sockets.items()}
        events = dict(zip(opened, await asyncio.gather(*(_next(s, k) for k, s in opened.items()))))
    kline = events["kline"]
    assert shapes.has_fields(kline, shapes.KLINE_EVENT) and shapes.has_fields(
        kline["k"], shapes.KLINE
    )
    assert kline["k"]["i"] == "1s" and kline["k"]["T"] == kline["k"]["t"] + 999
    assert shapes.has_fields(events["24hrTicker"], shapes.TICKER_EVENT)
    mini = events["24hrMiniTicker"]
    assert shapes.has_fields(mini, shapes.MINI_TICKER_EVENT) and mini["s"] == "ETHUSDT"
    assert shapes.has_fields(events["aggTrade"], shapes.AGG_TRADE_EVENT)


async def test_partial_depth_sockets(socket_manager):
    async with socket_manager.depth_socket("BTCUSDT", depth="5", interval=100) as socket:
        book = await _next(socket)
    assert shapes.has_fields(book, shapes.PARTIAL_DEPTH)
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert float(book["bids"][0][0]) < float(book["asks"][0][0])
    async with socket_manager.depth_socket("ETHUSDT", depth="10") as socket:  # every second
        assert len((await _next(socket))["bids"]) == 10


async def test_combined_streams_and_the_all_symbols_mini_tickers(socket_manager):
    names = ["btcusdt@kline_1m", "ethusdt@depth20@100ms", "!miniTicker@arr"]
    async with socket_manager.multiplex_socket(names) as socket:
        seen: dict[str, object] = {}
        while len(seen) < 3:
            msg = await _next(socket)
            seen[msg["stream"]] = msg["data"]
    assert seen["btcusdt@kline_1m"]["k"]["i"] == "1m"
    assert len(seen["ethusdt@depth20@100ms"]["bids"]) == 20
    minis = seen["!miniTicker@arr"]
    assert {m["s"] for m in minis} == {"BTCUSDT", "ETHUSDT"}
    assert all(shapes.has_fields(m, shapes.MINI_TICKER_EVENT) for m in minis)


async def test_subscribe_by_message_and_closing_candles(server):
    async with aiohttp.ClientSession() as session, session.ws_connect(server.ws_url + "/ws") as ws:
        await ws.send_str(
            json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@kline_1s"], "id": 1})
        )
        assert json.loads((await ws.receive(2)).data) == {"result": None, "id": 1}
        await ws.send_str(
            json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@kline_7s"], "id": 2})
        )
        refused = json.loads((await ws.receive(2)).data)
        assert refused["code"] == 2 and refused["id"] == 2
        final = None
        while final is None:  # a candle that closes is sent once more, final ("x": true)
            event = json.loads((await ws.receive(3)).data)
            if event["k"]["x"]:
                final = event["k"]
    rest = server.exchange.market.symbols["BTCUSDT"].tape
    (row,) = list(rest.candles("1s", [final["t"]]))
    assert final["n"] == row[2].count and final["L"] == row[2].last_id
