"""Binance market data over websockets: combined streams, snapshot + diff book sync, resync on a
gap, keepalive, reconnects and stale detection.

One connection carries ``<sym>@depth@100ms`` (or ``@depth``), ``<sym>@trade`` and
``<sym>@bookTicker`` for every symbol. Each book is synced as Binance documents ("How to manage a
local order book correctly", spot and USD-M futures):

1. open the stream and buffer the diffs;
2. fetch a REST snapshot (``lastUpdateId`` = N);
3. drop buffered diffs with ``u <= N``; if the first one left starts after ``N + 1`` the snapshot
   is older than the stream: fetch another;
4. publish the snapshot, then the diffs; the first must straddle ``N + 1``, each later one must
   start at the previous ``u + 1`` (spot) or name it as ``pu`` (futures).

A diff that breaks the chain is still published (the book keeper sees the gap and stops showing
the book as synced) and the feed publishes ``VenueStatus(RESYNCING)``, buffers again and fetches
a new snapshot; the book is only shown again from that snapshot on, so a gapped or crossed book
is never shown. Old or repeated diffs (``u`` at or below the last applied) are dropped here.

The connection answers the server's pings (the websockets library does) and pings itself every
``ping_interval_s``; it is replaced before Binance's 24 h limit (``max_connection_age_s``) and at
once on ``serverShutdown``; a lost connection is retried with exponential backoff and jitter
(``core/backoff.py``). No message for ``stale_after_s`` publishes ``VenueStatus(STALE)``;
``stale_reconnect_s`` reconnects.

A resync must be quick (the book is not shown meanwhile): the snapshot request has its own short
limit (``snapshot_timeout_s``, not the 10 s of order requests) and a failed one is asked again
after a short backoff of its own (``SNAPSHOT_RETRY_*``), not the reconnect backoff. Measured on
the loopback before this: a snapshot whose answer was held waited the whole REST timeout
(10 s), and two or three 503s in a row cost 1-7 s of reconnect backoff, so a resync could outlast
the 5 s feed-loss grace with the connection up all along.
"""

from __future__ import annotations

import asyncio
import logging
import random

import aiohttp
import msgspec
import websockets
from websockets.asyncio.client import ClientConnection, connect

from tradeterm.config import BinanceConfig
from tradeterm.core import topics
from tradeterm.core.backoff import Backoff
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import ConnectionState, VenueStatus
from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.domain.market import BookDelta, TopOfBook, Trade
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
from tradeterm.venues.binance_feed_state import BookSync, FeedStats
from tradeterm.venues.binance_messages import BinanceDecoder, UnknownMessage
from tradeterm.venues.binance_rest import BinanceRest
from tradeterm.venues.repeated_trades import RepeatedTrades

log = logging.getLogger(__name__)

MAX_BUFFER = 50_000  # diffs buffered while a snapshot is on its way
SNAPSHOT_ATTEMPTS = 5
SNAPSHOT_RETRY_FIRST_S = 0.05  # a failed snapshot is asked again after 0.05-0.1 s, then longer
SNAPSHOT_RETRY_MAX_S = 1.0
DEPTH_PATHS = {"spot": "/api/v3/depth", "usdm": "/fapi/v1/depth"}
_decode = msgspec.json.Decoder().decode


class BinanceMarketFeed:
    def __init__(
        self,
        venue: str,
        bus: MessageBus,
        clock: Clock,
        instruments: list[Instrument],
        cfg: BinanceConfig,
        ws_url: str,
        rng: random.Random | None = None,
    ) -> None:
        self.venue = venue
        self.bus = bus
        self.clock = clock
        self.cfg = cfg
        self.ws_url = ws_url.rstrip("/")
        self.rng = rng or random.Random()
        self.reconnects = Backoff(cfg.reconnect_min_s, cfg.reconnect_max_s, self.rng)
        self.decoder = BinanceDecoder(instruments)
        self.books = {i.id: BookSync(i) for i in instruments}
        self.stats = FeedStats()
        self.trades = RepeatedTrades()  # a trade the stream repeats goes out once
        self.rest: BinanceRest | None = None
        self._status_topic = topics.venue_status(venue)
        self._status: tuple[ConnectionState, str] | None = None
        self._ws: ClientConnection | None = None
        self._stale = False
        self._last_msg = 0.0
        self._planned = False
        self._healthy = False  # every book got synced on the current connection
        self._stopping = False

    # --- the stream names ----------------------------------------------------------------------
    def streams(self) -> list[str]:
        depth = "@depth@100ms" if self.cfg.depth_speed_ms == 100 else "@depth"
        names = []
        for sync in self.books.values():
            sym = sync.symbol.lower()
            names += [sym + depth, sym + "@trade"]
            if self.cfg.book_ticker:
                names.append(sym + "@bookTicker")
        return names

    # --- lifecycle -----------------------------------------------------------------------------
    def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            asyncio.get_running_loop().create_task(self._ws.close())

    async def run(self, rest: BinanceRest) -> None:
        """Connect, sync, publish; reconnect on failure; return after ``stop()``."""
        self.rest = rest
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._planned = False
            self._healthy = False
            try:
                await self._connect_once(loop)
            except (
                OSError,
                asyncio.TimeoutError,
                websockets.WebSocketException,
                aiohttp.ClientError,
            ) as exc:
                log.warning("%s market data connection failed: %s", self.venue, _describe(exc))
            finally:
                self._ws = None
                self._stale = False
                for sync in self.books.values():
                    _cancel(sync.task)
            if self._stopping:
                break
            self.stats.reconnects += 1
            if self._planned:
                self.stats.planned_reconnects += 1
                self.reconnects.reset()
                delay = 0.0
            else:
                if self._healthy:  # it worked for a while: start the backoff over
                    self.reconnects.reset()
                delay = self.reconnects.delay()
                self._set_status(ConnectionState.DISCONNECTED, f"reconnecting in {delay:.1f}s")
            await self._sleep(delay)
        self._set_status(ConnectionState.DISCONNECTED, "stopped")

    async def _sleep(self, seconds: float) -> None:
        end = asyncio.get_running_loop().time() + seconds
        while not self._stopping:
            left = end - asyncio.get_running_loop().time()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.05))

    async def _connect_once(self, loop: asyncio.AbstractEventLoop) -> None:
        """One connection's life, until it closes or breaks."""
        cfg = self.cfg
        self._set_status(ConnectionState.CONNECTING, self.ws_url)
        url = f"{self.ws_url}/stream?streams={'/'.join(self.streams())}"
        async with connect(
            url,
            ping_interval=cfg.ping_interval_s,
            ping_timeout=cfg.ping_timeout_s,
            open_timeout=cfg.open_timeout_s,
            close_timeout=2,
            max_size=2**24,
            max_queue=4096,
            compression=None,
            proxy=None,
        ) as ws:
            self._ws = ws
            self.stats.connects += 1
            self._last_msg = loop.time()
            for sync in self.books.values():
                sync.restart()
                sync.task = loop.create_task(self._sync_book(sync))
            self._set_status(ConnectionState.RESYNCING, "syncing books")
            watchdog = loop.create_task(self._watch(ws, loop.time() + cfg.max_connection_age_s))
            try:
                async for raw in ws:
                    self._last_msg = loop.time()
                    if self._stale:
                        self._stale = False
                        self._set_status(*self._health())
                    if self._on_message(raw):
                        self._planned = True
                        log.info("%s: serverShutdown received; reconnecting now", self.venue)
                        break
            finally:
                _cancel(watchdog)

    async def _watch(self, ws: ClientConnection, rotate_at: float) -> None:
        """Stale detection and the planned reconnect before the connection's age limit."""
        cfg = self.cfg
        loop = asyncio.get_running_loop()
        period = min(0.25, cfg.stale_after_s / 4)
        while True:
            await asyncio.sleep(period)
            now = loop.time()
            idle = now - self._last_msg
            if idle >= cfg.stale_after_s and not self._stale:
                self._stale = True
                self.stats.stale += 1
                log.warning("%s: no market data for %.1fs", self.venue, idle)
                self._set_status(ConnectionState.STALE, f"no market data for {idle:.0f}s")
            if cfg.stale_reconnect_s and idle >= cfg.stale_reconnect_s:
                log.warning("%s: still no market data after %.0fs; reconnecting", self.venue, idle)
                await ws.close()
                return
            if now >= rotate_at:
                log.info(
                    "%s: connection %.0fs old; replacing it", self.venue, cfg.max_connection_age_s
                )
                self._planned = True
                await ws.close()
                return

    # --- messages ------------------------------------------------------------------------------
    def _on_message(self, raw: str | bytes) -> bool:
        """Handle one frame; True if the server announced its shutdown."""
        self.stats.messages += 1
        try:
            msg = _decode(raw)
        except msgspec.DecodeError:
            self.stats.bad_messages += 1
            log.warning("%s: unreadable message dropped", self.venue)
            return False
        if not isinstance(msg, dict):
            return False
        data = msg.get("data", msg)
        if not isinstance(data, dict):
            return False
        if data.get("e") == "serverShutdown" or msg.get("e") == "serverShutdown":
            return True
        recv = self.clock.timestamp_ns()
        try:
            event = self.decoder.decode(data, recv)
        except UnknownMessage:
            return False  # subscription answers and streams we do not use
        except (KeyError, ValueError, TypeError, PrecisionError) as exc:
            self.stats.bad_messages += 1
            log.warning("%s: malformed market data dropped: %s", self.venue, exc)
            return False
        kind = type(event)
        if kind is BookDelta:
            sync = self.books[event.instrument]
            if sync.live:
                self._apply(sync, event)  # type: ignore[arg-type]
            else:
                sync.buffer.append(event)  # type: ignore[arg-type]
                if len(sync.buffer) > MAX_BUFFER:
                    log.warning(
                        "%s: %s snapshot too slow; starting over",
                        self.venue,
                        sync.instrument.symbol,
                    )
                    self._resync(sync, "buffer overflow")
        elif kind is Trade:
            if not self.trades.repeat(event):  # type: ignore[arg-type]
                self.bus.publish(topics.trade(event.instrument), event)
        elif kind is TopOfBook:
            self.bus.publish(topics.quote(event.instrument), event)
        return False

    def _apply(self, sync: BookSync, delta: BookDelta) -> None:
        last = sync.last_u
        if delta.last_update_id <= last:
            self.stats.duplicates += 1
            return
        in_sequence = sync.follows(delta)
        self.bus.publish(sync.topic, delta)  # a gapped one too: the book then knows it is out
        if in_sequence:
            sync.last_u = delta.last_update_id
            sync.fresh = False
            return
        log.warning(
            "%s %s: gap in book updates (expected %d, got %d..%d); resyncing",
            self.venue,
            sync.instrument.symbol,
            last + 1,
            delta.first_update_id,
            delta.last_update_id,
        )
        self._resync(sync, f"gap at update {last + 1}")

    def _resync(self, sync: BookSync, why: str) -> None:
        self.stats.resyncs += 1
        sync.restart()
        _cancel(sync.task)
        sync.task = asyncio.get_running_loop().create_task(self._sync_book(sync))
        self._set_status(ConnectionState.RESYNCING, f"{sync.instrument.symbol}: {why}")

    async def _sync_book(self, sync: BookSync) -> None:
        rest = self.rest
        assert rest is not None
        path = DEPTH_PATHS[self.cfg.market]
        retry = Backoff(SNAPSHOT_RETRY_FIRST_S, SNAPSHOT_RETRY_MAX_S, self.rng)
        for attempt in range(SNAPSHOT_ATTEMPTS):
            try:
                data = await rest.public(
                    path,
                    {"symbol": sync.symbol, "limit": self.cfg.snapshot_depth},
                    timeout_s=self.cfg.snapshot_timeout_s,
                )
                snap = self.decoder.snapshot(sync.instrument, data, self.clock.timestamp_ns())
            except (
                BinanceError,
                UnknownOutcome,
                VenueUnreachable,
                KeyError,
                ValueError,
                TypeError,
            ) as exc:
                log.warning("%s %s: snapshot failed: %s", self.venue, sync.instrument.symbol, exc)
                self.stats.snapshot_failures += 1
                await retry.sleep()
                continue
            n = snap.update_id
            pending = [d for d in sync.buffer if d.last_update_id > n]
            if pending and pending[0].first_update_id > n + 1:
                await asyncio.sleep(0.05 * (attempt + 1))  # the snapshot predates the stream
                continue
            self.stats.snapshots += 1
            self.bus.publish(sync.topic, snap)
            sync.live, sync.fresh, sync.last_u, sync.buffer = True, True, n, []
            for delta in pending:
                self._apply(sync, delta)
                if not sync.live:
                    return  # a gap inside the buffer: another sync has started
            state = self._health()
            if state[0] is ConnectionState.CONNECTED:
                self._healthy = True
            self._set_status(*state)
            return
        log.error(
            "%s %s: no usable snapshot after %d tries; reconnecting",
            self.venue,
            sync.instrument.symbol,
            SNAPSHOT_ATTEMPTS,
        )
        if self._ws is not None:
            await self._ws.close()

    # --- status --------------------------------------------------------------------------------
    def _health(self) -> tuple[ConnectionState, str]:
        if self._ws is None:
            return ConnectionState.DISCONNECTED, ""
        if self._stale:
            return ConnectionState.STALE, "no market data"
        waiting = [s.instrument.symbol for s in self.books.values() if not s.live]
        if waiting:
            return ConnectionState.RESYNCING, "syncing " + ", ".join(waiting)
        return ConnectionState.CONNECTED, ""

    @property
    def status(self) -> tuple[ConnectionState, str] | None:
        return self._status

    def _set_status(self, state: ConnectionState, detail: str = "") -> None:
        if self._status == (state, detail):
            return
        if self._stale and state in (ConnectionState.RESYNCING, ConnectionState.CONNECTED):
            return  # stale wins until data flows again
        self._status = (state, detail)
        now = self.clock.timestamp_ns()
        self.bus.publish(self._status_topic, VenueStatus(now, now, self.venue, state, detail))


def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None and not task.done():
        task.cancel()


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
