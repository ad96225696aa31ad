"""The OMS's orders in memory: the working ones (the blotter's view), the recently finished
ones (for late events and lookups), the venue of each, a by-instrument index and the exposure
risk reads.

Every change to an order is reported through ``changed``, which is the one place that moves
an order between working and finished (a terminal status finishes it; a late fill on a
CANCELED order brings it back until the venue's record settles it), buffers the status for
the store, drops the exposure cache, bumps the view and tells the watchers (the outcome
resolver, which keeps every order that awaits an answer under watch, and cancel-replace).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from copy import copy

from tradeterm.core.views import WorkingOrdersView
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.oms.store_port import OrderStore

RECENT_TERMINAL = 2_000  # finished orders kept in memory for late events and lookups

Exposure = tuple[int, int, int | None, int | None]


# what the registry holds of one order: (the order, WORKING or RECENT or None: neither, venue)
Held = tuple[Order | None, int | None, str | None]
WORKING, RECENT = 1, 2


class OrderRegistry:
    def __init__(
        self, view: WorkingOrdersView, store: OrderStore, keep_recent: int = RECENT_TERMINAL
    ) -> None:
        self.view = view
        self.working: dict[str, Order] = view.orders  # client order id -> live order
        self._store = store
        self._keep_recent = keep_recent
        self._venues: dict[str, str] = {}  # client order id -> venue, working and recent
        self._recent: dict[str, Order] = {}
        self._recent_ids: deque[str] = deque()
        self.remembered = 0  # orders ever put on the eviction queue (its end, counted)
        self._by_instrument: dict[str, dict[str, Order]] = {}
        self._exposure: dict[str, Exposure] = {}
        self.watchers: list[Callable[[Order], None]] = []  # told after every change

    # --- reads -----------------------------------------------------------------------------
    def get(self, client_order_id: str) -> Order | None:
        """A working or recently finished order."""
        return self.working.get(client_order_id) or self._recent.get(client_order_id)

    @property
    def venues(self) -> Mapping[str, str]:
        """Client order id -> venue name, for every order this registry holds."""
        return self._venues

    def venue_of(self, client_order_id: str) -> str | None:
        return self._venues.get(client_order_id)

    def working_on(self, venue: str) -> list[Order]:
        return [o for coid, o in self.working.items() if self._venues.get(coid) == venue]

    def count(self) -> int:
        return len(self.working)

    def has_working(self, instrument: str) -> bool:
        return bool(self._by_instrument.get(instrument))

    def exposure(self, instrument: str) -> Exposure:
        """(working buy lots, working sell lots, highest own bid, lowest own ask)."""
        cached = self._exposure.get(instrument)
        if cached is not None:
            return cached
        buys = sells = 0
        best_bid = best_ask = None
        for order in self._by_instrument.get(instrument, {}).values():
            leaves = order.qty - order.filled_qty
            if order.side is Side.BUY:
                buys += leaves
                if order.price is not None and (best_bid is None or order.price > best_bid):
                    best_bid = order.price
            else:
                sells += leaves
                if order.price is not None and (best_ask is None or order.price < best_ask):
                    best_ask = order.price
        cached = self._exposure[instrument] = (buys, sells, best_bid, best_ask)
        return cached

    # --- changes ---------------------------------------------------------------------------
    def track(self, order: Order, venue: str) -> None:
        """A new working order (already in the store)."""
        self._venues[order.client_order_id] = venue
        self._work(order)
        self.view.version += 1
        self._tell(order)

    def changed(self, order: Order, persist: bool = True) -> None:
        """``order`` changed (status, terms, fills): file it as working or finished, buffer it
        for the store (``persist=False``: already written, e.g. with its fill), tell everyone."""
        coid = order.client_order_id
        if order.is_terminal:
            order.uncertain = False
            if self.working.pop(coid, None) is not None:
                self._by_instrument.get(order.instrument, {}).pop(coid, None)
                self._remember(order)
        elif coid not in self.working and coid in self._venues:
            self._recent.pop(coid, None)  # back from the dead: a late fill
            self._work(order)
        if persist:
            self._store.note_order(order)
        self._exposure.pop(order.instrument, None)
        self.view.version += 1
        self._tell(order)

    def touch(self) -> None:
        """Something only the blotter shows changed (e.g. an order became uncertain)."""
        self.view.version += 1

    def forget(self) -> None:
        """Drop every order (a plain replay rewinding its recorded session's trading)."""
        for held in (self.working, self._venues, self._recent, self._by_instrument):
            held.clear()
        self._recent_ids.clear()
        self._exposure.clear()
        self.view.version += 1

    # --- a replay's checkpoints (``registry_history.RegistryHistory``) -------------------------
    def held(self, client_order_id: str) -> Held | None:
        """What it holds of an order (the live order, not a copy), None if nothing."""
        coid = client_order_id
        venue = self._venues.get(coid)
        order = self.working.get(coid)
        if order is not None:
            return order, WORKING, venue
        order = self._recent.get(coid)
        if order is not None:
            return order, RECENT, venue
        return None if venue is None else (None, None, venue)

    def held_ids(self) -> set[str]:
        return set(self.working) | set(self._recent) | set(self._venues)

    @property
    def recent_ids(self) -> deque[str]:
        """The eviction queue, oldest first (read only)."""
        return self._recent_ids

    def refill(
        self,
        held: Mapping[str, Held],
        working: tuple[str, ...],
        recent_ids: list[str],
        remembered: int,
        fresh: bool = False,
    ) -> None:
        """Hold ``held`` (fresh copies of its orders, or, ``fresh``, its orders themselves:
        nobody else has them; ``working`` in the order they came) and the eviction queue
        ``recent_ids``; nobody is told (the watchers are restored with it)."""
        self.forget()
        take = _same if fresh else copy
        for coid, (order, where, venue) in held.items():
            if venue is not None:
                self._venues[coid] = venue
            if where == RECENT and order is not None:
                self._recent[coid] = take(order)
        for coid in working:
            order = held[coid][0]
            assert order is not None
            self._work(take(order))
        self._recent_ids.extend(recent_ids)
        self.remembered = remembered

    # --- internals -------------------------------------------------------------------------
    def _work(self, order: Order) -> None:
        self.working[order.client_order_id] = order
        self._by_instrument.setdefault(order.instrument, {})[order.client_order_id] = order
        self._exposure.pop(order.instrument, None)

    def _remember(self, order: Order) -> None:
        coid = order.client_order_id
        if coid in self._recent:
            return
        self._recent[coid] = order
        self._recent_ids.append(coid)
        self.remembered += 1
        while len(self._recent_ids) > self._keep_recent:
            old = self._recent_ids.popleft()
            if self._recent.pop(old, None) is not None and old not in self.working:
                self._venues.pop(old, None)

    def _tell(self, order: Order) -> None:
        for watcher in self.watchers:
            watcher(order)


def _same(order: Order) -> Order:
    return order
