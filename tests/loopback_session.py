"""Test harness: the loopback exchange on a free port, and a Binance venue wired to it through a
real bus and book keeper (the code under test runs for real; only the exchange is local)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import Settings, load_settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.events import ConnectionState, VenueStatus
from tradeterm.domain.instruments import Instrument
from tradeterm.venues.binance import BinanceVenue
from tradeterm.venues.binance_rest import Credentials
from tradeterm.venues.loopback import LoopbackServer

TRADER_KEY, TRADER_SECRET = "loopback-key", "loopback-secret"
COUNTERPARTY_KEY = "counterparty-key"
# The market's other side in the tests' sweeps (up to 3 BTC an order): with 10 BTC it ran short
# after about 13 sell sweeps in one stateful run, and the exchange refused the test's sweep.
COUNTERPARTY_BALANCES = {"USDT": "1000000000", "BTC": "10000", "ETH": "100000"}
ACCOUNTS = [
    {
        "api_key": TRADER_KEY,
        "api_secret": TRADER_SECRET,
        "balances": {"USDT": "1000000", "BTC": "10", "ETH": "100"},
    },
    {
        "api_key": COUNTERPARTY_KEY,
        "api_secret": "counterparty-secret",
        "balances": COUNTERPARTY_BALANCES,
    },
]
FAST_FEED = {
    "stale_after_s": 5.0,
    "reconnect_min_s": 0.05,
    "reconnect_max_s": 0.2,
    "recv_window_ms": 500,
    "request_timeout_s": 2.0,
    "resolve_timeout_s": 10.0,
}


def loopback_settings(**exchange: Any) -> Settings:
    values: dict[str, Any] = {
        "port": 0,
        "seed": 11,
        "events_per_second": 2000,
        "depth_interval_ms": 10,
        "heartbeat_s": 0,
        "accounts": ACCOUNTS,
    }
    values.update(exchange)
    return load_settings(exchange=values)


async def wait_until(cond: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await asyncio.sleep(0.01)


class Session:
    """A BinanceVenue against the loopback, with a book keeper and recorded events."""

    def __init__(
        self,
        server: LoopbackServer,
        symbols: list[str] | None = None,
        credentials: Credentials | None = None,
        **feed: Any,
    ) -> None:
        self.server = server
        self.symbols = symbols or ["BTC/USDT", "ETH/USDT"]
        self.credentials = credentials
        settings = load_settings(
            binance={
                "rest_url": server.rest_url,
                "ws_url": server.ws_url,
                "ws_api_url": server.ws_url + "/ws-api/v3",
                "symbols": self.symbols,
                **FAST_FEED,
                **feed,
            }
        )
        self.cfg = settings.binance
        self.bus = MessageBus()
        self.clock = LiveClock()
        self.statuses: list[VenueStatus] = []
        self.orders: list[Any] = []
        self.venue: BinanceVenue | None = None
        self.views = EngineViews(StatusView("LIVE", "binance"))
        self.crossed_shown = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self, wait_synced: bool = True) -> Session:
        rules = await BinanceVenue.discover(self.cfg, self.symbols)
        self.venue = BinanceVenue(self.bus, self.clock, rules, self.cfg, self.credentials, seed=3)
        MarketDataKeeper(self.bus, self.views, self.venue.instruments())
        self.bus.subscribe(topics.venue_status("binance"), self.statuses.append)
        self.bus.subscribe(topics.orders("binance"), self.orders.append)
        self.bus.subscribe("book.*", self._check_shown_book)
        self._task = asyncio.create_task(self.venue.run())
        if wait_synced:
            await self.wait_connected()
        return self

    def _check_shown_book(self, _msg: Any) -> None:
        # runs after the keeper (subscribed first): a synced book must never be crossed
        for book in self.views.books.values():
            if book.synced and book.is_crossed:
                self.crossed_shown += 1

    async def wait_flowing(self, timeout: float = 5.0) -> None:
        """Every book has applied a diff newer than its snapshot: the frames still in flight when
        the snapshot was taken (old, dropped as already applied) are through."""
        assert self.venue is not None
        syncs = list(self.venue.feed.books.values())
        await wait_until(
            lambda: all(s.live and not s.fresh for s in syncs), timeout, "diffs after the snapshots"
        )

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await wait_until(lambda: self.state is ConnectionState.CONNECTED, timeout, "CONNECTED")

    @property
    def state(self) -> ConnectionState | None:
        return self.statuses[-1].state if self.statuses else None

    def states(self) -> list[ConnectionState]:
        return [s.state for s in self.statuses]

    def instrument(self, symbol: str = "BTC/USDT") -> Instrument:
        assert self.venue is not None
        return next(i for i in self.venue.instruments() if i.symbol == symbol)

    async def stop(self) -> None:
        if self.venue is not None and self._task is not None:
            self.venue.stop()
            await asyncio.wait_for(self._task, 5)

    async def settle(self) -> None:
        """Stop the market, flush its depth, and wait until every book has caught up."""
        market = self.server.exchange.market
        market.pause()
        await asyncio.sleep(0.05)
        market.flush()
        for symbol in self.symbols:
            sym = market.symbols[symbol.replace("/", "")]
            book = self.views.books[self.instrument(symbol).id]
            await wait_until(
                lambda b=book, s=sym: b.synced and b.last_update_id == s.update_id,
                5.0,
                f"{symbol} to reach update {sym.update_id}",
            )

    def book_matches_exchange(self, symbol: str) -> bool:
        """Level by level, the client's book equals the exchange's own whole book."""
        inst = self.instrument(symbol)
        book = self.views.books[inst.id]
        snap = self.server.exchange.market.symbols[symbol.replace("/", "")].snapshot(10**6)
        bids = {inst.parse_price(p): inst.parse_qty(q) for p, q in snap["bids"]}
        asks = {inst.parse_price(p): inst.parse_qty(q) for p, q in snap["asks"]}
        return book.bids == bids and book.asks == asks and bool(bids) and bool(asks)
