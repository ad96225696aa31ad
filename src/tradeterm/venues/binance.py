"""The native Binance venue: market data from websockets, orders over signed REST.

    rules = await BinanceVenue.discover(settings.binance, ["BTC/USDT"])   # exchangeInfo
    venue = BinanceVenue(bus, clock, rules, settings.binance, credentials)

Market data (``binance_feed``): combined streams with Binance's snapshot + diff book sync,
resync on gaps, reconnects with backoff, stale detection. Execution (``binance_exec``,
``binance_user``): only with credentials; ``newClientOrderId`` = the engine's client order id,
events from the user data stream, uncertain outcomes resolved by query. Point ``rest_url`` and
``ws_url`` at ``tradeterm exchange serve`` to run everything against the loopback exchange.

Binance spot offers no cancel-on-disconnect: orders stay working when this process goes away.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any
from decimal import Decimal

import aiohttp

from tradeterm.config import BinanceConfig
from tradeterm.core import topics
from tradeterm.core.backoff import Backoff
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import OrderFilled, OrderRejected
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.domain.reports import OrderStatusReport, PositionReport
from tradeterm.venues.base import Venue
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
from tradeterm.venues.binance_exec import BinanceExecution
from tradeterm.venues.binance_requests import NOT_PLACED_MARGIN_MS
from tradeterm.venues.binance_feed import BinanceMarketFeed
from tradeterm.venues.binance_queries import BinanceQueries
from tradeterm.venues.binance_rest import BinanceRest, Credentials
from tradeterm.venues.binance_symbols import SymbolRules, fetch_symbols
from tradeterm.venues.binance_user import UserDataStream

log = logging.getLogger(__name__)

STOP_GRACE_S = 1.0
# exchangeInfo at start: a 5xx or a lost answer is asked again, so many times, backing off
DISCOVER_ATTEMPTS = 5
DISCOVER_RETRY_FIRST_S = 0.2
DISCOVER_RETRY_MAX_S = 2.0


def endpoints(cfg: BinanceConfig, testnet: bool = False) -> tuple[str, str, str]:
    """(REST base URL, market streams base URL, WebSocket API URL)."""
    if testnet:
        return cfg.testnet_rest_url, cfg.testnet_ws_url, cfg.testnet_ws_api_url
    return cfg.rest_url, cfg.ws_url, cfg.ws_api_url


class BinanceVenue(Venue):
    name = "binance"
    native_order_lists = True  # an OCO goes out as Binance's orderList (submit_order_list)

    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        symbols: list[SymbolRules],
        cfg: BinanceConfig,
        credentials: Credentials | None = None,
        testnet: bool = False,
        name: str = "binance",
        seed: int | None = None,
    ) -> None:
        super().__init__(bus, clock)
        if credentials is not None and cfg.market != "spot":
            raise ValueError("orders through the native Binance venue are spot only")
        self.name = name
        self.cfg = cfg
        self.symbols = symbols
        self.credentials = credentials
        self.rest_url, self.ws_url, self.ws_api_url = endpoints(cfg, testnet)
        # a request may still be carried out until its recvWindow has passed (plus the margin
        # the execution client allows for the clock offset): "no such order" is not proof
        # before that
        self.request_window_ns = (cfg.recv_window_ms + NOT_PLACED_MARGIN_MS) * 1_000_000
        rng = random.Random(seed)
        self.feed = BinanceMarketFeed(
            name, bus, clock, [s.instrument for s in symbols], cfg, self.ws_url, rng
        )
        self.execution = BinanceExecution(name, bus, clock, symbols, cfg)
        self.user = (
            UserDataStream(self.execution, cfg, self.ws_url, self.ws_api_url, rng)
            if credentials is not None
            else None
        )
        self.rest: BinanceRest | None = None
        self.queries = BinanceQueries(
            name, symbols, self._rest_for_queries, self._client_id_of, credentials is not None
        )
        self._query_session: aiohttp.ClientSession | None = None
        self._query_rest: BinanceRest | None = None
        self._stop_event: asyncio.Event | None = None

    @staticmethod
    async def discover(
        cfg: BinanceConfig, symbols: list[str], testnet: bool = False, venue: str = "binance"
    ) -> list[SymbolRules]:
        """The symbols' rules from ``exchangeInfo`` (before the venue, which must know its
        instruments up front). A 5xx or an answer lost is asked again (``DISCOVER_ATTEMPTS``,
        backing off): a venue's passing 503 is not a failed start. Raises ``UnknownSymbol``,
        ``BinanceError``, ``UnknownOutcome`` (still, after the last attempt) or
        ``VenueUnreachable``."""
        rest_url = endpoints(cfg, testnet)[0]
        retry = Backoff(DISCOVER_RETRY_FIRST_S, DISCOVER_RETRY_MAX_S)
        async with aiohttp.ClientSession() as session:
            rest = BinanceRest(session, rest_url, timeout_s=cfg.request_timeout_s)
            for attempt in range(1, DISCOVER_ATTEMPTS + 1):
                try:
                    return await fetch_symbols(rest, symbols, venue)
                except UnknownOutcome as exc:  # a 5xx or no answer: a GET, asked again
                    if attempt == DISCOVER_ATTEMPTS:
                        raise
                    log.warning("%s: exchangeInfo failed (%s): asking again", venue, exc)
                    await retry.sleep()
        raise AssertionError("unreachable")

    def instruments(self) -> list[Instrument]:
        return [s.instrument for s in self.symbols]

    @property
    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        return self.user.balances if self.user is not None else {}

    # --- lifecycle -----------------------------------------------------------------------------
    async def run(self) -> None:
        self._stop_event = asyncio.Event()
        if self._stopping:
            return
        async with aiohttp.ClientSession() as session:
            rest = BinanceRest(
                session,
                self.rest_url,
                self.credentials,
                self.cfg.recv_window_ms,
                self.cfg.request_timeout_s,
            )
            self.rest = rest
            tasks: list[asyncio.Task[Any]] = [
                asyncio.create_task(self.feed.run(rest), name=f"{self.name}.market")
            ]
            if self.user is not None:
                try:
                    await rest.sync_time()
                except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
                    log.warning("%s: could not read the server time: %s", self.name, exc)
                self.execution.rest = rest
                tasks.append(asyncio.create_task(self.user.run(rest), name=f"{self.name}.user"))
            stop: asyncio.Task[Any] = asyncio.create_task(self._stop_event.wait())
            try:
                done, _ = await asyncio.wait([*tasks, stop], return_when=asyncio.FIRST_COMPLETED)
            finally:
                self._shutdown()
                stop.cancel()
                _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await self.execution.close()
                self.execution.rest = None
                self.rest = None
                await self.close_queries()
            for task in done:
                if task is not stop and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]  # checked just above

    def stop(self) -> None:
        super().stop()
        if self._stop_event is not None:
            self._stop_event.set()

    def _shutdown(self) -> None:
        self._stopping = True
        self.feed.stop()
        if self.user is not None:
            self.user.stop()

    # --- execution -----------------------------------------------------------------------------
    def submit_order(self, order: Order) -> None:
        if self.credentials is None:
            now = self.clock.timestamp_ns()
            self.bus.publish(
                topics.orders(self.name),
                OrderRejected(
                    now,
                    now,
                    order.client_order_id,
                    order.instrument,
                    "NO_CREDENTIALS",
                    f"no API key for {self.name}: set TRADETERM_{self.name.upper()}_KEY and "
                    "_SECRET",
                ),
            )
            return
        self.execution.submit(order)

    def submit_order_list(self, orders: list[Order], list_id: str) -> None:
        if self.credentials is None:
            for order in orders:
                self.submit_order(order)  # refused: no credentials
            return
        self.execution.submit_list(orders, list_id)

    def cancel_order(self, order: Order) -> None:
        if self.credentials is not None:
            self.execution.cancel(order)

    # --- queries (the OMS's truth: uncertain orders, reconciliation) ----------------------------
    async def _rest_for_queries(self) -> BinanceRest:
        """The running venue's REST client; before ``run`` (the desk reconciles before the
        venue starts) a client of its own, closed when ``run`` ends."""
        if self.rest is not None:
            return self.rest
        if self._query_rest is None:
            self._query_session = aiohttp.ClientSession()
            rest = BinanceRest(
                self._query_session,
                self.rest_url,
                self.credentials,
                self.cfg.recv_window_ms,
                self.cfg.request_timeout_s,
            )
            try:
                await rest.sync_time()
            except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
                log.warning("%s: could not read the server time: %s", self.name, exc)
            self._query_rest = rest
        return self._query_rest

    async def close_queries(self) -> None:
        if self._query_session is not None:
            await self._query_session.close()
        self._query_session = self._query_rest = None

    def _client_id_of(self, venue_order_id: str) -> str | None:
        for t in self.execution.orders.values():
            if t.venue_order_id == venue_order_id:
                return t.client_order_id
        return None

    async def query_order(self, client_order_id: str, instrument: str) -> OrderStatusReport | None:
        return await self.queries.query_order(client_order_id, instrument)

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        return await self.queries.open_orders(instrument)

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        return await self.queries.fills_since(since_ns, instrument)

    async def positions(self) -> list[PositionReport] | None:
        return None  # spot: balances, not positions (the OMS checks its own fills)
