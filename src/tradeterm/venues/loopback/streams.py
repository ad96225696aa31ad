"""The loopback exchange's websocket streams, in Binance's shapes.

* ``/stream?streams=a/b/c``: combined streams, each message ``{"stream": name, "data": payload}``;
* ``/ws/<stream>`` or ``/ws``: raw streams (payload only), more by ``SUBSCRIBE``. A raw path
  that is shaped like neither a stream (``<symbol>@<kind>``) nor a listen key (60 characters),
  e.g. ``/ws/0``, opens an empty connection, as stream.binance.com does: ccxt.pro's binance
  connects to ``/ws/<n>`` (n = its connection number) and subscribes by message;
* ``/ws/<listenKey>`` (or a listen key inside ``/stream?streams=``): the account's user data
  stream: ``executionReport``, ``outboundAccountPosition``, ``listenKeyExpired``.

Every connection has its own send queue and sender task, so faults (delay, stale, gap,
duplicate) apply per connection and a slow reader never holds up the market. The server pings
every ``heartbeat_s`` and drops a connection that does not answer, as Binance does; it also
closes connections older than ``max_connection_age_s`` (Binance: 24 h).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tradeterm.venues.loopback.faults import FaultInjector

log = logging.getLogger(__name__)

MAX_QUEUE = 200_000  # a reader this far behind is disconnected, as a real venue would
SHUTDOWN_GRACE_S = 1.0
LISTEN_KEY_LENGTH = 60  # Binance's listen keys; a name this long is taken for an unknown key


class Connection:
    __slots__ = (
        "ws",
        "request",
        "combined",
        "streams",
        "account",
        "listen_key",
        "queue",
        "gap_symbols",
        "injector",
        "opened",
        "sent",
        "task",
        "closing",
        "subscription_id",
    )

    def __init__(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        combined: bool,
        injector: FaultInjector,
    ) -> None:
        self.ws = ws
        self.request = request
        self.combined = combined
        self.streams: set[str] = set()
        self.account: Any = None  # set when the connection carries a user data stream
        self.listen_key: str | None = None
        self.subscription_id: int | None = None  # WebSocket API user data subscription
        self.queue: asyncio.Queue[tuple[float, str, str, int, str]] = asyncio.Queue()
        self.gap_symbols: set[str] = set()
        self.injector = injector
        self.opened = time.monotonic()
        self.sent = 0
        self.task: asyncio.Task[None] | None = None
        self.closing = False

    # kinds of queued messages
    MARKET, DEPTH, USER, FILL, CONTROL = range(5)

    def put(self, stream: str, payload: str, kind: int, symbol: str = "") -> None:
        if self.queue.qsize() >= MAX_QUEUE:
            log.warning("loopback: dropping a connection %d messages behind", MAX_QUEUE)
            self.abort()
            return
        self.queue.put_nowait((time.monotonic(), stream, payload, kind, symbol))

    async def sender(self) -> None:
        inj = self.injector
        ws = self.ws
        while True:
            born, stream, payload, kind, symbol = await self.queue.get()
            delay = inj.plan.delay_ms / 1000.0
            if delay:
                wait = born + delay - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            if kind in (self.MARKET, self.DEPTH) and inj.stale:
                continue  # a stale feed: nothing goes out, and it is lost
            if kind == self.DEPTH and symbol in self.gap_symbols:
                self.gap_symbols.discard(symbol)
                continue  # the gap: this update never arrives
            if kind == self.CONTROL:
                frame = payload
            elif self.subscription_id is not None and kind in (self.USER, self.FILL):
                frame = '{"subscriptionId":%d,"event":%s}' % (self.subscription_id, payload)
            elif self.combined:
                frame = '{"stream":"%s","data":%s}' % (stream, payload)
            else:
                frame = payload
            copies = 1
            if kind == self.FILL and inj.take_duplicate_fill():
                copies = 2
            elif kind != self.CONTROL and inj.duplicate_message():
                copies = 2
            for _ in range(copies):
                await ws.send_str(frame)
                self.sent += 1

    def abort(self) -> None:
        """Drop the connection without a close frame, like a network failure."""
        self.closing = True
        transport = self.request.transport
        if transport is not None:
            transport.abort()
        else:  # pragma: no cover - aiohttp keeps the transport while the socket is open
            asyncio.get_running_loop().create_task(self.ws.close())


class StreamHub:
    """Who listens to what; publishing fans a message out to the subscribed connections."""

    def __init__(self, injector: FaultInjector) -> None:
        self.injector = injector
        self.connections: set[Connection] = set()
        self._by_stream: dict[str, set[Connection]] = {}
        self._by_account: dict[int, set[Connection]] = {}

    # --- membership --------------------------------------------------------------------------
    def add(self, conn: Connection) -> None:
        self.connections.add(conn)

    def subscribe(self, conn: Connection, streams: list[str]) -> None:
        for name in streams:
            conn.streams.add(name)
            self._by_stream.setdefault(name, set()).add(conn)

    def unsubscribe(self, conn: Connection, streams: list[str]) -> None:
        for name in streams:
            conn.streams.discard(name)
            subs = self._by_stream.get(name)
            if subs is not None:
                subs.discard(conn)

    def detach_account(self, conn: Connection) -> None:
        if conn.account is not None:
            self._by_account.get(id(conn.account), set()).discard(conn)
        conn.account = None
        conn.listen_key = None
        conn.subscription_id = None

    def attach_account(self, conn: Connection, account: Any, listen_key: str | None) -> None:
        conn.account = account
        conn.listen_key = listen_key
        self._by_account.setdefault(id(account), set()).add(conn)

    def remove(self, conn: Connection) -> None:
        self.connections.discard(conn)
        self.unsubscribe(conn, list(conn.streams))
        if conn.account is not None:
            self._by_account.get(id(conn.account), set()).discard(conn)

    # --- publishing ----------------------------------------------------------------------------
    def has_subscribers(self, stream: str) -> bool:
        return bool(self._by_stream.get(stream))

    def publish(
        self, stream: str, payload: str, kind: int = Connection.MARKET, symbol: str = ""
    ) -> None:
        for conn in self._by_stream.get(stream, ()):
            conn.put(stream, payload, kind, symbol)

    def publish_user(self, account: Any, payload: str, fill: bool = False) -> None:
        kind = Connection.FILL if fill else Connection.USER
        for conn in self._by_account.get(id(account), ()):
            conn.put(conn.listen_key or "", payload, kind)

    def close_listen_key(self, listen_key: str) -> None:
        event = json.dumps(
            {"e": "listenKeyExpired", "E": int(time.time() * 1000), "listenKey": listen_key},
            separators=(",", ":"),
        )
        for conn in list(self.connections):
            if conn.listen_key == listen_key:
                conn.put(listen_key, event, Connection.USER)
                asyncio.get_running_loop().call_later(0.2, conn.abort)

    # --- faults --------------------------------------------------------------------------------
    def drop_all(self) -> int:
        conns = list(self.connections)
        for conn in conns:
            conn.abort()
        return len(conns)

    def mark_gap(self, symbol: str | None) -> None:
        for conn in self.connections:
            if symbol is None:
                conn.gap_symbols.update(_symbols_of(conn.streams))
            else:
                conn.gap_symbols.add(symbol.lower())

    def shutdown_all(self) -> None:
        event = json.dumps(
            {"e": "serverShutdown", "E": int(time.time() * 1000)}, separators=(",", ":")
        )
        loop = asyncio.get_running_loop()
        for conn in list(self.connections):
            if conn.account is None:
                conn.put("", event, Connection.CONTROL)
                loop.call_later(SHUTDOWN_GRACE_S, conn.abort)


def _symbols_of(streams: set[str]) -> set[str]:
    return {name.split("@", 1)[0] for name in streams if "@depth" in name}


StreamValidator = Callable[[str], str | None]  # stream name -> error text, or None if valid
ListenKeyLookup = Callable[[str], Any]  # listen key -> account, or None


async def serve_websocket(
    request: web.Request,
    hub: StreamHub,
    heartbeat_s: float,
    max_age_s: float,
    check_stream: StreamValidator,
    account_for_key: ListenKeyLookup,
) -> web.StreamResponse:
    """``/ws``, ``/ws/<name>`` and ``/stream?streams=...``."""
    combined = request.path.startswith("/stream")
    if combined:
        names = [n for n in request.query.get("streams", "").split("/") if n]
        if not names:
            return _http_error(400, -1102, "Mandatory parameter 'streams' was not sent.")
    else:
        tail = request.match_info.get("name", "")
        names = [tail] if tail else []
    market: list[str] = []
    user: tuple[Any, str] | None = None
    for name in names:
        account = account_for_key(name)
        if account is not None:
            user = (account, name)
            continue
        if not combined and _names_nothing(name):
            continue
        problem = check_stream(name)
        if problem is not None:
            return _http_error(400, -1125 if "@" not in name else -1121, problem)
        market.append(name)

    ws = web.WebSocketResponse(heartbeat=heartbeat_s or None, autoping=True)
    conn = Connection(ws, request, combined, hub.injector)
    hub.add(conn)  # subscribed before the handshake completes: nothing after it is missed
    hub.subscribe(conn, market)
    if user is not None:
        hub.attach_account(conn, *user)
    try:
        await ws.prepare(request)
    except BaseException:
        hub.remove(conn)
        raise
    conn.task = asyncio.create_task(conn.sender())
    age_timer = asyncio.get_running_loop().call_later(max_age_s, conn.abort) if max_age_s else None
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                reply = _control(hub, conn, msg.data, check_stream)
                if reply is not None:
                    conn.put("", reply, Connection.CONTROL)
            elif msg.type == WSMsgType.ERROR:
                break
    finally:
        if age_timer is not None:
            age_timer.cancel()
        await close_connection(hub, conn, ws)
    return ws


async def close_connection(hub: StreamHub, conn: Connection, ws: web.WebSocketResponse) -> None:
    """Forget a connection, stop its sender and close its socket (if the client has not)."""
    hub.remove(conn)
    if conn.task is not None:
        conn.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
            await conn.task
    if not ws.closed:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.close()


def _names_nothing(name: str) -> bool:
    """A raw ``/ws/<name>`` that is neither stream- nor listen-key-shaped: no stream, no error."""
    return "@" not in name and len(name) < LISTEN_KEY_LENGTH


def _control(
    hub: StreamHub, conn: Connection, text: str, check_stream: StreamValidator
) -> str | None:
    """Live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, as Binance answers them."""
    try:
        req = json.loads(text)
        method, ident = req["method"], req.get("id")
    except (ValueError, KeyError, TypeError):
        return json.dumps({"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"})
    params = req.get("params") or []
    if method == "SUBSCRIBE":
        bad = [p for p in params if check_stream(p) is not None]
        if bad:
            return json.dumps(
                {"code": 2, "msg": f"Invalid request: unknown stream {bad[0]}", "id": ident}
            )
        hub.subscribe(conn, params)
        return json.dumps({"result": None, "id": ident})
    if method == "UNSUBSCRIBE":
        hub.unsubscribe(conn, params)
        return json.dumps({"result": None, "id": ident})
    if method == "LIST_SUBSCRIPTIONS":
        return json.dumps({"result": sorted(conn.streams), "id": ident})
    return json.dumps({"code": 2, "msg": f"Invalid request: unknown variant {method}", "id": ident})


def _http_error(status: int, code: int, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)
