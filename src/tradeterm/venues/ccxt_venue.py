"""Any ccxt exchange by name: REST trading through ccxt, market data and private updates through
ccxt.pro where the exchange has them (else REST polling).

    tradeterm live --venue ccxt:kraken [--testnet] [--symbols BTC/USD]

* **Instruments** from ccxt's market metadata (``ccxt_setup``, which also builds the exchange):
  tick = price precision, lot = amount precision (``TICK_SIZE`` precision mode as given;
  ``DECIMAL_PLACES`` / ``SIGNIFICANT_DIGITS``: 10^-n), min notional = ``limits.cost.min``,
  maker / taker fees. The venue is named ``ccxt-<id>`` (instrument ids ``ccxt-kraken:BTC/USD``).
* **Market data**: ``watch_order_book`` / ``watch_trades`` (ccxt.pro keeps the book; a gap
  in its updates, ``InvalidNonce`` / ``ChecksumError``, shows RESYNCING, not an outage; each
  update is published as a ``BookSnapshot`` of the top ``ccxt.book_depth`` levels, numbered by a
  local counter: ccxt does not expose the venue's update ids), else ``fetch_order_book`` every
  ``ccxt.poll_s``. Sizes are rounded to the lot. The watched book is asked for without a limit:
  ccxt.pro syncs diffs onto a REST snapshot of that limit, and a shallow snapshot leaves holes
  once the price moves past its last level (levels that never change are never streamed).
* **Orders** (``ccxt_exec``): ``create_order`` with the client order id; errors mapped to reject
  reasons; a ``NetworkError`` / ``RequestTimeout`` makes the outcome uncertain and is resolved
  by looking the order up by its client order id. Private updates from ``watch_orders`` /
  ``watch_my_trades`` when available, and REST polling of working orders every
  ``ccxt.private_poll_s`` in any case (so nothing depends on one stream).
* ccxt's rate limiter is always on (``enableRateLimit``); ``--testnet`` is
  ``set_sandbox_mode(True)``. ccxt is imported only when this venue is built.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tradeterm.config import CcxtConfig
from tradeterm.core import topics
from tradeterm.core.backoff import Backoff
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import ConnectionState, OrderFilled, VenueStatus
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookSnapshot, Side, Trade
from tradeterm.domain.orders import Order
from tradeterm.domain.reports import OrderStatusReport, PositionReport
from tradeterm.venues.base import Venue
from tradeterm.venues.ccxt_exec import CcxtExecution
from tradeterm.venues.ccxt_setup import CcxtSetupError, market_instrument
from tradeterm.venues.ccxt_mapping import fill_event, order_report, short_error, to_units
from tradeterm.venues.ccxt_trades import fetch_all
from tradeterm.venues.repeated_trades import RepeatedTrades

log = logging.getLogger(__name__)

MS = 1_000_000


def _book_resync(exc: Exception) -> bool:
    """ccxt.pro's word for a gap in a streamed book (``InvalidNonce``, its ``ChecksumError``):
    the connection is up and the next ``watch_order_book`` syncs the book afresh."""
    import ccxt

    return isinstance(exc, ccxt.InvalidNonce)


class CcxtVenue(Venue):
    """``make_exchange()`` builds the ccxt exchange; it is called on first use, on the engine's
    loop (ccxt binds its HTTP session to the loop that first uses it)."""

    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        make_exchange: Callable[[], Any],
        instruments: list[Instrument],
        cfg: CcxtConfig,
        trading: bool = True,
        seed: int | None = None,
    ) -> None:
        super().__init__(bus, clock)
        self.rng = random.Random(seed)  # the backoff's jitter
        self._make_exchange = make_exchange
        self._exchange: Any = None
        self.name = instruments[0].venue
        self.cfg = cfg
        self._instruments = {i.id: i for i in instruments}
        self.symbols = {i.id: i.symbol for i in instruments}
        self.trading = trading
        # "no such order" is not proof it was never placed until then (the OMS asks again)
        self.request_window_ns = int(cfg.not_placed_after_s * 1_000_000_000)
        self.execution = CcxtExecution(
            self.name,
            bus,
            clock,
            lambda: self.exchange,
            self._instruments,
            self.symbols,
            cfg.not_placed_after_s,
            cfg.resolve_timeout_s,
        )
        self._book_ids = dict.fromkeys(self._instruments, 0)
        self.trades = RepeatedTrades()  # a trade the stream repeats goes out once
        self._stop_event: asyncio.Event | None = None
        self.closed = False

    @staticmethod
    async def discover(make_exchange: Callable[[], Any], symbols: list[str]) -> list[Instrument]:
        """The symbols' instruments from the market metadata (a throwaway exchange object)."""
        exchange = make_exchange()
        try:
            markets = await exchange.load_markets()
            missing = [s for s in symbols if s not in markets]
            if missing:
                known = ", ".join(sorted(markets)[:10])
                raise CcxtSetupError(
                    f"{exchange.id} has no market {', '.join(missing)} (e.g. {known})"
                )
            venue = f"ccxt-{exchange.id}"
            return [market_instrument(venue, exchange, markets[s]) for s in symbols]
        finally:
            await exchange.close()

    @property
    def exchange(self) -> Any:
        if self._exchange is None:
            self._exchange = self._make_exchange()
        return self._exchange

    def instruments(self) -> list[Instrument]:
        return list(self._instruments.values())

    # --- lifecycle ---------------------------------------------------------------------------
    async def run(self) -> None:
        self._stop_event = asyncio.Event()
        if self._stopping:
            await self.close()
            return
        has = self.exchange.has
        tasks = []
        for iid, symbol in self.symbols.items():
            tasks.append(
                self._book_loop(
                    iid, symbol, bool(has.get("watchOrderBook")) and self.cfg.websockets
                )
            )
            if has.get("watchTrades") and self.cfg.websockets:
                tasks.append(self._trades_loop(iid, symbol))
        if self.trading:
            tasks.append(self._poll_private())
            if has.get("watchMyTrades") and self.cfg.websockets:
                tasks.append(self._watch(self.exchange.watch_my_trades, self.execution.on_trades))
            if has.get("watchOrders") and self.cfg.websockets:
                tasks.append(self._watch(self.exchange.watch_orders, self.execution.on_orders))
        running = [asyncio.create_task(t) for t in tasks]
        self._status(ConnectionState.CONNECTING, "loading books")
        try:
            await self._stop_event.wait()
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await self.close()

    def stop(self) -> None:
        super().stop()
        if self._stop_event is not None:
            self._stop_event.set()

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self.execution.close()
            if self._exchange is not None:
                await self._exchange.close()

    def _status(self, state: ConnectionState, detail: str = "") -> None:
        now = self.clock.timestamp_ns()
        self.bus.publish(
            topics.venue_status(self.name), VenueStatus(now, now, self.name, state, detail)
        )

    # --- market data --------------------------------------------------------------------------
    def _backoff(self) -> Backoff:
        return Backoff(self.cfg.reconnect_min_s, self.cfg.reconnect_max_s, self.rng)

    async def _book_loop(self, iid: str, symbol: str, watch: bool) -> None:
        backoff = self._backoff()
        connected = False
        while not self._stopping:
            try:
                if watch:
                    # no limit: ccxt.pro's own depth (binance: a 1000-level snapshot,
                    # ``options.watchOrderBookLimit``) so levels the price moves into are known
                    book = await self.exchange.watch_order_book(symbol)
                else:
                    book = await self.exchange.fetch_order_book(symbol, self.cfg.book_depth)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: show it, back off, retry
                log.warning("%s: order book of %s: %s", self.name, symbol, short_error(exc))
                resync = _book_resync(exc)
                if connected:
                    self._status(
                        ConnectionState.RESYNCING if resync else ConnectionState.DISCONNECTED,
                        f"{symbol}: {type(exc).__name__}",
                    )
                connected = False
                await backoff.sleep()
                continue
            backoff.reset()
            self._publish_book(iid, book)
            if not connected and all(self._book_ids.values()):
                connected = True
                self._status(ConnectionState.CONNECTED)
            if not watch:
                await asyncio.sleep(self.cfg.poll_s)

    def _publish_book(self, iid: str, book: dict[str, Any]) -> None:
        inst = self._instruments[iid]
        n = self.cfg.book_depth

        def levels(side: list[list[Any]]) -> list[tuple[int, int]]:
            out = [
                (to_units(p, inst.tick_size), to_units(q, inst.lot_size)) for p, q, *_ in side[:n]
            ]
            return [lv for lv in out if lv[1] > 0]

        self._book_ids[iid] += 1
        now = self.clock.timestamp_ns()
        ts = int(book.get("timestamp") or 0) * MS or now
        self.bus.publish(
            topics.book(iid),
            BookSnapshot(
                iid, levels(book["bids"]), levels(book["asks"]), self._book_ids[iid], ts, now
            ),
        )

    async def _trades_loop(self, iid: str, symbol: str) -> None:
        inst = self._instruments[iid]
        backoff = self._backoff()
        while not self._stopping:
            try:
                trades = await self.exchange.watch_trades(symbol)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                log.warning("%s: trades of %s: %s", self.name, symbol, short_error(exc))
                await backoff.sleep()
                continue
            backoff.reset()
            now = self.clock.timestamp_ns()
            for tr in trades:
                tid = str(tr.get("id") or "0")
                trade = Trade(
                    iid,
                    to_units(tr["price"], inst.tick_size),
                    to_units(tr["amount"], inst.lot_size),
                    Side.BUY if tr.get("side") == "buy" else Side.SELL,
                    int(tid) if tid.isdigit() else 0,
                    int(tr.get("timestamp") or 0) * MS or now,
                    now,
                )
                if not self.trades.repeat(trade):
                    self.bus.publish(topics.trade(iid), trade)

    async def _watch(self, watcher: Any, handle: Any) -> None:
        backoff = self._backoff()
        while not self._stopping:
            try:
                handle(await watcher())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the REST poll still covers the orders
                log.warning("%s: private stream: %s", self.name, short_error(exc))
                await backoff.sleep()
                continue
            backoff.reset()

    async def _poll_private(self) -> None:
        """Working orders looked up every ``private_poll_s``: fills and ends never depend on a
        stream alone."""
        while not self._stopping:
            await asyncio.sleep(self.cfg.private_poll_s)
            for t in [
                t for t in self.execution.orders.values() if not t.terminal and t.venue_order_id
            ]:
                await self.execution.refresh(t)

    # --- execution ----------------------------------------------------------------------------
    def submit_order(self, order: Order) -> None:
        self.execution.submit(order)

    def cancel_order(self, order: Order) -> None:
        self.execution.cancel(order)

    # --- queries --------------------------------------------------------------------------------
    async def query_order(self, client_order_id: str, instrument: str) -> OrderStatusReport | None:
        inst = self._instruments[instrument]
        data = await self.execution.find(client_order_id, inst.symbol)
        return None if data is None else order_report(data, inst)

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        out = []
        for iid in [instrument] if instrument else list(self._instruments):
            inst = self._instruments[iid]
            out += [
                order_report(d, inst)
                for d in await self.exchange.fetch_open_orders(inst.symbol)
                if d.get("clientOrderId")
            ]
        return out

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        """Every fill from ``since_ns`` on: all pages, each trade with its id (``ccxt_trades``)."""
        fills = []
        now = time.time_ns()
        for iid in [instrument] if instrument else list(self._instruments):
            inst = self._instruments[iid]
            client_ids = {
                t.venue_order_id: t.client_order_id for t in self.execution.orders.values()
            }
            for tid, tr in await fetch_all(
                self.exchange, inst.symbol, since_ns // MS, self.cfg.trades_page
            ):
                oid = str(tr.get("order"))
                if oid not in client_ids:
                    data = await self.exchange.fetch_order(oid, inst.symbol)
                    client_ids[oid] = str(data.get("clientOrderId") or "")
                side = Side.BUY if tr.get("side") == "buy" else Side.SELL
                ts = int(tr.get("timestamp") or 0) * MS
                fills.append(fill_event(tr, tid, client_ids[oid], inst, oid, side, ts, now, 0))
        return sorted(fills, key=lambda f: (f.ts_event, f.trade_id))

    async def positions(self) -> list[PositionReport] | None:
        if not self.exchange.has.get("fetchPositions") or all(
            self.exchange.markets[s].get("spot") for s in self.symbols.values()
        ):
            return None  # spot: balances, not positions
        out = []
        for p in await self.exchange.fetch_positions(list(self.symbols.values())):
            iid = next((i for i, s in self.symbols.items() if s == p.get("symbol")), None)
            if iid is None:
                continue
            inst = self._instruments[iid]
            size = Decimal(str(p.get("contracts") or 0)) * Decimal(str(p.get("contractSize") or 1))
            lots = int(size / inst.lot_size)
            out.append(PositionReport(iid, -lots if p.get("side") == "short" else lots))
        return out

    async def balances(self) -> dict[str, Decimal]:
        data = await self.exchange.fetch_balance()
        return {k: Decimal(str(v)) for k, v in (data.get("total") or {}).items() if v}
