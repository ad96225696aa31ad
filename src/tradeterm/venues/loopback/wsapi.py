"""The loopback exchange's WebSocket API (``/ws-api/v3``): the part Binance spot's user data now
comes through (the listen key stream was discontinued for spot on 2026-02-20).

Requests are ``{"id": ..., "method": ..., "params": {...}}``; answers ``{"id": ..., "status":
200, "result": ...}`` or ``{"id": ..., "status": 400, "error": {"code": ..., "msg": ...}}``.
Methods: ``ping``, ``time``, ``userDataStream.subscribe.signature`` (params ``apiKey``,
``timestamp``, optional ``recvWindow``, ``signature`` over the sorted params; the account's
events then arrive as ``{"subscriptionId": n, "event": {...}}``), ``userDataStream.unsubscribe``,
``session.subscriptions`` and ``orderList.place.oco`` (signed as the subscription is; answered as
``POST /api/v3/orderList/oco`` is).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from aiohttp import WSMsgType, web

from tradeterm.venues.loopback.errors import ApiError, now_ms
from tradeterm.venues.loopback.exchange import LoopbackExchange
from tradeterm.venues.loopback.security import (
    account_for_key,
    check_signature,
    check_timestamp,
    ws_api_payload,
)
from tradeterm.venues.loopback.streams import Connection, close_connection

_subscription_ids = itertools.count()


async def serve_ws_api(
    request: web.Request, exchange: LoopbackExchange, heartbeat_s: float
) -> web.StreamResponse:
    hub = exchange.hub
    ws = web.WebSocketResponse(heartbeat=heartbeat_s or None, autoping=True)
    conn = Connection(ws, request, False, hub.injector)
    hub.add(conn)
    try:
        await ws.prepare(request)
    except BaseException:
        hub.remove(conn)
        raise
    conn.task = asyncio.create_task(conn.sender())
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                conn.put("", _answer(exchange, conn, msg.data), Connection.CONTROL)
            elif msg.type == WSMsgType.ERROR:
                break
    finally:
        await close_connection(hub, conn, ws)
    return ws


def _answer(exchange: LoopbackExchange, conn: Connection, text: str) -> str:
    ident: Any = None
    try:
        try:
            req = json.loads(text)
            ident = req.get("id")
            method = req["method"]
            params = req.get("params") or {}
            if not isinstance(params, dict):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ApiError(-1135, "Invalid JSON Request") from None
        result = _call(exchange, conn, method, params)
    except ApiError as exc:
        return json.dumps(
            {"id": ident, "status": exc.status, "error": {"code": exc.code, "msg": exc.msg}}
        )
    return json.dumps({"id": ident, "status": 200, "result": result})


def _call(exchange: LoopbackExchange, conn: Connection, method: str, params: dict[str, Any]) -> Any:
    hub = exchange.hub
    if method == "ping":
        return {}
    if method == "time":
        return {"serverTime": now_ms()}
    if method == "userDataStream.subscribe.signature":
        account = account_for_key(exchange, params.get("apiKey"))
        check_timestamp(params)
        check_signature(account, ws_api_payload(params), params.get("signature"))
        if conn.subscription_id is None:
            hub.attach_account(conn, account, None)
            conn.subscription_id = next(_subscription_ids)
        return {"subscriptionId": conn.subscription_id}
    if method == "userDataStream.unsubscribe":
        if conn.subscription_id is not None:
            event = json.dumps({"e": "eventStreamTerminated", "E": now_ms()})
            conn.put(
                "",
                '{"subscriptionId":%d,"event":%s}' % (conn.subscription_id, event),
                Connection.CONTROL,
            )
            hub.detach_account(conn)
        return {}
    if method == "orderList.place.oco":  # the same order entry as POST /api/v3/orderList/oco
        account = account_for_key(exchange, params.get("apiKey"))
        check_timestamp(params)
        check_signature(account, ws_api_payload(params), params.get("signature"))
        return exchange.list_requests.oco(account, {k: str(v) for k, v in params.items()})
    if method == "session.subscriptions":
        return [] if conn.subscription_id is None else [{"subscriptionId": conn.subscription_id}]
    raise ApiError(-1020, "This operation is not supported.")
