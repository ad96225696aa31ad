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

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock
from tradeterm.domain.events import (
    ConnectionState,
    OrderFilled,
    OrderRejected,
    OrderUpdateRejected,
    VenueStatus,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, Trade
from tradeterm.domain.orders import Order
from tradeterm.domain.reports import OrderStatusReport, PositionReport
from tradeterm.matching.orders import KIND_NAMES, TIF_NAMES, UNKNOWN_ORDER
from tradeterm.matching.reports import OrderReports
from tradeterm.matching.rules import MatchingRules
from tradeterm.venues.base import Venue
from tradeterm.venues.sim_account import SimAccount
from tradeterm.venues.simmarket import TRADER, AgentParams, SimBook

log = logging.getLogger(__name__)

SLICE_S = 0.008  # longest stretch of work before giving the loop back
PACE_S = 0.004  # sleep between paced batches
MAX_LAG_NS = NS  # a paced market that falls further behind skips ahead


class SimMarketVenue(Venue):
    name = "sim"
    keeps_state = False  # in-process: a restart starts an empty exchange
    order_rate_limit = (100.0, 200)
    amends_in_place = True  # modify_order amends the order in the exchange's book

    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        markets: list[tuple[Instrument, AgentParams]],
        events_per_second: float,
        seed: int,
        seed_orders: int = 300,
        rules: dict[str, MatchingRules] | None = None,
    ) -> None:
        super().__init__(bus, clock)
        if events_per_second <= 0:
            raise ValueError("events_per_second must be positive")
        self.rate = events_per_second
        self.rng = random.Random(seed)
        self.books = []
        for inst, params in markets:
            book_rules = (rules or {}).get(inst.id) or MatchingRules.for_instrument(inst)
            reports = OrderReports(
                bus,
                clock,
                topics.orders(self.name),
                inst,
                book_rules.fees,
                TRADER,
                trade_prefix="S",
            )
            self.books.append(SimBook(inst, params, self.rng, reports, book_rules, clock))
        total = sum(p.weight for _, p in markets)
        self._cum_weights = []
        acc = 0.0
        for _, p in markets:
            acc += p.weight / total
            self._cum_weights.append(acc)
        self._seed_orders = seed_orders
        self._update_ids = [0] * len(self.books)
        self._topics = [
            (topics.book(b.instrument.id), topics.trade(b.instrument.id)) for b in self.books
        ]
        self._next_ts = 0
        self.actions = 0
        self.skipped_ns = 0
        self._own_ids = 0  # engine ids of the session's own orders (agents' ids start at 2**32)
        # what the exchange knows of the session's account, for the OMS's reconciliation queries
        self.account = SimAccount(bus, topics.orders(self.name))
        # ids unique across restarts of this exchange (a real venue never reuses an id): the
        # engine hands its session number over in ``resume``; until then, the start time
        self._set_run_tag(format(clock.timestamp_ns() // 1_000_000, "x"))

    def instruments(self) -> list[Instrument]:
        return [b.instrument for b in self.books]

    # --- market data -------------------------------------------------------------------------
    async def run(self) -> None:
        start = self.clock.timestamp_ns()
        self.bus.publish(
            topics.venue_status(self.name),
            VenueStatus(start, start, self.name, ConnectionState.CONNECTED, "simulated"),
        )
        for i, book in enumerate(self.books):
            book.seed_book(self._seed_orders, start)
            bids, asks = book.engine.level_size
            self.bus.publish(
                self._topics[i][0],
                BookSnapshot(
                    book.instrument.id,
                    sorted(bids.items(), reverse=True),
                    sorted(asks.items()),
                    0,
                    start,
                    start,
                ),
            )
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
            for price, qty, aggressor, trade_id in book.trades:
                publish(trade_topic, Trade(iid, price, qty, aggressor, trade_id, ts, ts))
            book.trades.clear()
        bid_changes, ask_changes = book.engine.level_changes
        if bid_changes or ask_changes:
            self._update_ids[i] += 1
            uid = self._update_ids[i]
            publish(
                book_topic,
                BookDelta(
                    book.instrument.id,
                    list(bid_changes.items()),
                    list(ask_changes.items()),
                    uid,
                    uid,
                    ts,
                    ts,
                ),
            )
            bid_changes.clear()
            ask_changes.clear()

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
        """The order enters the exchange book at once; every outcome (accepted or rejected
        with the engine's reason code, fills, cancels...) arrives as order events, delivered
        only after the match is complete (a bus batch), so no subscriber re-enters the book."""
        now = self.clock.timestamp_ns()
        found = self._book_for(order.instrument)
        reason = message = ""
        if self.account.knows(order.client_order_id):
            reason = "DUPLICATE_CLIENT_ORDER_ID"
            message = f"client order id {order.client_order_id} was already used"
        elif found is None:
            reason, message = "UNKNOWN_INSTRUMENT", f"{order.instrument} is not traded here"
        if reason:
            self.bus.publish(
                self._order_event_topic(),
                OrderRejected(now, now, order.client_order_id, order.instrument, reason, message),
            )
            return
        i, book = found  # type: ignore[misc]
        self._own_ids += 1
        oid = self._own_ids
        self.account.track(order, book.own.venue_order_id(oid), now)
        book.own.track(oid, order.client_order_id, order.side, order.qty, order.price)
        with self.bus.batch():
            book.engine.submit(
                oid,
                TRADER,
                int(order.side),
                order.qty,
                KIND_NAMES[order.order_type.value],
                order.price,
                TIF_NAMES[order.tif.value],
                trigger=order.trigger_price,
                post_only=order.post_only,
                reduce_only=order.reduce_only,
                display=order.display_qty or 0,
                expire_ns=order.expire_ns,
            )
            self._flush(i, book, now)

    def _not_working(self, order: Order, request: str, now: int) -> None:
        self.bus.publish(
            self._order_event_topic(),
            OrderUpdateRejected(
                now,
                now,
                order.client_order_id,
                order.instrument,
                request,
                UNKNOWN_ORDER,
                "the order is not working at the venue",
            ),
        )

    def cancel_order(self, order: Order) -> None:
        now = self.clock.timestamp_ns()
        found = self._book_for(order.instrument)
        oid = _engine_id(order.venue_order_id)
        if found is None or oid is None:
            self._not_working(order, "cancel", now)
            return
        i, book = found
        with self.bus.batch():
            canceled = book.engine.cancel(oid)
            if canceled:
                self._flush(i, book, now)
        if not canceled:
            self._not_working(order, "cancel", now)

    def modify_order(self, order: Order, price: int | None, qty: int | None) -> bool:
        """Modified in place by the exchange (a price change or a size increase loses time
        priority); the outcome arrives as OrderModified or OrderUpdateRejected."""
        now = self.clock.timestamp_ns()
        found = self._book_for(order.instrument)
        oid = _engine_id(order.venue_order_id)
        if found is None or oid is None or oid not in found[1].own.orders:
            self._not_working(order, "modify", now)
            return True
        i, book = found
        with self.bus.batch():
            book.engine.modify(oid, price=price, qty=qty)
            self._flush(i, book, now)
        return True

    def cancel_all_orders(self, instrument: str | None = None, side: Side | None = None) -> int:
        """Cancel the session's working orders: all, one instrument's, and/or one side's."""
        now = self.clock.timestamp_ns()
        count = 0
        with self.bus.batch():
            for i, book in enumerate(self.books):
                if instrument is None or book.instrument.id == instrument:
                    count += book.engine.cancel_all(TRADER, None if side is None else int(side))
                    self._flush(i, book, now)
        return count

    # --- queries (reconciliation) --------------------------------------------------------------
    async def query_order(self, client_order_id: str, instrument: str) -> OrderStatusReport | None:
        return self.account.report(client_order_id)

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        return self.account.open_orders(instrument)

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        return self.account.fills_since(since_ns, instrument)

    async def positions(self) -> list[PositionReport] | None:
        return self.account.positions()

    def resume(self, session: int, positions: dict[str, int]) -> None:
        """Ids carry the engine's session number; the account opens with the positions the
        engine's store kept (this in-process exchange does not outlive its process)."""
        self._set_run_tag(f"{session:x}")
        self.account.open_with(positions)

    def _set_run_tag(self, tag: str) -> None:
        for book in self.books:
            book.own.id_prefix = f"{tag}-"
            book.own.trade_prefix = f"S{tag}-"


def _engine_id(venue_order_id: str | None) -> int | None:
    """The engine's id inside a venue order id ``<run tag>-<id>``."""
    if venue_order_id is None:
        return None
    try:
        return int(venue_order_id.rsplit("-", 1)[-1])
    except ValueError:
        return None
