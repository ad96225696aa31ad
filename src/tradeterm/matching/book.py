"""The price-time book of one instrument: both sides, the resting orders, taking liquidity.

Data layout (integers only): per side a dict price -> deque of ``EngineOrder`` in time order, a
dict price -> visible size (``level_size``, the public L2 book) and a heap of prices with lazy
deletion for the best price (bids negated). ``level_changes`` collects every level whose size
changed since its owner last cleared it (0 = level gone): the public depth feed. ``orders``
indexes the resting orders by id.

``submit_limit`` is the hot path (a plain GTC limit order: match what crosses, rest the rest).
``take`` matches an aggressing order against the opposite side: FIFO in ``fifo.py`` (the hot
loop), pro-rata in ``sweep.py`` when the rules ask for it. Both honour self-trade prevention,
iceberg refills and reduce-only makers (a maker trades at most what still reduces its owner's
position: it is cut down first, or cancelled when nothing is left), report every trade to the
listener and write changed level sizes into ``level_changes``.

What the book needs from the rest of the engine is narrow hooks, set by ``MatchingEngine``:
``refuse`` (full validation, when the fast checks of ``submit_limit`` fail), ``after_request``
(runs when ``pending``: trades happened while ``watch`` was on, for stops and reduce-only),
``cancel_waiting`` (a cancel of an order that does not rest: a stop), ``positions`` (a
``PositionBook`` when owners' positions are kept, else None) and ``stop_ids`` (the ids of
waiting stops, for the duplicate-id check).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING

from tradeterm.matching import fifo
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import CANCELED, GTC, LIMIT, SELF_TRADE, EngineOrder
from tradeterm.matching.rules import MatchingRules
from tradeterm.matching.sweep import would_fill

if TYPE_CHECKING:
    from tradeterm.matching.reduce_only import PositionBook


class PriceTimeBook:
    def __init__(self, listener: MatchListener, rules: MatchingRules) -> None:
        self.rules = rules
        self._bids: dict[int, deque[EngineOrder]] = {}
        self._asks: dict[int, deque[EngineOrder]] = {}
        self._bid_size: dict[int, int] = {}
        self._ask_size: dict[int, int] = {}
        self._bid_heap: list[int] = []  # negated prices
        self._ask_heap: list[int] = []
        self._bid_changes: dict[int, int] = {}
        self._ask_changes: dict[int, int] = {}
        self._bid_heap_cap = self._ask_heap_cap = 64
        self.levels = (self._bids, self._asks)
        self.level_size = (self._bid_size, self._ask_size)
        self.level_changes = (self._bid_changes, self._ask_changes)
        self.heaps = (self._bid_heap, self._ask_heap)  # compacted in place: the same lists
        self.orders: dict[int, EngineOrder] = {}  # resting orders by id
        self.trade_id = 0
        self.last_price: int | None = None
        self.stp_hit = False  # self-trade prevention stopped the last aggressor
        # notes for the work after a request (stops, reduce-only): kept while ``watch`` is on
        self.watch = False
        self.pending = False
        self.lo: int | None = None  # range of prices traded since the work last ran
        self.hi: int | None = None
        # hooks (see the module docstring)
        self.refuse: Callable[..., bool] = lambda *_: False
        self.after_request: Callable[[], None] = lambda: None
        self.cancel_waiting: Callable[[int, str], bool] = lambda *_: False
        self.positions: PositionBook | None = None
        self.stop_ids: Mapping[int, EngineOrder] = {}
        # rules, unpacked for the hot path
        self._min_notional = rules.min_notional
        self._strict = rules.strict
        self._stp = rules.stp
        self.pro_rata = rules.pro_rata
        self.set_listener(listener)

    def set_listener(self, listener: MatchListener) -> None:
        self.listener = listener
        self._on_accepted = listener.on_accepted
        # bound once, for the match loops (fifo.py)
        self.on_fill = listener.on_fill
        self.on_canceled = listener.on_canceled
        self.on_modified = listener.on_modified

    # --- reads -------------------------------------------------------------------------------
    def best(self, side: int) -> int | None:
        """Best price of ``side`` (1 bids, -1 asks), or None."""
        if side > 0:
            heap, levels, sign = self._bid_heap, self._bids, -1
        else:
            heap, levels, sign = self._ask_heap, self._asks, 1
        while heap:
            price = heap[0] * sign
            if price in levels:
                return price
            heappop(heap)
        return None

    def queue(self, side: int, price: int) -> list[EngineOrder]:
        """The orders at one level in time priority (a copy)."""
        return list((self._bids if side > 0 else self._asks).get(price, ()))

    def drain_level_changes(self) -> tuple[dict[int, int], dict[int, int]]:
        """Hand over the changed levels since the last drain and start afresh."""
        out = (dict(self._bid_changes), dict(self._ask_changes))
        self._bid_changes.clear()
        self._ask_changes.clear()
        return out

    # --- the hot path ------------------------------------------------------------------------
    def submit_limit(self, order_id: int, owner: int, side: int, price: int, qty: int) -> int:
        """A plain GTC limit order: match what crosses, rest the rest. Returns lots filled."""
        if (
            qty <= 0
            or price <= 0
            or price * qty < self._min_notional
            or order_id in self.orders
            or order_id in self.stop_ids
            or self._strict
        ):
            if self.refuse(order_id, owner, LIMIT, price, qty, None, 0, GTC, None, False, side):
                return 0
        self._on_accepted(order_id, owner, price, qty)
        remaining = qty
        if side > 0:
            heap = self._ask_heap
            if heap and heap[0] <= price:  # crosses (or a stale top: take cleans it)
                remaining = self.take(1, price, qty, order_id, owner, self._stp)
                if not remaining or self.stp_hit:
                    return self._after_take(order_id, owner, qty, remaining)
            order = EngineOrder(order_id, owner, side, price, qty, remaining, remaining)
            queue = self._bids.get(price)
            if queue is None:
                self._bids[price] = deque((order,))
                self._bid_size[price] = self._bid_changes[price] = remaining
                heappush(self._bid_heap, -price)
                if len(self._bid_heap) > self._bid_heap_cap:
                    self._compact_heap(1)
            else:
                queue.append(order)
                self._bid_size[price] = self._bid_changes[price] = self._bid_size[price] + remaining
        else:
            heap = self._bid_heap
            if heap and -heap[0] >= price:
                remaining = self.take(-1, price, qty, order_id, owner, self._stp)
                if not remaining or self.stp_hit:
                    return self._after_take(order_id, owner, qty, remaining)
            order = EngineOrder(order_id, owner, side, price, qty, remaining, remaining)
            queue = self._asks.get(price)
            if queue is None:
                self._asks[price] = deque((order,))
                self._ask_size[price] = self._ask_changes[price] = remaining
                heappush(self._ask_heap, price)
                if len(self._ask_heap) > self._ask_heap_cap:
                    self._compact_heap(-1)
            else:
                queue.append(order)
                self._ask_size[price] = self._ask_changes[price] = self._ask_size[price] + remaining
        self.orders[order_id] = order
        if self.pending:
            self.after_request()
        return qty - remaining

    def _after_take(self, order_id: int, owner: int, qty: int, remaining: int) -> int:
        """A plain limit order that filled completely, or was stopped by self-trade
        prevention, does not rest."""
        if remaining:
            self.stp_hit = False
            self.on_canceled(order_id, owner, remaining, SELF_TRADE)
        if self.pending:
            self.after_request()
        return qty - remaining

    def cancel(self, order_id: int, reason: str = CANCELED) -> bool:
        """Cancel a working order: a resting one here, anything else through
        ``cancel_waiting`` (stops). False if there is no such working order."""
        order = self.orders.pop(order_id, None)
        if order is None:
            return self.cancel_waiting(order_id, reason)
        price = order.price
        if order.side > 0:
            queue = self._bids[price]
            queue.remove(order)
            if queue:
                self._bid_size[price] = self._bid_changes[price] = (
                    self._bid_size[price] - order.visible
                )
            else:
                del self._bids[price]
                del self._bid_size[price]
                self._bid_changes[price] = 0
        else:
            queue = self._asks[price]
            queue.remove(order)
            if queue:
                self._ask_size[price] = self._ask_changes[price] = (
                    self._ask_size[price] - order.visible
                )
            else:
                del self._asks[price]
                del self._ask_size[price]
                self._ask_changes[price] = 0
        self.on_canceled(order_id, order.owner, order.leaves, reason)
        return True

    # --- resting orders ----------------------------------------------------------------------
    def rest(self, order: EngineOrder) -> None:
        """Put an order at the back of its level."""
        price = order.price
        if order.side > 0:
            levels, sizes, changes = self._bids, self._bid_size, self._bid_changes
        else:
            levels, sizes, changes = self._asks, self._ask_size, self._ask_changes
        queue = levels.get(price)
        if queue is None:
            levels[price] = deque((order,))
            sizes[price] = changes[price] = order.visible
            self._push_level(order.side, price)
        else:
            queue.append(order)
            sizes[price] = changes[price] = sizes[price] + order.visible
        self.orders[order.order_id] = order

    def remove(self, order: EngineOrder) -> None:
        """Take a resting order out of the book (no event)."""
        del self.orders[order.order_id]
        price = order.price
        if order.side > 0:
            levels, sizes, changes = self._bids, self._bid_size, self._bid_changes
        else:
            levels, sizes, changes = self._asks, self._ask_size, self._ask_changes
        queue = levels[price]
        queue.remove(order)
        if queue:
            sizes[price] = changes[price] = sizes[price] - order.visible
        else:
            del levels[price]
            del sizes[price]
            changes[price] = 0

    def shrink(self, order: EngineOrder, lots: int) -> None:
        """Reduce a working order by ``lots`` in place (keeps its time priority)."""
        order.qty -= lots
        order.leaves -= lots
        if order.order_id in self.orders and order.visible > order.leaves:
            cut = order.visible - order.leaves
            order.visible = order.leaves
            ix = 0 if order.side > 0 else 1
            size = self.level_size[ix][order.price] - cut
            self.level_size[ix][order.price] = size
            self.level_changes[ix][order.price] = size

    def _push_level(self, side: int, price: int) -> None:
        if side > 0:
            heappush(self._bid_heap, -price)
            if len(self._bid_heap) > self._bid_heap_cap:
                self._compact_heap(1)
        else:
            heappush(self._ask_heap, price)
            if len(self._ask_heap) > self._ask_heap_cap:
                self._compact_heap(-1)

    def _compact_heap(self, side: int) -> None:
        """Drop the stale prices that cancels leave in a heap (amortised: the next compaction
        comes only after the heap has doubled again)."""
        if side > 0:
            self._bid_heap[:] = [-p for p in self._bids]
            heapify(self._bid_heap)
            self._bid_heap_cap = 2 * len(self._bid_heap) + 64
        else:
            self._ask_heap[:] = list(self._asks)
            heapify(self._ask_heap)
            self._ask_heap_cap = 2 * len(self._ask_heap) + 64

    # --- taking liquidity --------------------------------------------------------------------
    take = fifo.take  # (book, side, limit, qty, taker_id, taker_owner, stp) -> lots left

    def note_traded(self, first: int, last: int) -> None:
        """Remember the range of prices just traded (for stop triggers)."""
        self.last_price = last
        if self.watch:
            lo, hi = (first, last) if first < last else (last, first)
            if self.lo is None or lo < self.lo:
                self.lo = lo
            if self.hi is None or hi > self.hi:
                self.hi = hi
            self.pending = True

    def would_fill(self, side: int, limit: int, qty: int, owner: int, stp: int) -> bool:
        """Fill-or-kill: would ``qty`` lots trade now at prices no worse than ``limit``?"""
        return would_fill(self, side, limit, qty, owner, stp)

    def side_of(
        self, side: int
    ) -> tuple[dict[int, deque[EngineOrder]], dict[int, int], list[int], dict[int, int], int]:
        """The containers of one side: levels, sizes, heap, changes and the heap's sign."""
        if side > 0:
            return self._bids, self._bid_size, self._bid_heap, self._bid_changes, -1
        return self._asks, self._ask_size, self._ask_heap, self._ask_changes, 1
