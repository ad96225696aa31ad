"""Paper execution: the execution half of a venue, simulated against whatever market data is on
the bus (the simulated market, a recording being replayed, a live Binance feed).

``PaperExecution`` listens to ``BookSnapshot``/``BookDelta`` on ``topics.book(id)`` and
``Trade`` on ``topics.trade(id)`` for its instruments, keeps its own copy of each book (in a
session it reads the market data keeper's instead: ``read_books``, each update applied once),
and simulates the session's orders against it with ``matching.paper_fills`` (queue position,
trades at and through the price, visible-level walks, latency). It publishes order events on
``topics.orders(venue)`` exactly like a real venue: OrderAccepted / OrderRejected (reason code)
/ OrderFilled (with ``note`` saying why it filled, fee from the instrument) / OrderCanceled /
OrderExpired / OrderTriggered / OrderModified / OrderUpdateRejected.

Latency: a request reaches the simulated venue ``latency + U(0, jitter)`` after it was sent (in
send order, as over one connection), via a clock alert, so on a ``SimClock`` driven by a replay
it arrives between the market events it would have arrived between. With zero latency it
arrives at once.

Composition (the venue registry, ``runtime/venue_registry.py``, does this for
``replay --paper``; it sits the same way on any data client; ``venues/paper_client.py``)::

    data = ReplayVenue(bus, clock, ...)     # any DataClient that publishes market data on ``bus``
    execution = PaperExecutionClient(data, FillModel(model="queue", latency_ns=20_000_000))

``PaperExecutionClient`` is an ``ExecutionClient`` only: the kernel runs and stops the data
client, the OMS sends the session's orders here; the data client never sees them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any


from tradeterm.book.l2 import L2Book
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import (
    Liquidity,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderUpdateRejected,
    OrderRejected,
    OrderTriggered,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Side
from tradeterm.domain.orders import Order
from tradeterm.matching.orders import (
    KIND_NAMES,
    LIMIT,
    MARKET,
    STOP_LIMIT,
    STOP_MARKET,
    TIF_NAMES,
    UNKNOWN_ORDER,
)
from tradeterm.matching.paper_fills import FillModel, PaperBook, PaperListener, PaperOrder
from tradeterm.matching.rules import FeeSchedule


class _Tracked:
    __slots__ = ("client_order_id", "instrument", "side", "price", "qty")

    def __init__(
        self, client_order_id: str, instrument: Instrument, side: Side, price: int | None, qty: int
    ) -> None:
        self.client_order_id = client_order_id
        self.instrument = instrument
        self.side = side
        self.price = price  # as sent
        self.qty = qty


class PaperExecution(PaperListener):
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        venue: str,
        instruments: list[Instrument],
        model: FillModel,
        seed: int = 0,
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.venue = venue
        self.model = model
        self.topic = topics.orders(venue)
        self.rng = random.Random(seed)
        self.books: dict[str, PaperBook] = {}
        self.fees: dict[str, FeeSchedule] = {}
        self._on_book: dict[str, Any] = {}  # its book handlers, while it keeps its own books
        for inst in instruments:
            self.books[inst.id] = PaperBook(inst, model, self)
            self.fees[inst.id] = FeeSchedule(inst.maker_fee, inst.taker_fee)
            self._on_book[inst.id] = self._book_handler(self.books[inst.id])
            bus.subscribe(topics.book(inst.id), self._on_book[inst.id])
            bus.subscribe(topics.trade(inst.id), self.books[inst.id].on_trade)
        self._tracked: dict[int, _Tracked] = {}
        self._by_client: dict[str, int] = {}  # client order id -> paper id (cancel before ack)
        self._ids = 0
        self._trade_ids = 0
        self._requests = 0
        self._last_arrival = 0
        self._in_flight: set[str] = set()  # the alerts of requests on their way
        self.id_prefix = "P"  # venue order ids and trade ids; the session number after resume

    def read_books(self, books: Mapping[str, L2Book]) -> dict[str, PaperBook]:
        """Fill against ``books`` (the market data keeper's) instead of a copy of each: every
        update is then applied once. Returns the paper books that now read one; whoever keeps
        the books must call their ``updating``/``updated`` around each update (the bus no
        longer brings the updates here). Before any market data."""
        reading = {}
        for iid, book in books.items():
            paper = self.books.get(iid)
            handler = self._on_book.pop(iid, None)
            if paper is None or handler is None:
                continue
            self.bus.unsubscribe(topics.book(iid), handler)
            paper.read(book)
            reading[iid] = paper
        return reading

    @staticmethod
    def _book_handler(book: PaperBook) -> Any:
        def on_book(msg: BookDelta | BookSnapshot) -> None:
            if type(msg) is BookDelta:
                book.on_delta(msg)
            else:
                book.on_snapshot(msg)  # type: ignore[arg-type]

        return on_book

    # --- requests (they reach the simulated venue after the latency) -------------------------
    def submit_order(self, order: Order) -> None:
        now = self.clock.timestamp_ns()
        book = self.books.get(order.instrument)
        if book is None:
            self.bus.publish(
                self.topic,
                OrderRejected(
                    now,
                    now,
                    order.client_order_id,
                    order.instrument,
                    "UNKNOWN_INSTRUMENT",
                    f"{order.instrument} has no market data here",
                ),
            )
            return
        self._ids += 1
        oid = self._ids
        self._by_client[order.client_order_id] = oid
        self._tracked[oid] = _Tracked(
            order.client_order_id, book.instrument, order.side, order.price, order.qty
        )
        paper = PaperOrder(
            oid,
            int(order.side),
            order.qty,
            order.price,
            KIND_NAMES[order.order_type.value],
            TIF_NAMES[order.tif.value],
            order.post_only,
            order.reduce_only,
            order.display_qty or 0,
            order.trigger_price,
            order.expire_ns,
        )
        self._after_latency(lambda _ts: book.arrive(paper))

    def cancel_order(self, order: Order) -> None:
        oid, book = self._find(order)

        def arrive(_ts: int) -> None:
            if oid is None or book is None or not book.cancel(oid):
                self._publish(
                    OrderUpdateRejected,
                    order.client_order_id,
                    order.instrument,
                    "cancel",
                    UNKNOWN_ORDER,
                    "the paper order is no longer working",
                )

        self._after_latency(arrive)

    def modify_order(self, order: Order, price: int | None, qty: int | None) -> bool:
        oid, book = self._find(order)

        def arrive(_ts: int) -> None:
            reason = UNKNOWN_ORDER if oid is None or book is None else book.modify(oid, price, qty)
            if reason:
                self._publish(
                    OrderUpdateRejected,
                    order.client_order_id,
                    order.instrument,
                    "modify",
                    reason,
                    "the paper venue refused the modify",
                )

        self._after_latency(arrive)
        return True

    def _find(self, order: Order) -> tuple[int | None, PaperBook | None]:
        return self._by_client.get(order.client_order_id), self.books.get(order.instrument)

    def _after_latency(self, arrive: Any) -> None:
        model = self.model
        if not model.latency_ns and not model.jitter_ns:
            arrive(self.clock.timestamp_ns())
            return
        delay = model.latency_ns + (
            int(self.rng.random() * model.jitter_ns) if model.jitter_ns else 0
        )
        at = max(self.clock.timestamp_ns() + delay, self._last_arrival)  # FIFO, like a socket
        self._last_arrival = at
        self._requests += 1
        name = f"paper.{self.venue}.{self._requests}"
        self._in_flight.add(name)

        def arrived(ts: int) -> None:
            self._in_flight.discard(name)
            arrive(ts)

        self.clock.set_alert(name, at, arrived)

    # --- a replay going back (``trading/paper_rewind.py``) ------------------------------------
    def hold(self) -> None:
        """Take every paper order off the books and drop the requests on their way: the market
        goes back under them, and nothing may fill meanwhile."""
        for name in self._in_flight:
            self.clock.cancel_timer(name)
        self._in_flight.clear()
        self._last_arrival = 0  # the clock goes back: a request arrives after its own latency
        for book in self.books.values():
            for order in (*book.orders.values(), *book.stops.values()):
                self.clock.cancel_timer(f"paper.{self.venue}.gtd.{order.order_id}")
            book.rewound(book.position, book.last_price)
        self._tracked.clear()

    def restore(
        self,
        working: list[Order],
        triggered: set[str],
        positions: Mapping[str, int],
        last_prices: Mapping[str, int | None],
    ) -> int:
        """The market is back at the target: put the session's orders working there back
        (``working``, as the OMS has them; ``triggered``: the stops that had triggered), under
        their own paper ids, each at the back of its price's queue as the book shows it now (its
        place at the target is not known: the back is the cautious guess); the paper positions
        (reduce-only) and last prices (stops) too. Returns how many orders work again."""
        for iid, paper_book in self.books.items():
            paper_book.rewound(positions.get(iid, 0), last_prices.get(iid))
        back = 0
        by_id = self._by_client
        for order in sorted(working, key=lambda o: by_id.get(o.client_order_id, 0)):
            oid, book = self._find(order)
            if oid is None or book is None:
                continue
            kind = KIND_NAMES[order.order_type.value]
            waits = kind in (STOP_MARKET, STOP_LIMIT) and order.client_order_id not in triggered
            if not waits and kind in (MARKET, STOP_MARKET):
                continue  # a market order never rests
            paper = PaperOrder(
                oid,
                int(order.side),
                order.qty,
                order.price,
                kind if waits else LIMIT,
                TIF_NAMES[order.tif.value],
                order.post_only,
                order.reduce_only,
                order.display_qty or 0,
                order.trigger_price,
                order.expire_ns,
            )
            paper.leaves = order.qty - order.filled_qty
            self._tracked[oid] = _Tracked(
                order.client_order_id, book.instrument, order.side, order.price, order.qty
            )
            if waits:
                book.stops[oid] = paper
            else:
                book.rest(paper)
            if paper.expire_ns is not None and paper.tif == TIF_NAMES["GTD"]:
                self._expire_at(book, paper)
            back += 1
        return back

    # --- PaperListener: paper outcomes -> order events ---------------------------------------
    def _publish(self, kind: Any, *fields: Any) -> None:
        """An order event of ``kind`` stamped now (event and receive time), then ``fields``."""
        now = self.clock.timestamp_ns()
        self.bus.publish(self.topic, kind(now, now, *fields))

    def accepted(self, order: PaperOrder) -> None:
        t = self._tracked[order.order_id]
        self._publish(
            OrderAccepted, t.client_order_id, t.instrument.id, f"{self.id_prefix}{order.order_id}"
        )
        if (
            order.price is not None and t.price is not None and order.price != t.price
        ) or order.qty != t.qty:  # a post-only slide, a reduce-only clamp
            self.modified(order)
        if order.expire_ns is not None and order.tif == TIF_NAMES["GTD"]:
            self._expire_at(self.books[t.instrument.id], order)

    def _expire_at(self, book: PaperBook, order: PaperOrder) -> None:
        at = order.expire_ns
        assert at is not None  # a GTD order

        def expire(_ts: int) -> None:
            book.expire(order.order_id)

        self.clock.set_alert(f"paper.{self.venue}.gtd.{order.order_id}", at, expire)

    def rejected(self, order: PaperOrder, reason: str, message: str) -> None:
        t = self._tracked.pop(order.order_id)
        self._publish(OrderRejected, t.client_order_id, t.instrument.id, reason, message)

    def filled(self, order: PaperOrder, price: int, qty: int, maker: bool, note: str) -> None:
        t = self._tracked[order.order_id]
        inst = t.instrument
        fee = self.fees[inst.id].fee(inst, price, qty, maker)
        self._trade_ids += 1
        trade_id = f"{self.id_prefix}{self._trade_ids}"
        if not order.leaves:
            del self._tracked[order.order_id]
        self._publish(
            OrderFilled,
            t.client_order_id,
            inst.id,
            f"{self.id_prefix}{order.order_id}",
            trade_id,
            t.side,
            price,
            qty,
            Liquidity.MAKER if maker else Liquidity.TAKER,
            fee,
            inst.quote,
            order.leaves,
            note,
        )

    def canceled(self, order: PaperOrder, reason: str) -> None:
        t = self._tracked.pop(order.order_id)
        self._publish(OrderCanceled, t.client_order_id, t.instrument.id, reason)

    def expired(self, order: PaperOrder) -> None:
        t = self._tracked.pop(order.order_id)
        self._publish(OrderExpired, t.client_order_id, t.instrument.id)

    def triggered(self, order: PaperOrder) -> None:
        t = self._tracked[order.order_id]
        self._publish(OrderTriggered, t.client_order_id, t.instrument.id)

    def modified(self, order: PaperOrder) -> None:
        t = self._tracked[order.order_id]
        t.price, t.qty = order.price, order.qty
        self._publish(OrderModified, t.client_order_id, t.instrument.id, order.price, order.qty)
