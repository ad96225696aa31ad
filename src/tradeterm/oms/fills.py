"""Fills applied exactly once.

A fill is deduplicated by the venue's trade id (in memory, and by the store's unique key as a
backstop), checked for sane numbers, applied to its order if it fits, and written with the
order and the position in one transaction through the ledger; once that is on disk
(``durability.after``) the position, the fills pane and the post-trade checks are told, in the
order the fills came (the post-trade checks through ``ports.PostTrade``). The order's own state
moves at once, so the OMS never acts on an order as if the fill had not happened. A fill on a
CANCELED or EXPIRED order is a *late fill* (it traded before the cancel took effect; the news
came after, a race on every venue): applied, logged as a warning, and the order is looked up at
the venue. A fill that does not fit its order at all (more than it has left, on a rejected
order) still moves the position, and trips the kill switch (``ports.TradingHalt``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from tradeterm.core.display import fill_text
from tradeterm.core.views import RingView
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.orders import IllegalTransition, Order, OrderStatus
from tradeterm.oms.ports import PostTrade, TradingHalt
from tradeterm.oms.registry import OrderRegistry
from tradeterm.oms.store import fill_key
from tradeterm.oms.store_port import OrderStore
from tradeterm.portfolio.position import Position

if TYPE_CHECKING:
    from tradeterm.oms.manager import Ledger

log = logging.getLogger("tradeterm.oms.manager")

S = OrderStatus
LATE = (S.CANCELED, S.EXPIRED)


class FillApplier:
    def __init__(
        self,
        registry: OrderRegistry,
        store: OrderStore,
        ledger: Ledger,
        fills_view: RingView[OrderFilled],
        venues: Iterable[str],
        halt: TradingHalt,
        post_trade: PostTrade,
    ) -> None:
        self._registry = registry
        self._store = store
        self._ledger = ledger
        self._fills_view = fills_view
        self._trade_ids: dict[str, set[str]] = {v: set() for v in venues}
        self.applied = 0
        self._halt = halt
        self._post_trade = post_trade
        self.on_late_fill: Callable[[Order], None] | None = None  # look the order up
        # per instrument, the position recorded with a fill that still waits for the disk
        self._unannounced: dict[str, Position] = {}
        # the (venue, key) of each fill applied since ``mark`` was first asked, in order (the
        # ones after ``_at`` were undone by going back: the same records apply them again)
        self._marked: list[tuple[str, str]] | None = None
        self._at = 0

    @property
    def unannounced(self) -> Mapping[str, Position]:
        """Per instrument, the position recorded with a fill that still waits for the disk."""
        return self._unannounced

    def know(self, venue: str, keys: Iterable[str]) -> None:
        """Trade ids already in the store (at start): never applied again."""
        self._trade_ids.setdefault(venue, set()).update(keys)

    def forget(self) -> None:
        """No fill applied yet (a plain replay rewinding its recorded session's trading)."""
        for seen in self._trade_ids.values():
            seen.clear()
        self._unannounced.clear()
        self.applied = 0
        self._marked, self._at = None, 0

    def resume(self, known: Iterable[tuple[str, str]], applied: int) -> None:
        """After ``forget``: the fills of an own-state frame, (venue, key) each, known (never
        applied again), ``applied`` of them counted."""
        trade_ids = self._trade_ids
        for venue, key in known:
            seen = trade_ids.get(venue)
            if seen is None:
                seen = trade_ids[venue] = set()
            seen.add(key)
        self.applied = applied

    def detach(self) -> tuple[Any, ...]:
        """Hand over the trade ids known with their checkpoints (``attach``), knowing none."""
        assert not self._unannounced  # a store with no disk
        held = (self._trade_ids, self._marked, self._at, self.applied)
        self._trade_ids = {venue: set() for venue in self._trade_ids}
        self._marked, self._at, self.applied = None, 0, 0
        return held

    def attach(self, held: tuple[Any, ...]) -> None:
        """Know again what ``detach`` handed over; ``go_to`` one of its marks next."""
        self._trade_ids, self._marked, self._at, self.applied = held

    def noted(self, start: int) -> list[tuple[str, str]]:
        """(venue, key) of the fills applied since ``mark`` was first asked, from the
        ``start``-th on (never going back: a recorder's own-state frames)."""
        assert self._marked is not None
        return self._marked[start : self._at]

    def drop_noted(self) -> None:
        """The keys noted so far are written (an own-state frame has them): forget the list, not
        the keys, which stay known. Never with a checkpoint, whose marks count in that list."""
        assert self._marked is not None
        del self._marked[: self._at]
        self._at = 0

    def mark(self) -> tuple[int, int]:
        """Where the fills stand (a replay's checkpoint): from now on each fill's trade id is
        noted, so ``go_to`` can make it unknown again, or known again."""
        if self._marked is None:
            self._marked = []
        return self._at, self.applied

    def go_to(self, mark: tuple[int, int]) -> None:
        """The fills as at ``mark``: those applied after it unknown again, those before it
        (undone by going back further) known again; their orders and positions are restored
        by their owners."""
        assert self._marked is not None and not self._unannounced  # a store with no disk
        count, self.applied = mark
        for venue, key in self._marked[count : self._at]:
            self._trade_ids[venue].discard(key)
        for venue, key in self._marked[self._at : count]:
            self._trade_ids[venue].add(key)
        self._at = count

    def apply(self, fill: OrderFilled, venue: str | None = None) -> bool:
        """Apply one fill exactly once. Returns False for a duplicate (or a refused fill)."""
        venue = (
            venue
            or self._registry.venue_of(fill.client_order_id)
            or fill.instrument.split(":", 1)[0]
        )
        seen = self._trade_ids.setdefault(venue, set())
        key = fill_key(fill.instrument, fill.trade_id)
        if key in seen:
            return False
        if (
            type(fill.price) is not int
            or type(fill.qty) is not int
            or fill.price <= 0
            or fill.qty <= 0
            or not fill.trade_id
        ):
            log.error("malformed fill from %s ignored: %r", venue, fill)
            self._problem(f"malformed fill from {venue} (trade {fill.trade_id!r})")
            return False
        order = self._registry.get(fill.client_order_id)
        stored = False
        if order is None:  # finished before a restart, or long ago: its record still counts
            order = self._store.load_order(fill.client_order_id)
            stored = order is not None
        saved = late = None
        if order is not None:
            saved = _snapshot(order)
            late = order.status if order.status in LATE else None
            if order.venue_order_id is None:
                order.venue_order_id = fill.venue_order_id
            try:
                order.apply_fill(fill.price, fill.qty, fill.ts_event)
            except (ValueError, IllegalTransition) as exc:
                # the venue says we traded: the position must follow; the order is suspect
                _restore(order, saved)
                log.error(
                    "inconsistent fill %s of %d lots on order %s (%s, %d of %d filled): "
                    "%s; the fill is applied to the position",
                    fill.trade_id,
                    fill.qty,
                    order.client_order_id,
                    order.status.value,
                    order.filled_qty,
                    order.qty,
                    exc,
                )
                self._problem(
                    f"inconsistent fill {fill.trade_id} on order {order.client_order_id}: {exc}"
                )
                order = saved = late = None
        else:
            log.warning(
                "unknown order %s: fill %s applied to the position",
                fill.client_order_id,
                fill.trade_id,
            )
        position = self._ledger.with_fill(fill, self._unannounced.get(fill.instrument))
        try:
            fresh = self._store.record_fill(venue, fill, order, position)
        except Exception as exc:
            if order is not None:
                _restore(order, saved)
            log.error("fill %s could not be stored (%s): not applied", fill.trade_id, exc)
            self._problem(f"store write failed for fill {fill.trade_id}: {exc}")
            return False
        seen.add(key)
        if self._marked is not None:
            self._note(venue, key)
        if not fresh:  # the store had it already (from before a restart)
            if order is not None:
                _restore(order, saved)
            return False
        self.applied += 1
        self._unannounced[fill.instrument] = position
        self._store.durability.after(lambda: self._announce(fill, position))
        if order is not None:  # the order's own state moves at once: the OMS acts on it
            if stored and not order.is_terminal:
                self._registry.track(order, venue)  # a late fill brought it back
            else:
                self._registry.changed(order, persist=False)
            if late is not None:
                log.warning(
                    "late fill %s on %s order %s (%d lots): applied; asking the venue "
                    "about the order",
                    fill.trade_id,
                    late.value,
                    order.client_order_id,
                    fill.qty,
                )
                if self.on_late_fill is not None and not order.is_terminal:
                    self.on_late_fill(order)
        self._store.durability.after(lambda: self._told(fill))
        return True

    def _announce(self, fill: OrderFilled, position: Position) -> None:
        """The fill is on disk: the position, the fills pane and the log hear of it (the hooks
        in ``_told``, after the order's own change)."""
        if self._unannounced.get(fill.instrument) is position:
            del self._unannounced[fill.instrument]
        self._ledger.commit(position, fill.ts_event)
        self._fills_view.append(fill)
        log.info(
            "fill %s %s (order %s)",
            fill.trade_id,
            fill_text(fill, self._ledger.instruments.get(fill.instrument)),
            fill.client_order_id,
        )

    def _told(self, fill: OrderFilled) -> None:
        self._post_trade.after_fill(fill)

    def _note(self, venue: str, key: str) -> None:
        marked = self._marked
        assert marked is not None
        if self._at < len(marked):  # applied again after going back: the same one
            marked[self._at] = (venue, key)
        else:
            marked.append((venue, key))
        self._at += 1

    def _problem(self, message: str) -> None:
        self._halt.halt(message)


def _snapshot(order: Order) -> tuple[Any, ...]:
    return (
        order.status,
        order.filled_qty,
        order.filled_value,
        order.ts_last,
        order._before_pending,
        order.venue_order_id,
    )


def _restore(order: Order, saved: tuple[Any, ...] | None) -> None:
    """Undo a fill that was not applied after all (a duplicate the store knew, a write that
    failed): the order as it was, not a new transition."""
    if saved is not None:
        (
            order.status,
            order.filled_qty,
            order.filled_value,
            order.ts_last,
            order._before_pending,
            order.venue_order_id,
        ) = saved
