"""Orders that wait for a condition: stops (trigger on the last trade price), GTD expiry on the
clock, and reduce-only orders kept within the owner's position.

* A buy stop triggers when a trade prints at or above its trigger, a sell stop at or below. An
  order whose trigger the last trade already satisfies is rejected (WOULD_TRIGGER_IMMEDIATELY).
  Triggered stops enter the book as market (stop-market) or limit (stop-limit) orders after the
  order that moved the price has finished, in trigger order; their trades can trigger more.
* GTD orders expire when the engine's clock reaches ``expire_ns`` (the engine sets one clock
  alert for the earliest expiry) or when ``expire_due(now)`` is called.
* Reduce-only needs the owner's position: ``track_position(owner, qty)`` makes the engine keep it
  from its own fills. A reduce-only order is clamped to the position on entry; when the position
  shrinks, resting reduce-only orders are cut down (their priority kept) or cancelled.

These are methods of ``MatchingEngine`` (a mixin).
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import TYPE_CHECKING

from tradeterm.matching.orders import (
    GTD, REDUCE_ONLY, STOP_LIMIT, EngineOrder,
)

if TYPE_CHECKING:
    from tradeterm.matching.engine import MatchingEngine

    _Base = MatchingEngine
else:
    _Base = object


class ConditionalOrders(_Base):
    # --- positions and reduce-only ------------------------------------------------------------
    def track_position(self, owner: int, position: int = 0) -> None:
        """Keep ``owner``'s net position (lots, + long) from the fills from now on."""
        if self.positions is None:
            self.positions = {}
        self.positions[owner] = position
        self._update_watch()

    def _track_fill(self, maker_owner: int, taker_owner: int, taker_side: int, qty: int) -> None:
        positions = self.positions
        for owner, delta in ((maker_owner, -taker_side * qty), (taker_owner, taker_side * qty)):
            pos = positions.get(owner)  # type: ignore[union-attr]
            if pos is not None:
                positions[owner] = pos + delta  # type: ignore[index]
                if owner in self._reduce_only:
                    self._touched.add(owner)
                    self._pending = True

    def _enforce_reduce_only(self, owner: int) -> None:
        """Cut the owner's reduce-only orders down to what still reduces the position."""
        pos = self.positions.get(owner, 0) if self.positions is not None else 0
        room = abs(pos)
        keep = []
        for order in list(self._reduce_only.get(owner, ())):
            if self.orders.get(order.order_id) is not order and \
                    self.stops.get(order.order_id) is not order:
                continue  # already gone
            if order.side * pos >= 0 or room == 0:
                self.cancel(order.order_id, REDUCE_ONLY)
                continue
            if order.leaves > room:
                self._shrink(order, order.leaves - room)
                self._on_modified(order)
            room -= order.leaves
            keep.append(order)
        if keep:
            self._reduce_only[owner] = keep
        else:
            self._reduce_only.pop(owner, None)

    # --- stops -------------------------------------------------------------------------------
    def _add_stop(self, order: EngineOrder) -> None:
        self.stops.add(order)
        self._update_watch()

    def _update_watch(self) -> None:
        self._watch = bool(self.stops) or bool(self._reduce_only)

    def _run_pending(self) -> None:
        """Work left by trades: reduce-only clamps, then triggered stops (which can trade and
        trigger more). Runs after the request that traded has finished."""
        if self._in_pending:
            return
        self._in_pending = True
        try:
            while self._pending:
                self._pending = False
                lo, hi = self._lo, self._hi
                self._lo = self._hi = None
                if self._touched:
                    touched, self._touched = self._touched, set()
                    for owner in sorted(touched):
                        self._enforce_reduce_only(owner)
                if not self.stops:
                    continue
                for order in self.stops.triggered(lo, hi):
                    self._fire(order)
                self._update_watch()
        finally:
            self._in_pending = False

    def _fire(self, order: EngineOrder) -> None:
        ext = order.ext
        assert ext is not None
        self._on_triggered(order.order_id, order.owner, self.last_price)  # type: ignore[arg-type]
        qty = order.leaves
        if ext.reduce_only:
            pos = self.positions.get(order.owner, 0) if self.positions is not None else 0
            if order.side * pos >= 0:
                self._on_canceled(order.order_id, order.owner, qty, REDUCE_ONLY)
                self._forget(order)
                return
            qty = min(qty, abs(pos))
        price = ext.limit if ext.kind == STOP_LIMIT else None
        self._forget(order)
        self._execute(order.order_id, order.owner, order.side, qty, price, ext.tif, ext,
                      ext.stp if ext.stp >= 0 else self._stp)

    # --- GTD ---------------------------------------------------------------------------------
    def _add_expiry(self, order: EngineOrder) -> None:
        ext = order.ext
        assert ext is not None and ext.tif == GTD and ext.expire_ns is not None
        heappush(self._expiries, (ext.expire_ns, order.order_id))
        if self.clock is not None and self._expiries[0][0] == ext.expire_ns:
            self.clock.set_alert(self._alert_name, ext.expire_ns, self.expire_due)

    def expire_due(self, now_ns: int) -> int:
        """Expire every GTD order whose time has come; returns how many expired."""
        expired = 0
        heap = self._expiries
        while heap and heap[0][0] <= now_ns:
            expire_ns, order_id = heappop(heap)
            order = self.orders.get(order_id) or self.stops.get(order_id)
            if order is None or order.ext is None or order.ext.expire_ns != expire_ns:
                continue
            if order.order_id in self.orders:
                self._remove(order)
            else:
                self.stops.remove(order_id)
            self._forget(order)
            self._on_expired(order_id, order.owner, order.leaves)
            expired += 1
        if heap and self.clock is not None:
            self.clock.set_alert(self._alert_name, heap[0][0], self.expire_due)
        self._update_watch()
        return expired

    def _forget(self, order: EngineOrder) -> None:
        """An order with extras left the book: drop it from the reduce-only index."""
        ext = order.ext
        if ext is not None and ext.reduce_only:
            owned = self._reduce_only.get(order.owner)
            if owned is not None:
                if order in owned:
                    owned.remove(order)
                if not owned:
                    del self._reduce_only[order.owner]
                    self._update_watch()
