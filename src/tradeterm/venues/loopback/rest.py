"""The loopback exchange's REST API: Binance spot's paths, parameters, security and errors.

Security as Binance documents it: ``USER_STREAM`` endpoints need the ``X-MBX-APIKEY`` header;
``SIGNED`` (TRADE / USER_DATA) endpoints also need ``timestamp`` (within ``recvWindow``, default
5000 ms, of the server's time, and not more than 1000 ms ahead of it) and ``signature``: the
HMAC-SHA256 (hex) of the query string concatenated with the request body, keyed with the
account's secret. Errors are ``{"code": ..., "msg": ...}``: -2014 / -2015 (HTTP 401) for a
missing or unknown key, -1022 for a bad signature, -1021 for a stale timestamp.

The ``/loopback/...`` paths are the exchange's own controls (faults, pause, its book), for tests
and for other bots; they are not part of Binance's API.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tradeterm.venues.loopback.accounts import Account
from tradeterm.venues.loopback.errors import ApiError, mandatory, now_ms
from tradeterm.venues.loopback.exchange import LoopbackExchange
from tradeterm.venues.loopback.security import account_for_key, check_signature, check_timestamp
from tradeterm.venues.loopback.market import FAST_SUFFIX
from tradeterm.venues.loopback.rest_answers import binance_answers
from tradeterm.venues.loopback import market_data as md
from tradeterm.venues.loopback.cancel_replace import cancel_replace
from tradeterm.venues.loopback.streams import serve_websocket
from tradeterm.venues.loopback.wsapi import serve_ws_api

SIGNATURE = re.compile(r"(^|&)signature=[^&]*")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
EXCHANGE = web.AppKey("exchange", LoopbackExchange)


def ok(data: Any) -> web.Response:
    return web.json_response(data)


def error(exc: ApiError) -> web.Response:
    return web.json_response(exc.body(), status=exc.status)


async def _params(request: web.Request) -> tuple[dict[str, str], str]:
    """All parameters (the query string wins over the body) and the raw body."""
    body = ""
    if request.can_read_body:
        body = (await request.read()).decode("utf-8", "replace")
    params = dict(parse_qsl(body, keep_blank_values=True)) if body else {}
    params.update(parse_qsl(request.query_string, keep_blank_values=True))
    return params, body


def _api_key_account(request: web.Request) -> Account:
    return account_for_key(request.app[EXCHANGE], request.headers.get("X-MBX-APIKEY"))


def _signed_account(request: web.Request, params: dict[str, str], body: str) -> Account:
    account = _api_key_account(request)
    check_timestamp(params)
    query = SIGNATURE.sub("", request.query_string).lstrip("&")
    total = query + SIGNATURE.sub("", body).lstrip("&")
    check_signature(account, total, params.get("signature"))
    return account


def public(fn: Callable[[LoopbackExchange, dict[str, str]], Any]) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        params, _ = await _params(request)
        return ok(fn(request.app[EXCHANGE], params))

    return handle


def signed(fn: Callable[[LoopbackExchange, Account, dict[str, str]], Any]) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        params, body = await _params(request)
        account = _signed_account(request, params, body)
        return ok(fn(request.app[EXCHANGE], account, params))

    return handle


# --- user data stream keys (USER_STREAM: API key, no signature) -----------------------------
async def listen_key(request: web.Request) -> web.StreamResponse:
    exchange = request.app[EXCHANGE]
    account = _api_key_account(request)
    params, _ = await _params(request)
    ttl = exchange.cfg.listen_key_ttl_s
    if request.method == "POST":
        return ok({"listenKey": account.open_listen_key(time.monotonic(), ttl)})
    key = params.get("listenKey", "")
    if not key:
        raise mandatory("listenKey")
    if key != account.listen_key or account.listen_key_expires < time.monotonic():
        raise ApiError(-1125, "This listenKey does not exist.")
    if request.method == "PUT":
        account.open_listen_key(time.monotonic(), ttl)
    else:  # DELETE
        account.listen_key = None
        exchange.hub.close_listen_key(key)
    return ok({})


# --- middleware: faults and error answers ---------------------------------------------------
@web.middleware
async def faults_and_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    injector = request.app[EXCHANGE].injector
    try:
        fault = (
            injector.rest_fault_for(request.method, request.path)
            if request.path.startswith(("/api/", "/sapi/"))
            else None
        )
        if fault is None:
            return await handler(request)
        if fault.hold_s:  # processed now, answered late: the client has long given up
            response = await _answer(handler, request)
            await asyncio.sleep(fault.hold_s)
            return response
        if fault.processed:
            await _answer(handler, request)
        return web.json_response(
            {
                "code": -1001,
                "msg": "Internal error; unable to process your request. Please try again.",
            },
            status=fault.status,
        )
    except ApiError as exc:
        return error(exc)


async def _answer(handler: Handler, request: web.Request) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error(exc)


# --- the exchange's own controls ----------------------------------------------------------------
# A bad parameter is the caller's mistake: HTTP 400 with the reason (never a 500).
def _control_number(
    q: Any,
    name: str,
    default: float,
    low: float,
    high: float,
    integer: bool = False,
    low_open: bool = False,
) -> float:
    text = q.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise ApiError(
            -1100,
            f"parameter '{name}': {text!r} is not {'a whole number' if integer else 'a number'}",
        ) from None
    if not (value > low if low_open else value >= low) or not value <= high:
        raise ApiError(
            -1130,
            f"parameter '{name}': {text!r} is out of range "
            f"({'above' if low_open else 'from'} {low:g} to {high:g})",
        )
    return value


def _control_symbol(exchange: LoopbackExchange, q: Any) -> str | None:
    name = q.get("symbol")
    if name and name.upper() not in exchange.market.symbols:
        raise ApiError(
            -1121,
            f"parameter 'symbol': unknown symbol {name!r} (known: "
            f"{', '.join(sorted(exchange.market.symbols))})",
        )
    return name.upper() if name else None


async def control_fault(request: web.Request) -> web.StreamResponse:
    exchange = request.app[EXCHANGE]
    inj = exchange.injector
    kind = request.match_info["kind"]
    q = request.query
    seconds = _control_number(q, "seconds", 5.0, 0.0, 86_400.0, low_open=True)
    count = int(_control_number(q, "count", 1, 1, 1_000_000, integer=True))
    if kind == "drop":
        return ok({"dropped": inj.drop_connections()})
    if kind == "gap":
        inj.gap(_control_symbol(exchange, q))
    elif kind == "stale":
        inj.go_stale(seconds)
    elif kind == "shutdown":
        inj.server_shutdown()
    elif kind == "delay":
        inj.plan.delay_ms = _control_number(q, "ms", 0.0, 0.0, 60_000.0)
    elif kind == "5xx":
        status = int(_control_number(q, "status", 503, 500, 599, integer=True))
        inj.fail_rest(count, status, q.get("processed") == "1", q.get("path"), q.get("method"))
    elif kind == "timeout":
        inj.hold_rest(seconds, count, q.get("path"), q.get("method"))
    elif kind == "dup":
        inj.duplicate_next_fill(count)
    elif kind == "weight":  # limit=0 turns the weight limit off again
        inj.plan.weight_limit = int(_control_number(q, "limit", 0, 0, 10_000_000, integer=True))
        inj.plan.ban_s = _control_number(q, "ban_s", inj.plan.ban_s, 0.0, 259_200.0, low_open=True)
    else:
        raise ApiError(-1130, f"unknown fault {kind!r}", 404)
    return ok({"fault": kind})


async def control_book(request: web.Request) -> web.StreamResponse:
    """The exchange's own whole book of a symbol (to check a client's copy against)."""
    exchange = request.app[EXCHANGE]
    params, _ = await _params(request)
    market = exchange.symbol(params)
    assert market is not None
    return ok(market.snapshot(1_000_000))


async def control_market(request: web.Request) -> web.StreamResponse:
    market = request.app[EXCHANGE].market
    action = request.match_info["action"]
    if action == "pause":
        market.pause()
    elif action == "resume":
        market.resume()
    elif action == "flush":
        market.flush(FAST_SUFFIX)
    else:
        raise ApiError(-1130, f"unknown action {action!r}", 404)
    return ok({"paused": market.paused})


def build_app(exchange: LoopbackExchange) -> web.Application:
    app = web.Application(middlewares=[binance_answers(exchange.injector), faults_and_errors])
    app[EXCHANGE] = exchange
    cfg = exchange.cfg
    r = app.router
    r.add_get("/api/v3/ping", public(lambda ex, p: {}))
    r.add_get("/api/v3/time", public(lambda ex, p: {"serverTime": now_ms()}))
    r.add_get("/api/v3/exchangeInfo", public(LoopbackExchange.exchange_info))
    r.add_get("/api/v3/depth", public(LoopbackExchange.depth))
    r.add_get("/api/v3/trades", public(LoopbackExchange.recent_trades))
    r.add_post("/api/v3/order", signed(LoopbackExchange.new_order))
    r.add_delete("/api/v3/order", signed(LoopbackExchange.cancel_order))
    r.add_get("/api/v3/order", signed(LoopbackExchange.query_order))
    r.add_get("/api/v3/openOrders", signed(LoopbackExchange.open_orders))
    r.add_delete("/api/v3/openOrders", signed(LoopbackExchange.cancel_all))
    r.add_get("/api/v3/allOrders", signed(LoopbackExchange.all_orders))
    r.add_get("/api/v3/myTrades", signed(LoopbackExchange.my_trades))
    r.add_get("/api/v3/account", signed(lambda ex, acct, p: ex.account_info(acct)))
    # order lists (list_requests.py places them, list_queries.py finds and cancels them)
    r.add_post("/api/v3/orderList/oco", signed(lambda ex, a, p: ex.list_requests.oco(a, p)))
    r.add_post("/api/v3/orderList/oto", signed(lambda ex, a, p: ex.list_requests.oto(a, p)))
    r.add_post("/api/v3/orderList/otoco", signed(lambda ex, a, p: ex.list_requests.otoco(a, p)))
    r.add_post("/api/v3/order/oco", signed(lambda ex, a, p: ex.list_requests.old_oco(a, p)))
    r.add_get("/api/v3/orderList", signed(lambda ex, a, p: ex.list_queries.query(a, p)))
    r.add_delete("/api/v3/orderList", signed(lambda ex, a, p: ex.list_queries.cancel(a, p)))
    r.add_get("/api/v3/openOrderList", signed(lambda ex, a, p: ex.list_queries.open_lists(a, p)))
    r.add_get("/api/v3/allOrderList", signed(lambda ex, a, p: ex.list_queries.all_lists(a, p)))
    for method in ("POST", "PUT", "DELETE"):
        r.add_route(method, "/api/v3/userDataStream", listen_key)
    # market data from the book and the trade tape; test orders; cancel-replace
    r.add_get("/api/v3/klines", public(lambda ex, p: md.klines(md.symbol_of(ex.market, p), p)))
    r.add_get("/api/v3/uiKlines", public(lambda ex, p: md.klines(md.symbol_of(ex.market, p), p)))
    r.add_get(
        "/api/v3/aggTrades", public(lambda ex, p: md.agg_trades(md.symbol_of(ex.market, p), p))
    )
    r.add_get("/api/v3/avgPrice", public(lambda ex, p: md.avg_price(md.symbol_of(ex.market, p))))
    r.add_get(
        "/api/v3/ticker/price", public(lambda ex, p: md.answer(ex.market, p, md.price_ticker))
    )
    r.add_get(
        "/api/v3/ticker/bookTicker", public(lambda ex, p: md.answer(ex.market, p, md.book_ticker))
    )
    r.add_get(
        "/api/v3/ticker/24hr",
        public(
            lambda ex, p: md.answer(ex.market, p, lambda m: md.ticker_24hr(m, md.ticker_type(p)))
        ),
    )
    r.add_post("/api/v3/order/test", signed(LoopbackExchange.test_order))
    r.add_post("/api/v3/order/cancelReplace", signed(cancel_replace))

    async def websocket(request: web.Request) -> web.StreamResponse:
        return await serve_websocket(
            request,
            exchange.hub,
            cfg.heartbeat_s,
            cfg.max_connection_age_s,
            exchange.market.stream_error,
            exchange.account_for_listen_key,
        )

    async def ws_api(request: web.Request) -> web.StreamResponse:
        return await serve_ws_api(request, exchange, cfg.heartbeat_s)

    r.add_get("/ws-api/v3", ws_api)
    r.add_get("/ws", websocket)
    r.add_get("/ws/{name}", websocket)
    r.add_get("/stream", websocket)
    r.add_post("/loopback/fault/{kind}", control_fault)
    r.add_get("/loopback/book", control_book)
    r.add_post("/loopback/market/{action}", control_market)
    return app
