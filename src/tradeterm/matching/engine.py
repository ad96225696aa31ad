"""The local exchange for one instrument: a price-time priority book with every order type.

Order entry: ``submit_limit`` is the hot path (a plain GTC limit order); ``submit`` takes any
type: limit, market, stop-market, stop-limit; GTC, IOC, FOK, GTD; post-only (reject or slide, per
the instrument's rules), iceberg (``display``), reduce-only, a self-trade prevention mode. Then
``cancel`` (one), ``cancel_all`` (by owner and/or side), ``modify`` (a price change or a size
increase loses time priority, a size decrease keeps it) and ``expire_due`` (GTD, also driven by
the clock when one is given).

Data layout (integers only): per side a dict price -> deque of ``EngineOrder`` in time order, a
dict price -> visible size (``level_size``, the public L2 book) and a heap of prices with lazy
deletion for the best price (bids negated). ``level_changes`` collects every level whose size
changed since its owner last cleared it (0 = level gone): the public depth feed.

Outcomes go to a ``MatchListener`` (see listener.py). ``owner`` is an opaque int: the account,
used by self-trade prevention, reduce-only and per-owner fees.
"""

from __future__ import annotations

from collections import deque
from heapq import heapify, heappop, heappush

from tradeterm.core.clock import Clock
from tradeterm.matching.amend import Amendments
from tradeterm.matching.conditional import ConditionalOrders
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import (
    CANCELED, FOK, FOK_UNFILLED, GTC, GTD, IOC, IOC_REMAINDER, LIMIT, NO_LIQUIDITY,
    POST_ONLY_WOULD_TAKE, REDUCE_ONLY_WOULD_INCREASE, SELF_TRADE, STOP_LIMIT, STOP_MARKET,
    WOULD_TRIGGER_IMMEDIATELY, EngineOrder, OrderExtras,
)
from tradeterm.matching.rules import MatchingRules
from tradeterm.matching.stops import StopBook
from tradeterm.matching.sweep import Sweeper
from tradeterm.matching.validate import Validation

ANY_PRICE = 1 << 62  # a buy market order's limit; a sell market order's limit is 0


class MatchingEngine(Sweeper, ConditionalOrders, Amendments, Validation):
    """One instrument's book. See the module docstring."""

    def __init__(self, listener: MatchListener, rules: MatchingRules | None = None,
                 clock: Clock | None = None, name: str = "book") -> None:
        self.rules = rules or MatchingRules()
        self.clock = clock
        self.name = name
        self._bids: dict[int, deque[EngineOrder]] = {}
        self._asks: dict[int, deque[EngineOrder]] = {}
        self._bid_size: dict[int, int] = {}
        self._ask_size: dict[int, int] = {}
        self._bid_heap: list[int] = []  # negated prices
        self._ask_heap: list[int] = []
        self._bid_changes: dict[int, int] = {}
        self._ask_changes: dict[int, int] = {}
        self.levels = (self._bids, self._asks)
        self.level_size = (self._bid_size, self._ask_size)
        self.level_changes = (self._bid_changes, self._ask_changes)
        self._heaps = (self._bid_heap, self._ask_heap)
        self._bid_heap_cap = self._ask_heap_cap = 64
        self.orders: dict[int, EngineOrder] = {}  # resting orders by id
        self.stops = StopBook()  # stop orders waiting for their trigger
        self.trade_id = 0
        self.last_price: int | None = None
        self.positions: dict[int, int] | None = None  # owner -> lots, for reduce-only
        # rules, unpacked for the hot path
        self._min_notional = self.rules.min_notional
        self._strict = self.rules.strict
        self._stp = self.rules.stp
        self._pro_rata = self.rules.pro_rata
        # conditional orders and work left after trades
        self._expiries: list[tuple[int, int]] = []
        self._alert_name = f"matching.gtd.{name}.{id(self)}"
        self._reduce_only: dict[int, list[EngineOrder]] = {}
        self._touched: set[int] = set()
        self._watch = False  # stops or reduce-only orders exist: note traded prices
        self._pending = False
        self._in_pending = False
        self._lo: int | None = None
        self._hi: int | None = None
        self._stp_hit = False
        self.set_listener(listener)

    def set_listener(self, listener: MatchListener) -> None:
        self.listener = listener
        self._on_accepted = listener.on_accepted
        self._on_rejected = listener.on_rejected
        self._on_fill = listener.on_fill
        self._on_canceled = listener.on_canceled
        self._on_expired = listener.on_expired
        self._on_triggered = listener.on_triggered
        self._on_modified = listener.on_modified
        self._on_modify_rejected = listener.on_modify_rejected

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

    @property
    def best_bid(self) -> int | None:
        return self.best(1)

    @property
    def best_ask(self) -> int | None:
        return self.best(-1)

    def queue(self, side: int, price: int) -> list[EngineOrder]:
        """The orders at one level in time priority (a copy)."""
        return list((self._bids if side > 0 else self._asks).get(price, ()))

    def drain_level_changes(self) -> tuple[dict[int, int], dict[int, int]]:
        """Hand over the changed levels since the last drain and start afresh."""
        out = (dict(self._bid_changes), dict(self._ask_changes))
        self._bid_changes.clear()
        self._ask_changes.clear()
        return out

    # --- order entry: the hot path -----------------------------------------------------------
    def submit_limit(self, order_id: int, owner: int, side: int, price: int, qty: int) -> int:
        """A plain GTC limit order: match what crosses, rest the rest. Returns lots filled."""
        if (qty <= 0 or price <= 0 or price * qty < self._min_notional
                or order_id in self.orders or order_id in self.stops or self._strict):
            if self._refuse(order_id, owner, LIMIT, price, qty, None, 0, GTC, None, False, side):
                return 0
        self._on_accepted(order_id, owner, price, qty)
        remaining = qty
        if side > 0:
            heap = self._ask_heap
            if heap and heap[0] <= price:  # crosses (or a stale top: _match cleans it)
                remaining = self._match(1, price, qty, order_id, owner, self._stp)
                if not remaining or self._stp_hit:
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
                self._bid_size[price] = self._bid_changes[price] = (
                    self._bid_size[price] + remaining)
        else:
            heap = self._bid_heap
            if heap and -heap[0] >= price:
                remaining = self._match(-1, price, qty, order_id, owner, self._stp)
                if not remaining or self._stp_hit:
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
                self._ask_size[price] = self._ask_changes[price] = (
                    self._ask_size[price] + remaining)
        self.orders[order_id] = order
        if self._pending:
            self._run_pending()
        return qty - remaining

    def _after_take(self, order_id: int, owner: int, qty: int, remaining: int) -> int:
        """A plain limit order that filled completely, or was stopped by self-trade
        prevention, does not rest."""
        if remaining:
            self._stp_hit = False
            self._on_canceled(order_id, owner, remaining, SELF_TRADE)
        if self._pending:
            self._run_pending()
        return qty - remaining

    def cancel(self, order_id: int, reason: str = CANCELED) -> bool:
        """Cancel a resting or stop order. False if there is no such working order."""
        order = self.orders.pop(order_id, None)
        if order is not None:
            price = order.price
            if order.side > 0:
                queue = self._bids[price]
                queue.remove(order)
                if queue:
                    self._bid_size[price] = self._bid_changes[price] = (
                        self._bid_size[price] - order.visible)
                else:
                    del self._bids[price]
                    del self._bid_size[price]
                    self._bid_changes[price] = 0
            else:
                queue = self._asks[price]
                queue.remove(order)
                if queue:
                    self._ask_size[price] = self._ask_changes[price] = (
                        self._ask_size[price] - order.visible)
                else:
                    del self._asks[price]
                    del self._ask_size[price]
                    self._ask_changes[price] = 0
        else:
            order = self.stops.remove(order_id)
            if order is None:
                return False
            self._update_watch()
        if order.ext is not None:
            self._forget(order)
        self._on_canceled(order_id, order.owner, order.leaves, reason)
        return True

    # --- order entry: every type -------------------------------------------------------------
    def submit(self, order_id: int, owner: int, side: int, qty: int, kind: int = LIMIT,
               price: int | None = None, tif: int = GTC, *, trigger: int | None = None,
               post_only: bool = False, reduce_only: bool = False, display: int = 0,
               expire_ns: int | None = None, stp: int = -1) -> int:
        """Any order. ``side`` 1 buy / -1 sell; ``kind`` and ``tif`` are the codes in
        ``matching.orders``; ``stp`` -1 = the instrument's default. Returns lots filled now."""
        if self._refuse(order_id, owner, kind, price, qty, trigger, display, tif, expire_ns,
                        post_only, side):
            return 0
        stp_mode = stp if stp >= 0 else self._stp
        if reduce_only:
            pos = self.positions.get(owner, 0) if self.positions is not None else 0
            if pos * side >= 0:
                self._on_rejected(order_id, owner, REDUCE_ONLY_WOULD_INCREASE,
                                  f"position is {pos} lots: a {'buy' if side > 0 else 'sell'} "
                                  "would not reduce it")
                return 0
            qty = min(qty, abs(pos))
        ext = None
        if kind != LIMIT or tif != GTC or display or post_only or reduce_only or stp >= 0:
            ext = OrderExtras(kind, tif, display, trigger, expire_ns, post_only, reduce_only,
                              stp, price)
        if kind == STOP_MARKET or kind == STOP_LIMIT:
            last = self.last_price
            if last is not None and (last - trigger) * side >= 0:  # type: ignore[operator]
                self._on_rejected(order_id, owner, WOULD_TRIGGER_IMMEDIATELY,
                                  f"last trade {last} is already through the trigger {trigger}")
                return 0
            order = EngineOrder(order_id, owner, side, trigger, qty, qty, 0, ext)  # type: ignore[arg-type]
            self._on_accepted(order_id, owner, price, qty)
            self._add_stop(order)
            self._register(order)
            return 0
        if post_only:
            best = self.best(-side)
            if best is not None and (price - best) * side >= 0:  # type: ignore[operator]
                if not self.rules.post_only_slide or best - side <= 0:
                    self._on_rejected(order_id, owner, POST_ONLY_WOULD_TAKE,
                                      f"price {price} would trade against {best}")
                    return 0
                price = best - side  # one tick inside the opposite best
        self._on_accepted(order_id, owner, price, qty)
        return self._execute(order_id, owner, side, qty, price, tif, ext, stp_mode)

    def _execute(self, order_id: int, owner: int, side: int, qty: int, price: int | None,
                 tif: int, ext: OrderExtras | None, stp: int) -> int:
        """An accepted market (``price`` None) or limit order enters the book."""
        limit = price if price is not None else (ANY_PRICE if side > 0 else 0)
        if tif == FOK and not self._can_fill(side, limit, qty, owner, stp):
            self._on_canceled(order_id, owner, qty, FOK_UNFILLED)
            return 0
        best = self.best(-side)
        remaining = qty
        if best is not None and (best - limit) * side <= 0:
            remaining = self._match(side, limit, qty, order_id, owner, stp)
        if remaining:
            if self._stp_hit:
                self._stp_hit = False
                self._on_canceled(order_id, owner, remaining, SELF_TRADE)
            elif price is None:
                self._on_canceled(order_id, owner, remaining, NO_LIQUIDITY)
            elif tif == IOC or tif == FOK:
                self._on_canceled(order_id, owner, remaining, IOC_REMAINDER)
            else:
                display = ext.display if ext is not None else 0
                visible = display if display and display < remaining else remaining
                if ext is not None and not (display or tif == GTD or ext.reduce_only
                                            or ext.post_only or ext.stp >= 0):
                    ext = None  # nothing left that a resting order needs
                order = EngineOrder(order_id, owner, side, price, qty, remaining, visible, ext)
                self._rest(order)
                self._register(order)
        if self._pending:
            self._run_pending()
        return qty - remaining

    def _register(self, order: EngineOrder) -> None:
        ext = order.ext
        if ext is None:
            return
        if ext.tif == GTD:
            self._add_expiry(order)
        if ext.reduce_only:
            self._reduce_only.setdefault(order.owner, []).append(order)
            self._update_watch()

    # --- book maintenance --------------------------------------------------------------------
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

    def _rest(self, order: EngineOrder) -> None:
        price = order.price
        side = order.side
        if side > 0:
            levels, sizes, changes = self._bids, self._bid_size, self._bid_changes
        else:
            levels, sizes, changes = self._asks, self._ask_size, self._ask_changes
        queue = levels.get(price)
        if queue is None:
            levels[price] = deque((order,))
            sizes[price] = changes[price] = order.visible
            self._push_level(side, price)
        else:
            queue.append(order)
            sizes[price] = changes[price] = sizes[price] + order.visible
        self.orders[order.order_id] = order

    def _remove(self, order: EngineOrder) -> None:
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

    def _shrink(self, order: EngineOrder, lots: int) -> None:
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
