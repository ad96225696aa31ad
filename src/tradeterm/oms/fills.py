"""Fills applied exactly once (part of ``OrderManager``).

A fill is deduplicated by the venue's trade id (in memory, and by the store's unique key as a
backstop), checked for sane numbers, applied to its order if it fits (else the position still
follows and the kill switch hears of it), and written with the order and the position in one
durable transaction through the ledger; only then is anyone told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from tradeterm.core.display import fill_text
from tradeterm.core.views import RingView
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.orders import IllegalTransition, Order
from tradeterm.oms.store import Store, fill_key

if TYPE_CHECKING:
    from tradeterm.oms.manager import Ledger

log = logging.getLogger("tradeterm.oms.manager")


class FillApplication:
    """The fill half of ``OrderManager``; it uses the manager's state and bookkeeping."""

    # provided by OrderManager
    store: Store
    ledger: Ledger
    fills_view: RingView
    working: dict[str, Order]
    recent: dict[str, Order]
    venue_of: dict[str, str]
    _trade_ids: dict[str, set[str]]
    on_fill: Callable[[OrderFilled], None] | None
    fills_applied: int

    # --- fills -----------------------------------------------------------------------------
    def apply_fill(self, fill: OrderFilled, venue: str | None = None) -> bool:
        """Apply one fill exactly once. Returns False for a duplicate."""
        venue = venue or self.venue_of.get(fill.client_order_id) or \
            fill.instrument.split(":", 1)[0]
        seen = self._trade_ids.setdefault(venue, set())
        key = fill_key(fill.instrument, fill.trade_id)
        if key in seen:
            return False
        if (type(fill.price) is not int or type(fill.qty) is not int or fill.price <= 0
                or fill.qty <= 0 or not fill.trade_id):
            log.error("malformed fill from %s ignored: %r", venue, fill)
            self._problem(f"malformed fill from {venue} (trade {fill.trade_id!r})")
            return False
        order = self.working.get(fill.client_order_id) or self.recent.get(fill.client_order_id)
        saved = None
        if order is not None:
            saved = (order.status, order.filled_qty, order.filled_value, order.ts_last,
                     order._before_pending, order.venue_order_id)
            if order.venue_order_id is None:
                order.venue_order_id = fill.venue_order_id
            try:
                if order.filled_qty + fill.qty > order.qty or order.is_terminal:
                    raise ValueError(f"fill {fill.trade_id} of {fill.qty} lots exceeds what is "
                                     f"left of order {order.client_order_id}")
                order.apply_fill(fill.price, fill.qty, fill.ts_event)
            except (ValueError, IllegalTransition) as exc:
                # the venue says we traded: the position must follow; the order is suspect
                log.error("%s; the fill is applied to the position", exc)
                self._problem(f"inconsistent fill: {exc}")
                order = None
        else:
            log.warning("fill %s for unknown order %s: applied to the position",
                        fill.trade_id, fill.client_order_id)
        position = self.ledger.with_fill(fill)
        try:
            fresh = self.store.record_fill(venue, fill, order, position)
        except Exception as exc:
            if order is not None and saved is not None:
                self._restore(order, saved)
            log.error("fill %s could not be stored (%s): not applied", fill.trade_id, exc)
            self._problem(f"store write failed for fill {fill.trade_id}: {exc}")
            return False
        seen.add(key)
        if not fresh:  # the store had it already (from before a restart)
            if order is not None and saved is not None:
                self._restore(order, saved)
            return False
        self.fills_applied += 1
        self.ledger.commit(position, fill.ts_event)
        self.fills_view.append(fill)
        log.info("fill %s %s (order %s)", fill.trade_id, fill_text(
            fill, self.ledger.instruments.get(fill.instrument)), fill.client_order_id)
        if order is not None:
            if order.is_terminal:
                self._finish(order, persist=False)
            else:
                self._changed(order, persist=False)
        if self.on_fill is not None:
            self.on_fill(fill)
        return True

    @staticmethod
    def _restore(order: Order, saved: tuple) -> None:
        (order.status, order.filled_qty, order.filled_value, order.ts_last,
         order._before_pending, order.venue_order_id) = saved
