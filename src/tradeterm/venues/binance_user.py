"""Binance's user data stream: ``executionReport`` and an order list's ``listStatus`` (to the
execution), ``outboundAccountPosition`` (balances), and the end-of-stream events. Two ways in
(``binance.user_stream``):

* ``ws-api`` (default; the only one Binance spot offers since 2026-02-20): a WebSocket API
  connection (``ws_api_url``) sends ``userDataStream.subscribe.signature`` with ``apiKey``,
  ``timestamp``, ``recvWindow`` and the HMAC of those params sorted by name; events then arrive
  as ``{"subscriptionId": n, "event": {...}}``; ``eventStreamTerminated`` ends the subscription.
* ``listen-key``: ``POST /api/v3/userDataStream`` for a listen key (kept alive with ``PUT``
  well inside its 60-minute life), then ``/ws/<listenKey>``; ``listenKeyExpired`` ends it.

A lost connection is retried with backoff and jitter (``core/backoff.py``, started over once a
subscription is live); after every reconnect the orders still open are looked up, so what
happened meanwhile is not lost. Balances also come from
``GET /api/v3/account`` at start. The API key travels only in the subscription request and is
never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from decimal import Decimal
from typing import Any

import aiohttp
import msgspec
import websockets
from websockets.asyncio.client import ClientConnection, connect

from tradeterm.config import BinanceConfig
from tradeterm.core.backoff import Backoff
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
from tradeterm.venues.binance_exec import BinanceExecution
from tradeterm.venues.binance_rest import BinanceRest, ws_api_signed

log = logging.getLogger(__name__)

_decode = msgspec.json.Decoder().decode
STREAM_ENDS = ("listenKeyExpired", "eventStreamTerminated", "serverShutdown")


class UserDataStream:
    def __init__(
        self,
        execution: BinanceExecution,
        cfg: BinanceConfig,
        ws_url: str,
        ws_api_url: str,
        rng: random.Random | None = None,
    ) -> None:
        self.execution = execution
        self.cfg = cfg
        self.ws_url = ws_url.rstrip("/")
        self.ws_api_url = ws_api_url
        self.rng = rng or random.Random()
        self.reconnects = Backoff(cfg.reconnect_min_s, cfg.reconnect_max_s, self.rng)
        self.balances: dict[str, tuple[Decimal, Decimal]] = {}  # asset -> (free, locked)
        self.connects = 0  # subscriptions that were confirmed
        self.reports = 0
        self._ws: ClientConnection | None = None
        self._stopping = False
        self.venue = execution.venue

    def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            asyncio.get_running_loop().create_task(self._ws.close())

    async def run(self, rest: BinanceRest) -> None:
        await self._load_balances(rest)
        while not self._stopping:
            try:
                if self.cfg.user_stream == "ws-api":
                    await self._ws_api_once(rest)
                else:
                    await self._listen_key_once(rest)
                self.reconnects.reset()  # it ended by itself (stream end): the shortest pause
            except (
                BinanceError,
                UnknownOutcome,
                VenueUnreachable,
                KeyError,
                TypeError,
                OSError,
                asyncio.TimeoutError,
                websockets.WebSocketException,
                aiohttp.ClientError,
            ) as exc:
                log.warning("%s user data stream: %s", self.venue, exc or type(exc).__name__)
                if isinstance(exc, BinanceError) and exc.code == -1021:
                    await self._resync_time(rest)  # else every retry is refused the same way
            finally:
                self._ws = None
                self.execution.stream_connected = False
            if self._stopping:
                break
            await self.reconnects.sleep()

    def _connect(self, url: str) -> Any:
        cfg = self.cfg
        return connect(
            url,
            ping_interval=cfg.ping_interval_s,
            ping_timeout=cfg.ping_timeout_s,
            open_timeout=cfg.open_timeout_s,
            close_timeout=2,
            max_size=2**22,
            compression=None,
            proxy=None,
        )

    async def _ws_api_once(self, rest: BinanceRest) -> None:
        creds = rest.credentials
        assert creds is not None
        async with self._connect(self.ws_api_url) as ws:
            self._ws = ws
            request_id = f"tradeterm-subscribe-{self.connects + 1}"
            params = ws_api_signed(
                creds, {"recvWindow": self.cfg.recv_window_ms, "timestamp": rest.server_time_ms()}
            )
            await ws.send(
                json.dumps(
                    {
                        "id": request_id,
                        "method": "userDataStream.subscribe.signature",
                        "params": params,
                    }
                )
            )
            answer = await asyncio.wait_for(self._answer(ws, request_id), self.cfg.open_timeout_s)
            if answer.get("status") != 200:
                err = answer.get("error") or {}
                raise BinanceError(
                    int(err.get("code", -1000)),
                    str(err.get("msg", "")),
                    int(answer.get("status") or 400),
                )
            await self._listen(ws)

    async def _answer(self, ws: ClientConnection, request_id: str) -> dict[str, Any]:
        async for raw in ws:
            msg = _decode(raw)
            if isinstance(msg, dict) and msg.get("id") == request_id:
                return msg
        raise websockets.ConnectionClosed(None, None)

    async def _listen_key_once(self, rest: BinanceRest) -> None:
        key = (await rest.keyed("POST", "/api/v3/userDataStream"))["listenKey"]
        async with self._connect(f"{self.ws_url}/ws/{key}") as ws:
            self._ws = ws
            keepalive = asyncio.get_running_loop().create_task(self._keepalive(rest, key, ws))
            try:
                await self._listen(ws)
            finally:
                keepalive.cancel()

    async def _listen(self, ws: ClientConnection) -> None:
        """The subscription is live: events until the stream ends."""
        self.execution.stream_connected = True
        self.reconnects.reset()
        self.connects += 1
        if self.connects > 1:  # anything may have happened while we were away
            for tracked in self.execution.open_orders():
                await self.execution.refresh(tracked)
        async for raw in ws:
            ended = self._on_message(raw)
            if ended:
                log.info("%s: user data stream ended (%s); subscribing again", self.venue, ended)
                return

    async def _keepalive(self, rest: BinanceRest, key: str, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self.cfg.listen_key_keepalive_s)
            try:
                await rest.keyed("PUT", "/api/v3/userDataStream", {"listenKey": key})
            except BinanceError as exc:
                log.warning(
                    "%s: listen key keepalive refused (%s); reconnecting", self.venue, exc.msg
                )
                await ws.close()
                return
            except (UnknownOutcome, VenueUnreachable) as exc:
                log.warning("%s: listen key keepalive: %s", self.venue, exc)

    def _on_message(self, raw: str | bytes) -> str | None:
        """Handle one message; the event name if it ends the stream."""
        try:
            msg = _decode(raw)
        except msgspec.DecodeError:
            log.warning("%s: unreadable user data message dropped", self.venue)
            return None
        if not isinstance(msg, dict):
            return None
        data = msg.get("event") or msg.get("data") or msg
        if not isinstance(data, dict):
            return None
        kind = data.get("e")
        if kind == "executionReport":
            self.reports += 1
            try:
                self.execution.on_execution_report(data)
            except (KeyError, ValueError, TypeError) as exc:
                log.error("%s: malformed executionReport: %s", self.venue, exc)
        elif kind == "listStatus":
            try:
                self.execution.on_list_status(data)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                log.error("%s: malformed listStatus: %s", self.venue, exc)
        elif kind == "outboundAccountPosition":
            for bal in data.get("B", []):
                self.balances[bal["a"]] = (Decimal(bal["f"]), Decimal(bal["l"]))
        elif kind in STREAM_ENDS:
            return str(kind)
        return None

    async def _load_balances(self, rest: BinanceRest) -> None:
        try:
            account = await rest.signed("GET", "/api/v3/account")
        except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
            log.warning("%s: could not read balances: %s", self.venue, exc)
            if isinstance(exc, BinanceError) and exc.code == -1021:
                await self._resync_time(rest)
            return
        for bal in account.get("balances", []):
            self.balances[bal["asset"]] = (Decimal(bal["free"]), Decimal(bal["locked"]))

    async def _resync_time(self, rest: BinanceRest) -> None:
        """-1021: our timestamp was outside the receive window; measure the offset again."""
        try:
            offset = await rest.sync_time()
        except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
            log.warning("%s: could not read the server time: %s", self.venue, exc)
            return
        log.info("%s: clock offset to the server measured again: %+d ms", self.venue, offset)
