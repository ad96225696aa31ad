"""Binance's user data stream: a listen key (``POST /api/v3/userDataStream``, kept alive with
``PUT`` well inside its 60-minute life), a websocket on ``/ws/<listenKey>``, and its events:
``executionReport`` (to the execution), ``outboundAccountPosition`` (balances) and
``listenKeyExpired`` (start again with a new key). A lost connection is retried with backoff;
after every reconnect the orders still open are looked up, so what happened meanwhile is not
lost. Balances also come from ``GET /api/v3/account`` at start.
"""

from __future__ import annotations

import asyncio
import logging
import random
from decimal import Decimal

import aiohttp
import msgspec
import websockets
from websockets.asyncio.client import ClientConnection, connect

from tradeterm.config import BinanceConfig
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
from tradeterm.venues.binance_exec import BinanceExecution
from tradeterm.venues.binance_rest import BinanceRest

log = logging.getLogger(__name__)

_decode = msgspec.json.Decoder().decode


class UserDataStream:
    def __init__(self, execution: BinanceExecution, cfg: BinanceConfig, ws_url: str,
                 rng: random.Random | None = None) -> None:
        self.execution = execution
        self.cfg = cfg
        self.ws_url = ws_url.rstrip("/")
        self.rng = rng or random.Random()
        self.balances: dict[str, tuple[Decimal, Decimal]] = {}  # asset -> (free, locked)
        self.connects = 0
        self.reports = 0
        self._ws: ClientConnection | None = None
        self._stopping = False
        self.venue = execution.venue

    def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            asyncio.get_running_loop().create_task(self._ws.close())

    async def run(self, rest: BinanceRest) -> None:
        attempt = 0
        await self._load_balances(rest)
        while not self._stopping:
            try:
                key = (await rest.keyed("POST", "/api/v3/userDataStream"))["listenKey"]
                await self._connect_once(rest, key)
                attempt = 0
            except (BinanceError, UnknownOutcome, VenueUnreachable, KeyError, TypeError, OSError,
                    asyncio.TimeoutError, websockets.WebSocketException,
                    aiohttp.ClientError) as exc:
                log.warning("%s user data stream: %s", self.venue, exc or type(exc).__name__)
            finally:
                self._ws = None
                self.execution.stream_connected = False
            if self._stopping:
                break
            ceiling = min(self.cfg.reconnect_max_s, self.cfg.reconnect_min_s * 2 ** min(attempt, 30))
            attempt += 1
            await asyncio.sleep(ceiling * (0.5 + 0.5 * self.rng.random()))

    async def _connect_once(self, rest: BinanceRest, key: str) -> None:
        cfg = self.cfg
        async with connect(f"{self.ws_url}/ws/{key}", ping_interval=cfg.ping_interval_s,
                           ping_timeout=cfg.ping_timeout_s, open_timeout=cfg.open_timeout_s,
                           close_timeout=2, max_size=2 ** 22, compression=None,
                           proxy=None) as ws:
            self._ws = ws
            self.execution.stream_connected = True
            self.connects += 1
            keepalive = asyncio.get_running_loop().create_task(self._keepalive(rest, key, ws))
            if self.connects > 1:  # anything may have happened while we were away
                for tracked in self.execution.open_orders():
                    await self.execution.refresh(tracked)
            try:
                async for raw in ws:
                    if self._on_message(raw):
                        log.info("%s: listen key expired; opening a new one", self.venue)
                        break
            finally:
                keepalive.cancel()

    async def _keepalive(self, rest: BinanceRest, key: str, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self.cfg.listen_key_keepalive_s)
            try:
                await rest.keyed("PUT", "/api/v3/userDataStream", {"listenKey": key})
            except BinanceError as exc:
                log.warning("%s: listen key keepalive refused (%s); reconnecting", self.venue,
                            exc.msg)
                await ws.close()
                return
            except (UnknownOutcome, VenueUnreachable) as exc:
                log.warning("%s: listen key keepalive: %s", self.venue, exc)

    def _on_message(self, raw: str | bytes) -> bool:
        """Handle one event; True when the listen key has expired."""
        try:
            msg = _decode(raw)
        except msgspec.DecodeError:
            log.warning("%s: unreadable user data message dropped", self.venue)
            return False
        data = msg.get("data", msg) if isinstance(msg, dict) else None
        if not isinstance(data, dict):
            return False
        kind = data.get("e")
        if kind == "executionReport":
            self.reports += 1
            try:
                self.execution.on_execution_report(data)
            except (KeyError, ValueError, TypeError) as exc:
                log.error("%s: malformed executionReport: %s", self.venue, exc)
        elif kind == "outboundAccountPosition":
            for bal in data.get("B", []):
                self.balances[bal["a"]] = (Decimal(bal["f"]), Decimal(bal["l"]))
        elif kind == "listenKeyExpired":
            return True
        return False

    async def _load_balances(self, rest: BinanceRest) -> None:
        try:
            account = await rest.signed("GET", "/api/v3/account")
        except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
            log.warning("%s: could not read balances: %s", self.venue, exc)
            return
        for bal in account.get("balances", []):
            self.balances[bal["asset"]] = (Decimal(bal["free"]), Decimal(bal["locked"]))
