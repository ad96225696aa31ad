"""Changing working orders: ``modify`` (price, size, stop trigger) and ``cancel_all``.

A price change or a size increase sends the order to the back of its new queue (a new price may
also trade at once, as the aggressor); a size decrease keeps its place. These are methods of
``MatchingEngine`` (a mixin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradeterm.matching.orders import (
    INVALID_DISPLAY_QTY, INVALID_PRICE, INVALID_QUANTITY, INVALID_TRIGGER_PRICE, MIN_NOTIONAL,
    POST_ONLY_WOULD_TAKE, SELF_TRADE, STOP_LIMIT, UNKNOWN_ORDER, WOULD_TRIGGER_IMMEDIATELY,
    EngineOrder,
)

if TYPE_CHECKING:
    from tradeterm.matching.engine import MatchingEngine

    _Base = MatchingEngine
else:
    _Base = object


class Amendments(_Base):
    def cancel_all(self, owner: int | None = None, side: int | None = None) -> int:
        """Cancel every working order (resting and stops), optionally of one owner and/or one
        side. Returns how many were cancelled."""
        victims = [o.order_id for o in (*self.orders.values(), *self.stops.values())
                   if (owner is None or o.owner == owner) and (side is None or o.side == side)]
        for order_id in victims:
            self.cancel(order_id)
        return len(victims)

    def modify(self, order_id: int, price: int | None = None, qty: int | None = None,
               trigger: int | None = None) -> bool:
        """Change a working order's price (limit price for a stop-limit), total quantity or
        stop trigger. A price change or a size increase sends it to the back of the queue (a
        new price may also trade at once); a size decrease keeps its place."""
        order = self.orders.get(order_id)
        stop = order is None
        if stop:
            order = self.stops.get(order_id)
            if order is None:
                self._on_modify_rejected(order_id, -1, UNKNOWN_ORDER,
                                         f"order {order_id} is not working")
                return False
        assert order is not None
        rules, ext = self.rules, order.ext
        filled = order.qty - order.leaves
        new_qty = order.qty if qty is None else qty
        cur_price = (ext.limit if stop and ext is not None else order.price)
        new_price = cur_price if price is None else price
        reason = message = ""
        if new_qty <= filled or new_qty % rules.qty_step or (rules.max_qty and new_qty > rules.max_qty):
            reason, message = INVALID_QUANTITY, (
                f"new quantity {new_qty} must exceed the filled {filled} and fit the lot grid")
        elif new_price is not None and (new_price <= 0 or new_price % rules.price_step):
            reason, message = INVALID_PRICE, f"price {new_price} is not on the price grid"
        elif trigger is not None and (not stop or trigger <= 0 or trigger % rules.price_step):
            reason, message = INVALID_TRIGGER_PRICE, f"trigger {trigger} is not valid here"
        elif new_price is not None and new_price * new_qty < rules.min_notional:
            reason, message = MIN_NOTIONAL, "the modified order is below the minimum notional"
        elif ext is not None and ext.display and ext.display > new_qty - filled:
            reason, message = INVALID_DISPLAY_QTY, "the display size exceeds the new quantity"
        elif not stop and ext is not None and ext.post_only and new_price != order.price:
            best = self.best(-order.side)
            if best is not None and (new_price - best) * order.side >= 0:  # type: ignore[operator]
                reason, message = POST_ONLY_WOULD_TAKE, f"price {new_price} would trade against {best}"
        if not reason and stop and trigger is not None and self.last_price is not None and \
                (self.last_price - trigger) * order.side >= 0:
            reason, message = WOULD_TRIGGER_IMMEDIATELY, "the new trigger is already reached"
        if reason:
            self._on_modify_rejected(order_id, order.owner, reason, message)
            return False
        if stop:
            return self._modify_stop(order, new_qty, new_price, trigger)
        if new_price != order.price:
            self._remove(order)
            order.price = new_price  # type: ignore[assignment]
            order.qty = new_qty
            order.leaves = new_qty - filled
            self._on_modified(order)
            self._reenter(order)
        elif new_qty > order.qty:
            self._remove(order)
            order.leaves += new_qty - order.qty
            order.qty = new_qty
            if not order.is_iceberg:
                order.visible = order.leaves
            self._rest(order)
            self._on_modified(order)
        else:
            if new_qty < order.qty:
                self._shrink(order, order.qty - new_qty)
            self._on_modified(order)
        if self._pending:
            self._run_pending()
        return True

    def _modify_stop(self, order: EngineOrder, new_qty: int, new_price: int | None,
                     trigger: int | None) -> bool:
        ext = order.ext
        assert ext is not None
        order.leaves += new_qty - order.qty
        order.qty = new_qty
        if new_price is not None and ext.kind == STOP_LIMIT:
            ext.limit = new_price
        if trigger is not None and trigger != order.price:
            self.stops.move(order, trigger)  # filed again: the old filing goes stale
        self._on_modified(order)
        return True

    def _reenter(self, order: EngineOrder) -> None:
        """A repriced order: it may trade now (as the aggressor), the rest goes to the back."""
        ext = order.ext
        stp = ext.stp if ext is not None and ext.stp >= 0 else self._stp
        best = self.best(-order.side)
        remaining = order.leaves
        if best is not None and (best - order.price) * order.side <= 0:
            remaining = self._match(order.side, order.price, remaining, order.order_id,
                                    order.owner, stp)
        if not remaining:
            self._forget(order)
            return
        order.leaves = remaining
        if self._stp_hit:
            self._stp_hit = False
            self._forget(order)
            self._on_canceled(order.order_id, order.owner, remaining, SELF_TRADE)
            return
        display = ext.display if ext is not None else 0
        order.visible = display if display and display < remaining else remaining
        self._rest(order)
