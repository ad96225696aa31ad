"""The work a trade leaves behind, run after the request that traded has finished.

Trades move positions and the last price. Then, in placement order: reduce-only orders are cut
down to what still reduces their owner's position (or cancelled), and stops whose trigger traded
enter the book as market or limit orders, which can trade and trigger more.
"""

from __future__ import annotations

from collections.abc import Callable

from tradeterm.matching.book import PriceTimeBook
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import REDUCE_ONLY, STOP_LIMIT, EngineOrder, OrderExtras
from tradeterm.matching.reduce_only import PositionBook
from tradeterm.matching.rules import MatchingRules
from tradeterm.matching.stops import StopBook

# the engine's entry for an accepted market (price None) or limit order:
# (order_id, owner, side, qty, price, tif, ext, stp) -> lots filled
Execute = Callable[[int, int, int, int, int | None, int, OrderExtras | None, int], int]


class Triggers:
    """Reduce-only clamps and triggered stops after trades (``run``, the book's
    ``after_request``). ``position_book`` is the engine's, once it keeps one."""

    def __init__(
        self,
        book: PriceTimeBook,
        stops: StopBook,
        rules: MatchingRules,
        execute: Execute,
        update_watch: Callable[[], None],
    ) -> None:
        self.book = book
        self.stops = stops
        self.rules = rules
        self.cancel = book.cancel
        self._execute = execute
        self._update_watch = update_watch
        self.position_book: PositionBook | None = None
        self._in_after = False

    def set_listener(self, listener: MatchListener) -> None:
        self._on_canceled = listener.on_canceled
        self._on_triggered = listener.on_triggered
        self._on_modified = listener.on_modified

    def _working(self, order: EngineOrder) -> bool:
        return (
            self.book.orders.get(order.order_id) is order or self.stops.get(order.order_id) is order
        )

    def run(self) -> None:
        """Work left by trades: reduce-only clamps, then triggered stops (which can trade and
        trigger more). Runs after the request that traded has finished."""
        if self._in_after:
            return
        self._in_after = True
        book = self.book
        try:
            while book.pending:
                book.pending = False
                lo, hi = book.lo, book.hi
                book.lo = book.hi = None
                if self.position_book is not None:
                    for owner in self.position_book.touched():
                        self._clamp_reduce_only(owner)
                if not self.stops:
                    continue
                for order in self.stops.triggered(lo, hi):
                    self._fire(order)
                self._update_watch()
        finally:
            self._in_after = False

    def _clamp_reduce_only(self, owner: int) -> None:
        """Cut the owner's reduce-only orders down to what still reduces the position."""
        assert self.position_book is not None
        for order, lots in self.position_book.clamps(owner, self._working):
            if lots >= order.leaves:
                self.cancel(order.order_id, REDUCE_ONLY)
            else:
                self.book.shrink(order, lots)
                self._on_modified(order)

    def _fire(self, order: EngineOrder) -> None:
        """A stop whose trigger traded enters the book as a market or limit order."""
        ext = order.ext
        assert ext is not None
        self._on_triggered(order.order_id, order.owner, self.book.last_price)  # type: ignore[arg-type]
        qty = order.leaves
        if ext.reduce_only:
            pos = self.position_book.position(order.owner) if self.position_book else 0
            if order.side * pos >= 0:
                self._on_canceled(order.order_id, order.owner, qty, REDUCE_ONLY)
                return
            qty = min(qty, abs(pos))
        price = ext.limit if ext.kind == STOP_LIMIT else None
        self._execute(
            order.order_id,
            order.owner,
            order.side,
            qty,
            price,
            ext.tif,
            ext,
            ext.stp if ext.stp >= 0 else self.rules.stp,
        )
