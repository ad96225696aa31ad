"""The embedded simulated market venue: seeded agents trading through ``matching/``.

Runs on either clock. On a ``LiveClock`` it keeps pace with the wall clock, generating the
actions that fall due since it last ran (a Poisson process of ``events_per_second``) every few
milliseconds. On a ``SimClock`` (``--fast``) it advances the clock itself, event by event, as
fast as the CPU allows; with a seed the run is then identical to the byte.

The session's own orders go into the same exchange books as the agents' orders: paper trading
on the simulated market is trading against its agents.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock
from tradeterm.domain.events import (
    ConnectionState, Liquidity, OrderAccepted, OrderCanceled, OrderFilled, OrderRejected,
    OrderUpdateRejected, VenueStatus,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, Trade
from tradeterm.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from tradeterm.domain.reports import OrderStatusReport, PositionReport
from tradeterm.venues.base import Venue
from tradeterm.venues.simmarket import TRADER, AgentParams, SimBook

log = logging.getLogger(__name__)

SLICE_S = 0.008  # longest stretch of work before giving the loop back
PACE_S = 0.004  # sleep between paced batches
MAX_LAG_NS = NS  # a paced market that falls further behind skips ahead
FILLS_KEPT = 100_000  # own fills the venue remembers for ``fills_since``


class SimMarketVenue(Venue):
    name = "sim"
    keeps_state = False  # in-process: a restart starts an empty exchange
    order_rate_limit = (100.0, 200)

    def __init__(self, bus: MessageBus, clock: Clock, markets: list[tuple[Instrument, AgentParams]],
                 events_per_second: float, seed: int, seed_orders: int = 300) -> None:
        super().__init__(bus, clock)
        if events_per_second <= 0:
            raise ValueError("events_per_second must be positive")
        self.rate = events_per_second
        self.rng = random.Random(seed)
        self.books = [SimBook(inst, params, self.rng, _OwnOrders(self, inst))
                      for inst, params in markets]
        total = sum(p.weight for _, p in markets)
        self._cum_weights = []
        acc = 0.0
        for _, p in markets:
            acc += p.weight / total
            self._cum_weights.append(acc)
        self._seed_orders = seed_orders
        self._update_ids = [0] * len(self.books)
        self._trade_ids = [0] * len(self.books)
        self._topics = [(topics.book(b.instrument.id), topics.trade(b.instrument.id))
                        for b in self.books]
        self._next_ts = 0
        self.actions = 0
        self.skipped_ns = 0
        # the session's own orders as the exchange sees them: venue order id -> working record
        self._own: dict[int, _OwnOrder] = {}
        self._own_ids = 0
        self._own_trade_ids = 0
        # ids unique across restarts of this exchange (a real venue never reuses a trade id):
        # the engine hands its session number over in ``resume``; until then, the start time
        self._run_tag = format(clock.timestamp_ns() // 1_000_000, "x")
        self._by_client: dict[str, _OwnOrder] = {}  # every own order of this run
        self._fills: deque[OrderFilled] = deque(maxlen=FILLS_KEPT)
        self._account: dict[str, int] = {}  # net position per instrument, lots

    def instruments(self) -> list[Instrument]:
        return [b.instrument for b in self.books]

    # --- market data -------------------------------------------------------------------------
    async def run(self) -> None:
        start = self.clock.timestamp_ns()
        self.bus.publish(topics.venue_status(self.name),
                         VenueStatus(start, start, self.name, ConnectionState.CONNECTED, "simulated"))
        for i, book in enumerate(self.books):
            book.seed_book(self._seed_orders, start)
            bids, asks = book.engine.level_size
            self.bus.publish(self._topics[i][0], BookSnapshot(
                book.instrument.id, sorted(bids.items(), reverse=True), sorted(asks.items()),
                0, start, start))
        self._next_ts = start + self._gap_ns()
        if self.clock.is_simulated:
            await self._run_fast()
        else:
            await self._run_paced()

    def _gap_ns(self) -> int:
        return 1 + int(self.rng.expovariate(self.rate) * NS)

    def _act(self, ts: int) -> None:
        u = self.rng.random()
        i = 0
        cum = self._cum_weights
        while u > cum[i] and i < len(cum) - 1:
            i += 1
        book = self.books[i]
        with self.bus.batch():  # an agent's taker order may fill the session's own orders
            book.act(ts)
            self._flush(i, book, ts)
        self.actions += 1

    def _flush(self, i: int, book: SimBook, ts: int) -> None:
        publish = self.bus.publish
        book_topic, trade_topic = self._topics[i]
        if book.trades:
            iid = book.instrument.id
            for price, qty, aggressor in book.trades:
                self._trade_ids[i] += 1
                publish(trade_topic, Trade(iid, price, qty, aggressor, self._trade_ids[i], ts, ts))
            book.trades.clear()
        if book.bid_changes or book.ask_changes:
            self._update_ids[i] += 1
            uid = self._update_ids[i]
            publish(book_topic, BookDelta(book.instrument.id, list(book.bid_changes.items()),
                                          list(book.ask_changes.items()), uid, uid, ts, ts))
            book.bid_changes.clear()
            book.ask_changes.clear()

    async def _run_fast(self) -> None:
        clock = self.clock
        perf = time.perf_counter
        while not self._stopping:
            deadline = perf() + SLICE_S
            for _ in range(1 << 20):
                ts = self._next_ts
                clock.advance_to(ts)  # type: ignore[attr-defined]
                if self._stopping:
                    return
                self._act(ts)
                self._next_ts = ts + self._gap_ns()
                if self.actions & 255 == 0 and perf() > deadline:
                    break
            await asyncio.sleep(0)

    async def _run_paced(self) -> None:
        clock = self.clock
        perf = time.perf_counter
        while not self._stopping:
            now = clock.timestamp_ns()
            if now - self._next_ts > MAX_LAG_NS:
                self.skipped_ns += now - self._next_ts
                self._next_ts = now
            deadline = perf() + SLICE_S
            while self._next_ts <= now and not self._stopping:
                ts = self._next_ts
                self._act(ts)
                self._next_ts = ts + self._gap_ns()
                if self.actions & 127 == 0 and perf() > deadline:
                    break
            await asyncio.sleep(PACE_S)

    # --- execution ---------------------------------------------------------------------------
    def _book_for(self, instrument: str) -> tuple[int, SimBook] | None:
        for i, book in enumerate(self.books):
            if book.instrument.id == instrument:
                return i, book
        return None

    def _order_event_topic(self) -> str:
        return topics.orders(self.name)

    def submit_order(self, order: Order) -> None:
        now = self.clock.timestamp_ns()
        found = self._book_for(order.instrument)
        reason = None
        if order.client_order_id in self._by_client:
            reason, message = "DUPLICATE_CLIENT_ORDER_ID", \
                f"client order id {order.client_order_id} was already used"
        elif found is None:
            reason, message = "UNKNOWN_INSTRUMENT", f"{order.instrument} is not traded here"
        elif order.qty <= 0:
            reason, message = "INVALID_QUANTITY", "quantity must be positive"
        elif order.order_type is OrderType.LIMIT and (order.price is None or order.price <= 0):
            reason, message = "INVALID_PRICE", "a limit order needs a positive price"
        elif order.order_type not in (OrderType.LIMIT, OrderType.MARKET):
            reason, message = "UNSUPPORTED_ORDER_TYPE", f"{order.order_type.value} not supported"
        if reason is not None:
            self.bus.publish(self._order_event_topic(), OrderRejected(
                now, now, order.client_order_id, order.instrument, reason, message))
            return
        i, book = found  # type: ignore[misc]
        self._own_ids += 1
        oid = self._own_ids
        own = _OwnOrder(order.client_order_id, order.instrument, order.side, order.qty, oid,
                        f"{self._run_tag}-{oid}", order.price, order.order_type, order.tif, now)
        self._own[oid] = own
        self._by_client[order.client_order_id] = own
        self.bus.publish(self._order_event_topic(), OrderAccepted(
            now, now, order.client_order_id, order.instrument, own.venue_order_id))
        engine = book.engine
        with self.bus.batch():  # subscribers react only after the match is complete
            if order.order_type is OrderType.MARKET:
                engine.submit_market(oid, TRADER, order.side, order.qty)
            else:
                engine.submit_limit(oid, TRADER, order.side, order.price, order.qty,  # type: ignore[arg-type]
                                    ioc=order.tif is TimeInForce.IOC)
            self._flush(i, book, now)

    def cancel_order(self, order: Order) -> None:
        now = self.clock.timestamp_ns()
        own = self._by_client.get(order.client_order_id)
        found = self._book_for(order.instrument)
        if own is not None and found is not None and own.oid in self._own:
            i, book = found
            with self.bus.batch():
                canceled = book.engine.cancel(own.oid)
                if canceled:
                    self._flush(i, book, now)
            if canceled:
                return
        self.bus.publish(self._order_event_topic(), OrderUpdateRejected(
            now, now, order.client_order_id, order.instrument, "cancel", "NOT_WORKING",
            "the order is not working at the venue"))

    def own_fill(self, inst: Instrument, order_id: int, price: int, qty: int, maker: bool) -> None:
        order = self._own.get(order_id)
        if order is None:
            return
        now = self.clock.timestamp_ns()
        fee = inst.notional(price, qty) * (inst.maker_fee if maker else inst.taker_fee)
        self._own_trade_ids += 1
        order.filled += qty
        self._account[order.instrument] = self._account.get(order.instrument, 0) + \
            int(order.side) * qty
        fill = OrderFilled(
            now, now, order.client_order_id, order.instrument, order.venue_order_id,
            f"S{self._run_tag}-{self._own_trade_ids}", order.side, price, qty,
            Liquidity.MAKER if maker else Liquidity.TAKER, fee, inst.quote,
            order.qty - order.filled)
        self._fills.append(fill)
        self.bus.publish(self._order_event_topic(), fill)

    def own_done(self, order_id: int, leaves: int, reason: str) -> None:
        order = self._own.pop(order_id, None)
        if order is None:
            return
        order.ts = self.clock.timestamp_ns()
        if reason == "FILLED":
            order.status = OrderStatus.FILLED
            return
        order.status = OrderStatus.CANCELED
        order.reason = reason
        now = order.ts
        self.bus.publish(self._order_event_topic(), OrderCanceled(
            now, now, order.client_order_id, order.instrument, reason))

    # --- queries -----------------------------------------------------------------------------
    def _report(self, own: _OwnOrder) -> OrderStatusReport:
        return OrderStatusReport(own.client_order_id, own.venue_order_id, own.instrument,
                                 own.side, own.qty, own.status, own.filled, own.price,
                                 own.order_type, own.tif, own.ts, own.reason)

    async def query_order(self, client_order_id: str, instrument: str
                          ) -> OrderStatusReport | None:
        own = self._by_client.get(client_order_id)
        return None if own is None else self._report(own)

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        return [self._report(o) for o in self._own.values()
                if instrument is None or o.instrument == instrument]

    async def fills_since(self, since_ns: int, instrument: str | None = None
                          ) -> list[OrderFilled]:
        return [f for f in self._fills
                if f.ts_event >= since_ns and (instrument is None or f.instrument == instrument)]

    async def positions(self) -> list[PositionReport] | None:
        return [PositionReport(iid, qty) for iid, qty in sorted(self._account.items())]

    def resume(self, session: int, positions: dict[str, int]) -> None:
        """Ids carry the engine's session number; the account opens with the positions the
        engine's store kept (this in-process exchange does not outlive its process)."""
        self._run_tag = f"{session:x}"
        self._account = {iid: qty for iid, qty in positions.items() if qty}


class _OwnOrder:
    __slots__ = ("client_order_id", "instrument", "side", "qty", "filled", "oid",
                 "venue_order_id", "price", "order_type", "tif", "ts", "status", "reason")

    def __init__(self, client_order_id: str, instrument: str, side: Side, qty: int, oid: int,
                 venue_order_id: str, price: int | None, order_type: OrderType,
                 tif: TimeInForce, ts: int) -> None:
        self.client_order_id = client_order_id
        self.instrument = instrument
        self.side = side
        self.qty = qty
        self.filled = 0
        self.oid = oid
        self.venue_order_id = venue_order_id
        self.price = price
        self.order_type = order_type
        self.tif = tif
        self.ts = ts
        self.status = OrderStatus.ACCEPTED
        self.reason = ""


class _OwnOrders:
    """Routes the matching engine's news about the session's own orders to the venue."""

    __slots__ = ("venue", "instrument")

    def __init__(self, venue: SimMarketVenue, instrument: Instrument) -> None:
        self.venue = venue
        self.instrument = instrument

    def own_fill(self, order_id: int, price: int, qty: int, maker: bool) -> None:
        self.venue.own_fill(self.instrument, order_id, price, qty, maker)

    def own_rested(self, order_id: int) -> None:
        pass  # the accept was already published when the order arrived

    def own_done(self, order_id: int, leaves: int, reason: str) -> None:
        self.venue.own_done(order_id, leaves, reason)
