"""Paper fills: simulated execution of own orders against an external market's data.

A paper order does not exist in the venue's book, so it can only be filled by reasoning about
what the market data says would have happened to it:

* **Marketable on arrival**: it walks the visible levels of the opposite side up to its limit
  (market orders: without one), taking each level's size at that level's price (partial fills,
  slippage). Liquidity a paper order took stays taken until the venue next updates that level.
* **Resting**: it joins the queue at its price behind everything visible there on arrival
  (``queue_ahead``), and behind earlier own orders at that price.
* Then, per model (``FillModel.model``):

  ``queue`` (default, honest): trades at its price shrink the queue ahead; once the queue ahead is
  exhausted the rest of a trade's size fills it ("queue ahead exhausted by trade 3735683259"). A
  trade through its price fills it up to the trade's size ("traded through 61837.63"); so does
  the opposite side's quote reaching its price. Size removed from its level without a trade is
  assumed to have been behind it (``cancels_ahead = 0``, conservative) or, with ``cancels_ahead``
  = f, to have been ahead of it in share f; the queue ahead can never exceed what the level
  shows.
  ``trade-through``: fills only when the market trades (or quotes) strictly through its price,
  up to the traded size; trades at its price never fill it.
  ``touch`` (optimistic, what many tools do): fills completely the moment a trade prints at its
  price or the opposite quote reaches it.

Every fill carries a short ``note`` saying why. Latency is the caller's business (the order
arrives here when it would have reached the venue): see ``venues.paper``.
"""

from __future__ import annotations

from tradeterm.book.l2 import L2Book
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Trade
from tradeterm.matching.orders import (
    FOK, FOK_UNFILLED, GTD, INVALID_PRICE, INVALID_QUANTITY, IOC, IOC_REMAINDER, LIMIT,
    MARKET, NO_LIQUIDITY, POST_ONLY_WOULD_TAKE, REDUCE_ONLY, REDUCE_ONLY_WOULD_INCREASE,
    STOP_LIMIT, STOP_MARKET, UNSUPPORTED_COMBINATION, WOULD_TRIGGER_IMMEDIATELY,
)
from tradeterm.matching.paper_orders import MODELS, FillModel, PaperListener, PaperOrder

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
        self._consumed: dict[tuple[int, int], int] = {}  # (side, price) -> lots taken by us
        self._traded_at: dict[tuple[int, int], int] = {}  # trade volume per level since a delta
        self._seq = 0

    # --- market data -------------------------------------------------------------------------
    def on_snapshot(self, snap: BookSnapshot) -> None:
        self.book.apply_snapshot(snap)
        self._consumed.clear()
        self._traded_at.clear()
        for order in self._resting():
            self._cap_queue(order)
        self._check_quotes()

    def on_delta(self, delta: BookDelta) -> None:
        book = self.book
        watched = self.orders
        before: list[tuple[int, int, int]] = []
        if watched:
            prices = {(o.side, o.price) for o in watched.values()}
            for side, levels in ((1, delta.bids), (-1, delta.asks)):
                for price, _size in levels:
                    if (side, price) in prices:
                        before.append((side, price, book.size_at(side, price)))
        if not book.apply_delta(delta):
            return
        consumed, traded_at = self._consumed, self._traded_at
        traded_here = {(side, price): traded_at.get((side, price), 0) for side, price, _ in before}
        if consumed or traded_at:
            for price, _ in delta.bids:
                consumed.pop((1, price), None)
                traded_at.pop((1, price), None)
            for price, _ in delta.asks:
                consumed.pop((-1, price), None)
                traded_at.pop((-1, price), None)
        for side, price, old in before:
            traded = traded_here[(side, price)]
            removed = max(0, old - book.size_at(side, price) - traded)
            for order in self._resting():
                if order.side == side and order.price == price:
                    if removed and self.model.cancels_ahead:
                        order.queue_ahead = max(
                            0, order.queue_ahead - int(removed * self.model.cancels_ahead))
                    self._cap_queue(order)
        self._check_quotes()

    def on_trade(self, trade: Trade) -> None:
        self.last_price = trade.price
        hit = -int(trade.aggressor)  # the side whose resting orders the trade took
        key = (hit, trade.price)
        self._traded_at[key] = self._traded_at.get(key, 0) + trade.size
        if self.orders:
            self._fill_from_trade(trade, hit)
        if self.stops:
            self._trigger_stops(trade.price)

    # --- orders ------------------------------------------------------------------------------
    def arrive(self, order: PaperOrder) -> None:
        """The order reaches the (simulated) venue now."""
        reason, message = self._validate(order)
        if reason:
            self.listener.rejected(order, reason, message)
            return
        if order.reduce_only:
            room = abs(self.position)
            if self.position * order.side >= 0:
                self.listener.rejected(order, REDUCE_ONLY_WOULD_INCREASE,
                                       f"paper position is {self.position} lots")
                return
            order.qty = order.leaves = min(order.qty, room)
        if order.kind in (STOP_MARKET, STOP_LIMIT):
            last = self.last_price
            if last is not None and (last - order.trigger) * order.side >= 0:  # type: ignore[operator]
                self.listener.rejected(order, WOULD_TRIGGER_IMMEDIATELY,
                                       f"last trade {self._fmt(last)} is through the trigger")
                return
            self.listener.accepted(order)
            self.stops[order.order_id] = order
            return
        if order.post_only:
            best = self._best(-order.side)
            if best is not None and (order.price - best) * order.side >= 0:  # type: ignore[operator]
                if not self.model.post_only_slide:
                    self.listener.rejected(order, POST_ONLY_WOULD_TAKE,
                                           f"price would take the {self._fmt(best)} quote")
                    return
                order.price = best - order.side
        self.listener.accepted(order)
        self._enter(order)

    def cancel(self, order_id: int, reason: str = "CANCELED") -> bool:
        order = self.orders.pop(order_id, None) or self.stops.pop(order_id, None)
        if order is None:
            return False
        order.working = False
        self.listener.canceled(order, reason)
        return True

    def modify(self, order_id: int, price: int | None, qty: int | None) -> str:
        """Returns "" on success, else a reject reason. A price change or size increase
        re-queues the order behind what is visible now; a decrease keeps its place."""
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
        order = self.orders.pop(order_id, None) or self.stops.pop(order_id, None)
        if order is None:
            return False
        order.working = False
        self.listener.expired(order)
        return True

    # --- internals ---------------------------------------------------------------------------
    def _validate(self, order: PaperOrder) -> tuple[str, str]:
        if order.qty <= 0:
            return INVALID_QUANTITY, "quantity must be positive"
        if order.kind in (LIMIT, STOP_LIMIT) and (order.price is None or order.price <= 0):
            return INVALID_PRICE, "a limit order needs a positive price"
        if order.kind in (STOP_MARKET, STOP_LIMIT) and not order.trigger:
            return "INVALID_TRIGGER_PRICE", "a stop order needs a trigger price"
        if ((order.display and order.kind in (MARKET, STOP_MARKET))
                or (order.post_only and order.kind != LIMIT)
                or ((order.post_only or order.display) and order.tif in (IOC, FOK))):
            return UNSUPPORTED_COMBINATION, "post-only and iceberg orders must be able to rest"
        if order.display and not 0 < order.display <= order.qty:
            return "INVALID_DISPLAY_QTY", "display size must be between 1 lot and the quantity"
        if order.tif == GTD and order.expire_ns is None:
            return "INVALID_EXPIRE_TIME", "a GTD order needs an expiry time"
        return "", ""

    def _enter(self, order: PaperOrder) -> None:
        """Take visible liquidity up to the limit, then rest, or end per time in force."""
        side = order.side
        limit = order.price
        if order.tif == FOK and self._visible_up_to(side, limit) < order.leaves:
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
            self._seq += 1
            order.seq = self._seq
            order.working = True
            self._join_queue(order)
            self.orders[order.order_id] = order

    def _walk(self, order: PaperOrder) -> None:
        side = order.side
        levels = self.book.asks if side > 0 else self.book.bids
        if not levels or not self.book.synced:
            return
        best = self.book.best_ask if side > 0 else self.book.best_bid
        if order.price is not None and best is not None and (best - order.price) * side > 0:
            return  # not marketable (the common case for a quote): no need to sort the side
        opp = -side
        for price in sorted(levels, reverse=side < 0):
            if order.price is not None and (price - order.price) * side > 0:
                break
            key = (opp, price)
            available = levels[price] - self._consumed.get(key, 0)
            if available <= 0:
                continue
            take = min(available, order.leaves)
            self._consumed[key] = self._consumed.get(key, 0) + take
            self._fill(order, price, take, False, f"took the visible {self._fmt(price)} level")
            if not order.leaves:
                return

    def _visible_up_to(self, side: int, limit: int | None) -> int:
        levels = self.book.asks if side > 0 else self.book.bids
        return sum(size - self._consumed.get((-side, p), 0) for p, size in levels.items()
                   if limit is None or (p - limit) * side <= 0)

    def _join_queue(self, order: PaperOrder) -> None:
        own_ahead = sum(o.leaves for o in self.orders.values()
                        if o.side == order.side and o.price == order.price)
        order.queue_ahead = self.book.size_at(order.side, order.price) + own_ahead  # type: ignore[arg-type]
        order.slice_left = min(order.display, order.leaves) if order.display else order.leaves

    def _cap_queue(self, order: PaperOrder) -> None:
        """What is ahead of us can never exceed what the level shows."""
        shown = self.book.size_at(order.side, order.price)  # type: ignore[arg-type]
        own_ahead = sum(o.leaves for o in self.orders.values() if o.side == order.side and
                        o.price == order.price and o.seq < order.seq)
        if order.queue_ahead > shown + own_ahead:
            order.queue_ahead = shown + own_ahead

    def _resting(self) -> list[PaperOrder]:
        return sorted(self.orders.values(), key=lambda o: o.seq)

    def _fill_from_trade(self, trade: Trade, hit: int) -> None:
        model = self.model.model
        left = trade.size
        candidates = [o for o in self._resting() if o.side == hit and
                      (trade.price - o.price) * hit <= 0]  # type: ignore[operator]
        candidates.sort(key=lambda o: (-o.price * hit, o.seq))  # type: ignore[operator]
        for order in candidates:
            through = trade.price != order.price
            if model == "touch":
                self._fill(order, order.price, order.leaves, True,  # type: ignore[arg-type]
                           f"touched by trade {trade.trade_id} at {self._fmt(trade.price)}")
                continue
            if through:
                take = min(order.leaves, left)
                if take > 0:
                    left -= take
                    self._fill(order, order.price, take, True,  # type: ignore[arg-type]
                               f"traded through {self._fmt(order.price)} "
                               f"(trade {trade.trade_id} at {self._fmt(trade.price)})")
                continue
            if model != "queue":
                continue
            # at our price: what our better-priced orders did not take reaches this queue; own
            # orders at the same price each count the trade in full (the later ones have the
            # earlier ones in their queue ahead)
            if order.queue_ahead >= left:
                order.queue_ahead -= left
                continue
            excess = left - order.queue_ahead
            order.queue_ahead = 0
            take = min(order.leaves, excess, order.slice_left)
            if take > 0:
                self._fill(order, order.price, take, True,  # type: ignore[arg-type]
                           f"queue ahead exhausted by trade {trade.trade_id}")

    def _check_quotes(self) -> None:
        """The opposite quote reached a resting order's price: the quote's orders would have
        traded with it (they took it out of the visible book). Queue model: at or through its
        price; trade-through: strictly through; touch: any reach fills it completely."""
        if not self.orders or not self.book.synced:
            return
        model = self.model.model
        for order in self._resting():
            if not order.working:
                continue
            side, limit = order.side, order.price
            assert limit is not None
            best = self._best(-side)
            if best is None or (best - limit) * side > 0:
                continue
            if model == "touch":
                self._fill(order, limit, order.leaves, True,
                           f"touched by the {self._fmt(best)} quote")
                continue
            levels = self.book.asks if side > 0 else self.book.bids
            for price in sorted(levels, reverse=side < 0):
                beyond = (price - limit) * side
                if beyond > 0 or (beyond == 0 and model != "queue"):
                    break
                key = (-side, price)
                available = levels[price] - self._consumed.get(key, 0)
                if available <= 0:
                    continue
                take = min(available, order.leaves)
                self._consumed[key] = self._consumed.get(key, 0) + take
                self._fill(order, limit, take, True,
                           f"{'ask' if side > 0 else 'bid'} {self._fmt(price)} reached our price")
                if not order.working:
                    break

    def _fill(self, order: PaperOrder, price: int, qty: int, maker: bool, note: str) -> None:
        order.leaves -= qty
        self.position += order.side * qty
        if order.working:
            if order.display:
                order.slice_left -= qty
                if order.slice_left <= 0 and order.leaves:  # a new slice, at the back
                    order.queue_ahead = self.book.size_at(order.side, order.price)  # type: ignore[arg-type]
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

    def _trigger_stops(self, last: int) -> None:
        fired = [o for o in self.stops.values() if (last - o.trigger) * o.side >= 0]  # type: ignore[operator]
        for order in sorted(fired, key=lambda o: o.order_id):
            del self.stops[order.order_id]
            self.listener.triggered(order)
            if order.kind == STOP_MARKET:
                order.price = None
            order.kind = MARKET if order.kind == STOP_MARKET else LIMIT
            self._enter(order)

    def _best(self, side: int) -> int | None:
        return self.book.best_bid if side > 0 else self.book.best_ask

    def _fmt(self, ticks: int) -> str:
        return self.instrument.format_price(ticks)

