"""The local exchange for one instrument: a price-time priority book with every order type.

Order entry: ``submit_limit`` is the hot path (a plain GTC limit order); ``submit`` takes any
type: limit, market, stop-market, stop-limit; GTC, IOC, FOK, GTD; post-only (reject or slide, per
the instrument's rules), iceberg (``display``), reduce-only, a self-trade prevention mode. Then
``cancel`` (one), ``cancel_all`` (by owner and/or side), ``modify`` (a price change or a size
increase loses time priority, a size decrease keeps it; a stop's trigger can move) and
``expire_due`` (GTD, also driven by the clock when one is given).

``MatchingEngine`` is the composition of parts that each own their state:

* ``PriceTimeBook`` (book.py): the two sides, the resting orders, the matching loops (FIFO and
  pro-rata, sweep.py), the public level feed ``level_changes``;
* ``StopBook`` (stops.py): stops waiting for their trigger, filed by trigger and version;
* ``ExpiryQueue`` (expiry.py): GTD orders by expiry time, one clock alert;
* ``PositionBook`` (reduce_only.py): owners' positions from the fills, reduce-only orders;
* ``OrderRules`` (validate.py): the reject reasons, a pure function of the request;
* ``Amender`` (amend.py): modify and cancel-all;
* ``Triggers`` (triggers.py): the work after a request that traded: reduce-only clamps, then
  triggered stops (which can trade and trigger more), in placement order.

The engine itself does order entry for every type.

Outcomes go to a ``MatchListener`` (see listener.py). ``owner`` is an opaque int: the account,
used by self-trade prevention, reduce-only and per-owner fees.
"""

from __future__ import annotations

from tradeterm.core.clock import Clock
from tradeterm.matching.amend import Amender
from tradeterm.matching.book import PriceTimeBook
from tradeterm.matching.expiry import ExpiryQueue
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import (
    CANCELED,
    FOK,
    FOK_UNFILLED,
    GTC,
    GTD,
    IOC,
    IOC_REMAINDER,
    LIMIT,
    MARKET,
    NO_LIQUIDITY,
    POST_ONLY_WOULD_TAKE,
    REDUCE_ONLY_WOULD_INCREASE,
    SELF_TRADE,
    STOP_LIMIT,
    STOP_MARKET,
    WOULD_TRIGGER_IMMEDIATELY,
    EngineOrder,
    OrderExtras,
)
from tradeterm.matching.reduce_only import PositionBook
from tradeterm.matching.rules import MatchingRules
from tradeterm.matching.stops import StopBook
from tradeterm.matching.triggers import Triggers
from tradeterm.matching.validate import OrderRules

ANY_PRICE = 1 << 62  # a buy market order's limit; a sell market order's limit is 0


class MatchingEngine:
    """One instrument's exchange. See the module docstring."""

    def __init__(
        self,
        listener: MatchListener,
        rules: MatchingRules | None = None,
        clock: Clock | None = None,
        name: str = "book",
    ) -> None:
        self.rules = rules or MatchingRules()
        self.clock = clock
        self.name = name
        self.book = book = PriceTimeBook(listener, self.rules)
        self.stops = StopBook()  # stop orders waiting for their trigger
        self.expiries = ExpiryQueue(clock, f"matching.gtd.{name}.{id(self)}", self.expire_due)
        self.checks = OrderRules(self.rules)
        self.position_book: PositionBook | None = None  # from ``track_position`` on
        self.triggers = Triggers(book, self.stops, self.rules, self._execute, self._update_watch)
        book.refuse = self._refuse
        book.after_request = self.triggers.run
        book.cancel_waiting = self._cancel_stop
        book.stop_ids = self.stops.by_id
        # the book's public face (bound methods and containers: no extra call on the hot path)
        self.submit_limit = book.submit_limit
        self.cancel = book.cancel
        self.best = book.best
        self.queue = book.queue
        self.drain_level_changes = book.drain_level_changes
        self.orders = book.orders
        self.levels = book.levels
        self.level_size = book.level_size
        self.level_changes = book.level_changes
        self.amender = Amender(
            book, self.stops, self.checks, self.cancel, self.triggers.run, self._room
        )
        self.set_listener(listener)

    def set_listener(self, listener: MatchListener) -> None:
        self.listener = listener
        self.book.set_listener(listener)
        self.triggers.set_listener(listener)
        self._on_accepted = listener.on_accepted
        self._on_rejected = listener.on_rejected
        self._on_canceled = listener.on_canceled
        self._on_expired = listener.on_expired

    # --- reads -------------------------------------------------------------------------------
    @property
    def best_bid(self) -> int | None:
        return self.book.best(1)

    @property
    def best_ask(self) -> int | None:
        return self.book.best(-1)

    @property
    def trade_id(self) -> int:
        return self.book.trade_id

    @property
    def last_price(self) -> int | None:
        return self.book.last_price

    @property
    def positions(self) -> dict[int, int] | None:
        """Owner -> lots (+ long) for the owners whose position is kept, or None."""
        return self.position_book.positions if self.position_book is not None else None

    # --- order entry -------------------------------------------------------------------------
    def submit(
        self,
        order_id: int,
        owner: int,
        side: int,
        qty: int,
        kind: int = LIMIT,
        price: int | None = None,
        tif: int = GTC,
        *,
        trigger: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
        display: int = 0,
        expire_ns: int | None = None,
        stp: int = -1,
    ) -> int:
        """Any order. ``side`` 1 buy / -1 sell; ``kind`` and ``tif`` are the codes in
        ``matching.orders``; ``stp`` -1 = the instrument's default. Returns lots filled now."""
        if self._refuse(
            order_id, owner, kind, price, qty, trigger, display, tif, expire_ns, post_only, side
        ):
            return 0
        stp_mode = stp if stp >= 0 else self.rules.stp
        if reduce_only:
            pos = self.position_book.position(owner) if self.position_book is not None else 0
            if pos * side >= 0:
                self._on_rejected(
                    order_id,
                    owner,
                    REDUCE_ONLY_WOULD_INCREASE,
                    f"position is {pos} lots: a {'buy' if side > 0 else 'sell'} "
                    "would not reduce it",
                )
                return 0
            qty = min(qty, abs(pos))
        ext = None
        if kind != LIMIT or tif != GTC or display or post_only or reduce_only or stp >= 0:
            ext = OrderExtras(
                kind, tif, display, trigger, expire_ns, post_only, reduce_only, stp, price
            )
        if kind == STOP_MARKET or kind == STOP_LIMIT:
            last = self.book.last_price
            if last is not None and (last - trigger) * side >= 0:  # type: ignore[operator]
                self._on_rejected(
                    order_id,
                    owner,
                    WOULD_TRIGGER_IMMEDIATELY,
                    f"last trade {last} is already through the trigger {trigger}",
                )
                return 0
            order = EngineOrder(order_id, owner, side, trigger, qty, qty, 0, ext)  # type: ignore[arg-type]
            self._on_accepted(order_id, owner, price, qty)
            self.stops.add(order)
            self._register(order)
            self._update_watch()
            return 0
        if post_only:
            best = self.book.best(-side)
            if best is not None and (price - best) * side >= 0:  # type: ignore[operator]
                if not self.rules.post_only_slide or best - side <= 0:
                    self._on_rejected(
                        order_id,
                        owner,
                        POST_ONLY_WOULD_TAKE,
                        f"price {price} would trade against {best}",
                    )
                    return 0
                price = best - side  # one tick inside the opposite best
        self._on_accepted(order_id, owner, price, qty)
        return self._execute(order_id, owner, side, qty, price, tif, ext, stp_mode)

    def _refuse(
        self,
        order_id: int,
        owner: int,
        kind: int,
        price: int | None,
        qty: int,
        trigger: int | None,
        display: int,
        tif: int,
        expire_ns: int | None,
        post_only: bool,
        side: int = 1,
    ) -> bool:
        """Validate a new order; on a problem report it and return True."""
        reject = self.checks.new_order(
            order_id,
            kind,
            price,
            qty,
            trigger,
            display,
            tif,
            expire_ns,
            post_only,
            now_ns=self.clock.timestamp_ns() if self.clock is not None and tif == GTD else None,
            duplicate=order_id in self.book.orders or order_id in self.stops,
            opposite_best=self.book.best(-side) if kind == MARKET else None,
        )
        if reject is None:
            return False
        self._on_rejected(order_id, owner, *reject)
        return True

    def _execute(
        self,
        order_id: int,
        owner: int,
        side: int,
        qty: int,
        price: int | None,
        tif: int,
        ext: OrderExtras | None,
        stp: int,
    ) -> int:
        """An accepted market (``price`` None) or limit order enters the book."""
        book = self.book
        limit = price if price is not None else (ANY_PRICE if side > 0 else 0)
        if tif == FOK and not book.would_fill(side, limit, qty, owner, stp):
            self._on_canceled(order_id, owner, qty, FOK_UNFILLED)
            return 0
        best = book.best(-side)
        remaining = qty
        if best is not None and (best - limit) * side <= 0:
            remaining = book.take(side, limit, qty, order_id, owner, stp)
        if remaining:
            if book.stp_hit:
                book.stp_hit = False
                self._on_canceled(order_id, owner, remaining, SELF_TRADE)
            elif price is None:
                self._on_canceled(order_id, owner, remaining, NO_LIQUIDITY)
            elif tif == IOC or tif == FOK:
                self._on_canceled(order_id, owner, remaining, IOC_REMAINDER)
            else:
                display = ext.display if ext is not None else 0
                visible = display if display and display < remaining else remaining
                if ext is not None and not (
                    display or tif == GTD or ext.reduce_only or ext.post_only or ext.stp >= 0
                ):
                    ext = None  # nothing left that a resting order needs
                order = EngineOrder(order_id, owner, side, price, qty, remaining, visible, ext)
                book.rest(order)
                self._register(order)
        if book.pending:
            self.triggers.run()
        return qty - remaining

    def _register(self, order: EngineOrder) -> None:
        """A working order with conditions: file its expiry, index it as reduce-only."""
        ext = order.ext
        if ext is None:
            return
        if ext.tif == GTD:
            self.expiries.add(order.order_id, ext.expire_ns)  # type: ignore[arg-type]
        if ext.reduce_only and self.position_book is not None:
            self.position_book.add(order)
            self._update_watch()

    # --- cancels and changes -----------------------------------------------------------------
    def _cancel_stop(self, order_id: int, reason: str = CANCELED) -> bool:
        order = self.stops.remove(order_id)
        if order is None:
            return False
        self._update_watch()
        self._on_canceled(order_id, order.owner, order.leaves, reason)
        return True

    def cancel_all(self, owner: int | None = None, side: int | None = None) -> int:
        """Cancel every working order (resting and stops), optionally of one owner and/or one
        side. Returns how many were cancelled."""
        return self.amender.cancel_all(owner, side)

    def modify(
        self,
        order_id: int,
        price: int | None = None,
        qty: int | None = None,
        trigger: int | None = None,
    ) -> bool:
        """Change a working order's price (limit price for a stop-limit), total quantity or
        stop trigger. A price change or a size increase sends it to the back of the queue (a
        new price may also trade at once); a size decrease keeps its place."""
        return self.amender.modify(order_id, price, qty, trigger)

    def expire_due(self, now_ns: int) -> int:
        """Expire every GTD order whose time has come; returns how many expired."""
        expired = 0
        for expire_ns, order_id in self.expiries.due(now_ns):
            order = self.book.orders.get(order_id) or self.stops.get(order_id)
            if order is None or order.ext is None or order.ext.expire_ns != expire_ns:
                continue  # it left the book, or is another order under a reused id
            if order_id in self.book.orders:
                self.book.remove(order)
            else:
                self.stops.remove(order_id)
            self._on_expired(order_id, order.owner, order.leaves)
            expired += 1
        self._update_watch()
        return expired

    # --- positions ---------------------------------------------------------------------------
    def track_position(self, owner: int, position: int = 0) -> None:
        """Keep ``owner``'s net position (lots, + long) from the fills from now on."""
        if self.position_book is None:
            self.position_book = self.book.positions = PositionBook()
            self.triggers.position_book = self.position_book
        self.position_book.track(owner, position)
        self._update_watch()

    def _update_watch(self) -> None:
        positions = self.position_book
        self.book.watch = bool(self.stops) or (positions is not None and positions.has_orders)

    def _room(self, order: EngineOrder) -> int:
        return self.position_book.room(order) if self.position_book is not None else 0
