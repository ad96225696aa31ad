"""Changing working orders: ``modify`` (price, size, stop trigger) and ``cancel_all``.

A price change or a size increase sends the order to the back of its new queue (a new price may
also trade at once, as the aggressor, under the order's own self-trade mode); a size decrease
keeps its place. A waiting stop can change its limit, size and trigger: a new trigger files it
again in the stop book (``StopBook.move``), so it fires at the new trigger only.

A reduce-only order is clamped, as on entry, so that what it leaves to trade still reduces its
owner's position (a repriced one may trade at once, as the aggressor); a modify that would leave
it nothing is refused.

``Amender`` works through the book's and the stop book's public operations; what it needs from
the engine is ``cancel`` (for ``cancel_all``), ``after_request`` (a reprice that traded may
trigger stops or move positions) and ``room`` (what a reduce-only order may still trade).
"""

from __future__ import annotations

from collections.abc import Callable

from tradeterm.matching.book import PriceTimeBook
from tradeterm.matching.orders import (
    REDUCE_ONLY_WOULD_INCREASE,
    SELF_TRADE,
    STOP_LIMIT,
    UNKNOWN_ORDER,
    EngineOrder,
)
from tradeterm.matching.stops import StopBook
from tradeterm.matching.validate import OrderRules, Reject


class Amender:
    __slots__ = ("book", "stops", "checks", "cancel", "after_request", "room")

    def __init__(
        self,
        book: PriceTimeBook,
        stops: StopBook,
        checks: OrderRules,
        cancel: Callable[[int], bool],
        after_request: Callable[[], None],
        room: Callable[[EngineOrder], int],
    ) -> None:
        self.book = book
        self.stops = stops
        self.checks = checks
        self.cancel = cancel
        self.after_request = after_request
        self.room = room  # what a reduce-only order may still trade

    def cancel_all(self, owner: int | None = None, side: int | None = None) -> int:
        """Cancel every working order (resting, in the order they came to rest, then stops),
        optionally of one owner and/or one side. Returns how many were cancelled."""
        victims = [
            o.order_id
            for o in (*self.book.orders.values(), *self.stops.values())
            if (owner is None or o.owner == owner) and (side is None or o.side == side)
        ]
        for order_id in victims:
            self.cancel(order_id)
        return len(victims)

    def modify(
        self,
        order_id: int,
        price: int | None = None,
        qty: int | None = None,
        trigger: int | None = None,
    ) -> bool:
        book = self.book
        listener = book.listener
        order = book.orders.get(order_id)
        waiting = order is None
        if waiting:
            order = self.stops.get(order_id)
            if order is None:
                listener.on_modify_rejected(
                    order_id, -1, UNKNOWN_ORDER, f"order {order_id} is not working"
                )
                return False
        assert order is not None
        ext = order.ext
        new_qty = order.qty if qty is None else qty
        current = ext.limit if waiting and ext is not None else order.price
        new_price = current if price is None else price
        reject = self.checks.modify(
            order,
            waiting,
            new_price,
            new_qty,
            trigger,
            opposite_best=book.best(-order.side) if ext is not None and ext.post_only else None,
            last_price=book.last_price,
        )
        if reject is None and ext is not None and ext.reduce_only:
            new_qty, reject = self._within_room(order, new_qty)
        if reject is not None:
            listener.on_modify_rejected(order_id, order.owner, *reject)
            return False
        if waiting:
            self._modify_stop(order, new_qty, new_price, trigger)
        else:
            self._modify_resting(order, new_qty, new_price)
        if book.pending:
            self.after_request()
        return True

    def _within_room(self, order: EngineOrder, new_qty: int) -> tuple[int, Reject]:
        """A reduce-only order's new quantity, clamped so that what it leaves to trade still
        reduces its owner's position (as on entry); refused if nothing would be left."""
        filled = order.qty - order.leaves
        room = self.room(order)
        if new_qty - filled <= room:
            return new_qty, None
        if not room:
            return new_qty, (
                REDUCE_ONLY_WOULD_INCREASE,
                "the position leaves this reduce-only order nothing to reduce",
            )
        return filled + room, None

    def _modify_resting(self, order: EngineOrder, new_qty: int, new_price: int | None) -> None:
        book = self.book
        listener = book.listener
        filled = order.qty - order.leaves
        if new_price != order.price:
            book.remove(order)
            order.price = new_price  # type: ignore[assignment]
            order.qty = new_qty
            order.leaves = new_qty - filled
            listener.on_modified(order)
            self._reenter(order)
        elif new_qty > order.qty:
            book.remove(order)
            order.leaves += new_qty - order.qty
            order.qty = new_qty
            if not order.is_iceberg:
                order.visible = order.leaves
            book.rest(order)
            listener.on_modified(order)
        else:
            if new_qty < order.qty:
                book.shrink(order, order.qty - new_qty)
            listener.on_modified(order)

    def _modify_stop(
        self, order: EngineOrder, new_qty: int, new_price: int | None, trigger: int | None
    ) -> None:
        ext = order.ext
        assert ext is not None
        order.leaves += new_qty - order.qty
        order.qty = new_qty
        if new_price is not None and ext.kind == STOP_LIMIT:
            ext.limit = new_price
        if trigger is not None and trigger != order.price:
            self.stops.move(order, trigger)  # filed again: the old filing goes stale
        self.book.listener.on_modified(order)

    def _reenter(self, order: EngineOrder) -> None:
        """A repriced order: it may trade now (as the aggressor), the rest goes to the back."""
        book = self.book
        ext = order.ext
        stp = ext.stp if ext is not None and ext.stp >= 0 else book.rules.stp
        best = book.best(-order.side)
        remaining = order.leaves
        if best is not None and (best - order.price) * order.side <= 0:
            remaining = book.take(
                order.side, order.price, remaining, order.order_id, order.owner, stp
            )
        if not remaining:
            return
        order.leaves = remaining
        if book.stp_hit:
            book.stp_hit = False
            book.listener.on_canceled(order.order_id, order.owner, remaining, SELF_TRADE)
            return
        display = ext.display if ext is not None else 0
        order.visible = display if display and display < remaining else remaining
        book.rest(order)
