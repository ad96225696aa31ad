"""Paper fills: simulated execution of own orders against an external market's data.

A paper order does not exist in the venue's book, so it can only be filled by reasoning about
what the market data says would have happened to it:

* **Marketable on arrival**: it walks the visible levels of the opposite side up to its limit
  (market orders: without one), taking each level's size at that level's price (partial fills,
  slippage). Liquidity a paper order took stays taken until the venue next updates that level.
* **Resting**: it joins the queue at its price behind everything visible there on arrival
  (``queue_ahead``), and behind earlier own orders at that price.
* Then it fills per ``FillModel.model`` (queue, trade-through, touch: see ``FillModel``).

Event order. A trade and the book update that reflects it arrive in either order (see
``paper_queue``): within one timestamp (a *moment*) the result does not depend on their order.
Trades fill at once; what reads the book as a whole waits for the moment to be complete (the next
event with a later timestamp, or the next order request, calls ``settle``): the queue cap and the
cancels-ahead share, fills by the opposite quote reaching an order's price, and triggered stops,
which then walk the book as the moment left it. So these fills are reported one event later than
the update that caused them, never earlier than a real order's.

The fills of resting orders by trades and quotes are ``paper_passive``'s. Every fill carries a
short ``note`` saying why. Latency is the caller's business (the order
arrives here when it would have reached the venue): see ``venues.paper``.
"""

from __future__ import annotations

from tradeterm.book.l2 import L2Book
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Trade
from tradeterm.matching.orders import (
    FOK,
    FOK_UNFILLED,
    INVALID_PRICE,
    INVALID_QUANTITY,
    IOC,
    IOC_REMAINDER,
    LIMIT,
    MARKET,
    NO_LIQUIDITY,
    POST_ONLY_WOULD_TAKE,
    REDUCE_ONLY,
    REDUCE_ONLY_WOULD_INCREASE,
    STOP_LIMIT,
    STOP_MARKET,
    WOULD_TRIGGER_IMMEDIATELY,
)
from tradeterm.matching.paper_liquidity import VisibleLiquidity
from tradeterm.matching.paper_orders import (
    MODELS,
    FillModel,
    PaperListener,
    PaperOrder,
    validate,
)
from tradeterm.matching.paper_passive import PassiveFills
from tradeterm.matching.paper_queue import QueueLedger, Settled, settle_queue

__all__ = ["MODELS", "FillModel", "PaperBook", "PaperListener", "PaperOrder"]


class PaperBook:
    """One instrument: the external book (kept from the venue's snapshots and deltas) and the
    session's paper orders against it."""

    def __init__(self, instrument: Instrument, model: FillModel, listener: PaperListener) -> None:
        self.instrument = instrument
        self.model = model
        self.listener = listener
        self.book = L2Book(instrument.id)
        self.orders: dict[int, PaperOrder] = {}  # working (resting) paper orders
        self.stops: dict[int, PaperOrder] = {}
        self.position = 0  # lots, from paper fills (for reduce-only)
        self.last_price: int | None = None
        self.ledger = QueueLedger()
        self.liquidity = VisibleLiquidity(self.book)
        self.passive = PassiveFills(
            model, self.liquidity, self._best, self._resting, self._fill, self._fmt
        )
        self._last_trade = (-1, -1)  # (ts, trade id) of the latest trade: it sets last_price
        self._stop_range: tuple[int, int] | None = None  # trade prices in the open moment
        self._seq = 0
        self._before: dict[tuple[int, int], int] = {}  # see updating

    # --- market data -------------------------------------------------------------------------
    def read(self, book: L2Book) -> None:
        """Fill against ``book``, kept by someone else (the market data keeper: one copy of each
        book per session), who calls ``updating`` and ``updated`` around each of its updates
        instead of ``on_snapshot``/``on_delta``. Before any market data."""
        self.book = self.liquidity.book = book

    def on_snapshot(self, snap: BookSnapshot) -> None:
        self.updating(snap)
        self.book.apply_snapshot(snap)
        self.updated(snap, True)

    def on_delta(self, delta: BookDelta) -> None:
        self.updating(delta)
        self.updated(delta, self.book.apply_delta(delta))

    def updating(self, msg: BookDelta | BookSnapshot) -> None:
        """The book is about to apply ``msg``: settle the moment it ends, and note the sizes,
        before the update, of the levels worth settling (an order waits there, or trades
        await the update)."""
        ledger, book = self.ledger, self.book
        ts = msg.ts_event
        if ledger.due(ts):
            self.settle()
        if type(msg) is not BookDelta:  # a snapshot updates every level
            ledger.enter(ts)
            keys = {(o.side, o.price) for o in self.orders.values()}
            keys.update(ledger.pending_levels())
            ledger.snapshot(
                {key: book.size_at(*key) for key in keys},  # type: ignore[arg-type, misc]
                ts,
            )
            return
        before: dict[tuple[int, int], int] = {}
        if self.orders or ledger.has_pending:
            orders = self.orders.values()
            worth = (
                {o.price for o in orders if o.side > 0},
                {o.price for o in orders if o.side < 0},
            )
            for side, price in ledger.pending_levels():
                worth[0 if side > 0 else 1].add(price)
            for side, levels, sizes, prices in (
                (1, msg.bids, book.bids, worth[0]),
                (-1, msg.asks, book.asks, worth[1]),
            ):
                if prices and levels:  # (~30 levels an update, an own price or two a side)
                    for price in dict(levels).keys() & prices:  # (at C speed)
                        before[(side, price)] = sizes.get(price, 0)
        self._before = before

    def updated(self, msg: BookDelta | BookSnapshot, applied: bool) -> None:
        """The book applied ``msg`` (``applied`` False: a delta it refused, stale or a gap)."""
        if type(msg) is not BookDelta:
            self.liquidity.reset()
            return
        if not applied:
            return
        ts = msg.ts_event
        self.ledger.enter(ts)
        self.ledger.updated(ts, msg.bids, msg.asks, self._before)
        self.liquidity.refreshed(msg.bids, msg.asks)

    def on_trade(self, trade: Trade) -> None:
        ledger = self.ledger
        ts = trade.ts_event
        if ledger.due(ts):
            self.settle()
        ledger.enter(ts)
        hit = -trade.aggressor  # the side whose resting orders the trade took (an int)
        key = (hit, trade.price)
        if not ledger.traded(key, trade.size, ts):  # the book still shows what it took
            self.liquidity.take(key, trade.size)
        if (ts, trade.trade_id) >= self._last_trade:  # (without ids: the later arrival)
            self._last_trade = (ts, trade.trade_id)
            self.last_price = trade.price
        if self.orders:
            self.passive.on_trade(trade, hit)
        if self.stops:
            lo, hi = self._stop_range or (trade.price, trade.price)
            self._stop_range = (min(lo, trade.price), max(hi, trade.price))

    def settle(self) -> None:
        """The open moment is complete: apply what its book updates say about each level
        (queue cap, cancels ahead), fill what the opposite quote now reaches, then run the
        stops its trades triggered."""
        if not self.ledger.is_open:
            return
        for level in self.ledger.settle():
            self._settle_level(level)
        if self.orders and self.book.synced:
            self.passive.on_quotes()
        if self._stop_range is not None:
            lo, hi = self._stop_range
            self._stop_range = None
            self._trigger_stops(lo, hi)

    def _settle_level(self, level: Settled) -> None:
        side, price = level.key
        waiting = [o for o in self._resting() if o.side == side and o.price == price]
        if waiting:
            settle_queue(waiting, self.book.size_at(side, price), level, self.model.cancels_ahead)

    # --- orders ------------------------------------------------------------------------------
    def arrive(self, order: PaperOrder) -> None:
        """The order reaches the (simulated) venue now (after everything before it: the open
        moment is settled first)."""
        self.settle()
        reason, message = validate(order)
        if reason:
            self.listener.rejected(order, reason, message)
            return
        if order.reduce_only:
            room = abs(self.position)
            if self.position * order.side >= 0:
                self.listener.rejected(
                    order, REDUCE_ONLY_WOULD_INCREASE, f"paper position is {self.position} lots"
                )
                return
            order.qty = order.leaves = min(order.qty, room)
        if order.kind in (STOP_MARKET, STOP_LIMIT):
            last = self.last_price
            if last is not None and (last - order.trigger) * order.side >= 0:  # type: ignore[operator]
                self.listener.rejected(
                    order,
                    WOULD_TRIGGER_IMMEDIATELY,
                    f"last trade {self._fmt(last)} is through the trigger",
                )
                return
            self.listener.accepted(order)
            self.stops[order.order_id] = order
            return
        if order.post_only:
            best = self._best(-order.side)
            if best is not None and (order.price - best) * order.side >= 0:  # type: ignore[operator]
                if not self.model.post_only_slide:
                    self.listener.rejected(
                        order, POST_ONLY_WOULD_TAKE, f"price would take the {self._fmt(best)} quote"
                    )
                    return
                order.price = best - order.side
        self.listener.accepted(order)
        self._enter(order)

    def rewound(self, position: int, last_price: int | None) -> None:
        """A replay went back under the book: no paper order, no open moment, no trade seen."""
        self.orders.clear()
        self.stops.clear()
        self.position, self.last_price, self._last_trade = position, last_price, (-1, -1)
        self.ledger, self._stop_range, self._before = QueueLedger(), None, {}
        self.liquidity.reset()

    def cancel(self, order_id: int, reason: str = "CANCELED") -> bool:
        if reason == "CANCELED":  # a request (not a reduce-only clamp from inside a fill)
            self.settle()
        order = self.orders.pop(order_id, None) or self.stops.pop(order_id, None)
        if order is None:
            return False
        order.working = False
        self.listener.canceled(order, reason)
        return True

    def modify(self, order_id: int, price: int | None, qty: int | None) -> str:
        """Returns "" on success, else a reject reason. A price change or size increase
        re-queues the order behind what is visible now; a decrease keeps its place."""
        self.settle()
        order = self.orders.get(order_id) or self.stops.get(order_id)
        if order is None:
            return "UNKNOWN_ORDER"
        filled = order.qty - order.leaves
        new_qty = order.qty if qty is None else qty
        if new_qty <= filled:
            return INVALID_QUANTITY
        if price is not None and price <= 0:
            return INVALID_PRICE
        requeue = (price is not None and price != order.price) or new_qty > order.qty
        order.leaves = new_qty - filled
        order.qty = new_qty
        if order.order_id in self.stops:
            if price is not None:
                order.price = price
            self.listener.modified(order)
            return ""
        if requeue:
            del self.orders[order_id]
            order.working = False
            if price is not None:
                order.price = price
            self.listener.modified(order)
            self._enter(order)
        else:
            self.listener.modified(order)
        return ""

    def expire(self, order_id: int) -> bool:
        self.settle()
        order = self.orders.pop(order_id, None) or self.stops.pop(order_id, None)
        if order is None:
            return False
        order.working = False
        self.listener.expired(order)
        return True

    # --- internals ---------------------------------------------------------------------------
    def _enter(self, order: PaperOrder) -> None:
        """Take visible liquidity up to the limit, then rest, or end per time in force."""
        side = order.side
        limit = order.price
        if order.tif == FOK and self.liquidity.up_to(side, limit) < order.leaves:
            self.listener.canceled(order, FOK_UNFILLED)
            return
        self._walk(order)
        if not order.leaves:
            return
        if order.price is None:
            self.listener.canceled(order, NO_LIQUIDITY)
        elif order.tif in (IOC, FOK):
            self.listener.canceled(order, IOC_REMAINDER)
        else:
            self.rest(order)

    def rest(self, order: PaperOrder) -> None:
        """Rest ``order`` at the back of its level's queue as the book shows it now (also a
        working order a replay's rewind puts back: its place then is not known, the back is)."""
        self._seq += 1
        order.seq = self._seq
        order.working = True
        self._join_queue(order)
        self.orders[order.order_id] = order

    def _walk(self, order: PaperOrder) -> None:
        """Take the opposite levels' liquidity up to the order's limit, as a taker."""
        opp = -order.side
        for price, available in self.liquidity.offers(order.side, order.price):
            take = min(available, order.leaves)
            self.liquidity.take((opp, price), take)
            self._fill(order, price, take, False, f"took the visible {self._fmt(price)} level")
            if not order.leaves:
                return

    def _join_queue(self, order: PaperOrder) -> None:
        """Behind everything the level shows and earlier own orders at the price. Trades the
        level already reflects (up to its last update) must not move it again."""
        key = (order.side, order.price)
        own_ahead = sum(
            o.leaves
            for o in self.orders.values()
            if o.side == order.side and o.price == order.price
        )
        order.queue_ahead = self.book.size_at(order.side, order.price) + own_ahead  # type: ignore[arg-type]
        order.basis_ts = self.ledger.updated_ts(key)  # type: ignore[arg-type]
        order.slice_left = min(order.display, order.leaves) if order.display else order.leaves

    def _resting(self) -> list[PaperOrder]:
        """In queue order: ``orders`` is kept in ``seq`` order (an order gets its ``seq`` as it
        goes in; a re-queued one goes out and in again)."""
        return list(self.orders.values())

    def _fill(self, order: PaperOrder, price: int, qty: int, maker: bool, note: str) -> None:
        order.leaves -= qty
        self.position += order.side * qty
        if order.working:
            if order.display:
                order.slice_left -= qty
                if order.slice_left <= 0 and order.leaves:  # a new slice, at the back
                    key: tuple[int, int] = (order.side, order.price)  # type: ignore[assignment]
                    order.queue_ahead = self.ledger.start_size(  # (as the moment began)
                        key, self.book.size_at(*key)
                    )
                    order.slice_left = min(order.display, order.leaves)
            else:
                order.slice_left = order.leaves
            if not order.leaves:
                order.working = False
                self.orders.pop(order.order_id, None)
        self.listener.filled(order, price, qty, maker, note)
        if self.position == 0 or any(o.reduce_only for o in self.orders.values()):
            self._enforce_reduce_only()

    def _enforce_reduce_only(self) -> None:
        room = abs(self.position)
        for order in self._resting() + list(self.stops.values()):
            if not order.reduce_only:
                continue
            if order.side * self.position >= 0 or room == 0:
                self.cancel(order.order_id, REDUCE_ONLY)
                continue
            if order.leaves > room:
                order.qty -= order.leaves - room
                order.leaves = room
                self.listener.modified(order)
            room -= order.leaves

    def _trigger_stops(self, lo: int, hi: int) -> None:
        """Stops that the moment's trades (prices ``lo``..``hi``) reached enter the book."""
        fired = [
            o
            for o in self.stops.values()
            if (o.side > 0 and hi >= o.trigger) or (o.side < 0 and lo <= o.trigger)  # type: ignore[operator]
        ]
        for order in sorted(fired, key=lambda o: o.order_id):
            del self.stops[order.order_id]
            self.listener.triggered(order)
            if order.kind == STOP_MARKET:
                order.price = None
            order.kind = MARKET if order.kind == STOP_MARKET else LIMIT
            self._enter(order)

    def _best(self, side: int) -> int | None:
        return self.book.best_bid if side > 0 else self.book.best_ask

    def _fmt(self, ticks: int | None) -> str:
        return self.instrument.format_price(ticks)
