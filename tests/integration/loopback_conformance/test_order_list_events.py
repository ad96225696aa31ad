"""Order lists on the loopback's user data stream and WebSocket API: each order's
executionReport carries its list ("g"), a listStatus event goes out at each change of the list
(EXEC_STARTED when placed, ALL_DONE when one order fills and the other expires), in Binance's
documented shape; ``orderList.place.oco`` places an OCO as the REST endpoint does."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from decimal import Decimal
from typing import Any

import aiohttp

from tests.integration.loopback_conformance.order_list_fields import (
    LIST_STATUS_EVENT,
    LIST_STATUS_ORDER,
    check_list,
)
from tests.integration.loopback_conformance.order_list_session import (
    SYMBOL,
    Tape,
    quiet_exchange,
)
from tests.loopback_session import TRADER_KEY, TRADER_SECRET


async def _events_until(ws: Any, done: Any, timeout: float = 2.0) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not any(done(e) for e in events):
        msg = await ws.receive(timeout=max(0.01, deadline - time.monotonic()))
        events.append(json.loads(msg.data))
    return events


async def test_list_orders_and_list_status_on_the_user_data_stream():
    async with quiet_exchange() as (server, trader, counterparty):
        tape = Tape(counterparty)
        bids, asks = await tape.book()
        high, low = asks[0][0] + 100, min(await tape.last(), bids[0][0]) - 100
        key = await trader.stream_get_listen_key()
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{server.ws_url}/ws/{key}") as ws:
                answer = await trader.order_oco_sell(
                    symbol=SYMBOL,
                    quantity="0.01",
                    aboveType="LIMIT_MAKER",
                    abovePrice=str(high),
                    belowType="STOP_LOSS_LIMIT",
                    belowStopPrice=str(low),
                    belowPrice=str(low - 1),
                    belowTimeInForce="GTC",
                )
                await tape.print_at(high, "BUY")
                events = await _events_until(
                    ws, lambda e: e.get("e") == "listStatus" and e["l"] == "ALL_DONE"
                )
    list_id = answer["orderListId"]
    statuses = [e for e in events if e["e"] == "listStatus"]
    for event in statuses:
        assert set(event) == LIST_STATUS_EVENT
        assert (event["s"], event["g"], event["c"]) == (SYMBOL, list_id, "OCO")
        assert event["C"] == answer["listClientOrderId"]
        assert [set(o) for o in event["O"]] == [LIST_STATUS_ORDER] * 2
        assert [o["i"] for o in event["O"]] == [o["orderId"] for o in answer["orders"]]
    assert [(e["l"], e["L"]) for e in statuses] == [
        ("EXEC_STARTED", "EXECUTING"),
        ("ALL_DONE", "ALL_DONE"),
    ]
    reports = [e for e in events if e["e"] == "executionReport"]
    assert {e["g"] for e in reports} == {list_id}
    by_order = {(e["o"], e["x"], e["X"]) for e in reports}
    assert ("LIMIT_MAKER", "TRADE", "FILLED") in by_order
    assert ("STOP_LOSS_LIMIT", "EXPIRED", "EXPIRED") in by_order
    stop_new = next(e for e in reports if e["o"] == "STOP_LOSS_LIMIT" and e["x"] == "NEW")
    assert Decimal(stop_new["P"]) == low  # the stop price


def _signed(params: dict[str, Any]) -> dict[str, Any]:
    params = {**params, "apiKey": TRADER_KEY, "timestamp": int(time.time() * 1000)}
    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    signature = hmac.new(TRADER_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return {**params, "signature": signature}


async def test_the_ws_api_places_an_oco_as_rest_does():
    async with quiet_exchange() as (server, trader, counterparty):
        tape = Tape(counterparty)
        bids, asks = await tape.book()
        high, low = asks[0][0] + 100, min(await tape.last(), bids[0][0]) - 100
        request = {
            "symbol": SYMBOL,
            "side": "SELL",
            "quantity": "0.01",
            "aboveType": "LIMIT_MAKER",
            "abovePrice": str(high),
            "belowType": "STOP_LOSS",
            "belowStopPrice": str(low),
        }
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{server.ws_url}/ws-api/v3") as ws:
                await ws.send_json(
                    {"id": "a", "method": "orderList.place.oco", "params": _signed(request)}
                )
                placed = json.loads((await ws.receive(timeout=2)).data)
                request["abovePrice"], request["belowStopPrice"] = str(low), str(high)
                await ws.send_json(
                    {"id": "b", "method": "orderList.place.oco", "params": _signed(request)}
                )
                refused = json.loads((await asyncio.wait_for(ws.receive(), 2)).data)
        assert (placed["id"], placed["status"]) == ("a", 200)
        check_list(placed["result"], "OCO", 2)
        assert (refused["status"], refused["error"]["code"]) == (400, -2010)
        lists = await trader.get_open_oco_orders()
        assert [o["orderListId"] for o in lists] == [placed["result"]["orderListId"]]
