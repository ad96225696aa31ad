"""The order manager: tracks every order from command to terminal state, exactly once.

* **Track before send.** A new order is written to the store (status SUBMITTED: "may have been
  sent") before the venue sees it.
* **Idempotent.** A client order id is used once: a command that repeats a known id returns the
  existing order and sends nothing.
* **State machine.** Venue events move orders through ``domain.orders.TRANSITIONS``; an event
  that does not fit is logged and ignored, never applied halfway. Repeated acks, cancels and
  rejects are no-ops; fills are deduplicated by the venue's trade id (in memory, and by the
  store's unique key as a backstop).
* **In flight.** A submit, cancel or modify without an answer within ``ack_timeout`` makes the
  order *uncertain*; the OMS asks the venue about that order (``Venue.query_order``) and applies
  the answer (``outcomes.py``). It never guesses: until the venue answers, the order counts as
  working for risk.
* **Venue events** (``order_events.py``) and **fills** (``fills.py``): fills are applied
  through the ledger (the portfolio) in one durable transaction with the order and the
  position; only then is anyone told.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import RingView, WorkingOrdersView
from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.market import Side
from tradeterm.domain.orders import IllegalTransition, Order, OrderStatus
from tradeterm.oms.fills import FillApplication
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.order_events import OrderEventHandling
from tradeterm.oms.outcomes import InFlight, OutcomeResolution
from tradeterm.oms.store import Store
from tradeterm.portfolio.position import Position

if TYPE_CHECKING:
    from tradeterm.venues.base import Venue

log = logging.getLogger(__name__)

S = OrderStatus
TIMER = "oms.inflight"
FLUSH_TIMER = "oms.flush"
RECENT_TERMINAL = 2_000  # terminal orders kept in memory for late events and lookups


class Ledger(Protocol):
    """Where fills go (implemented by the portfolio)."""

    def with_fill(self, fill: OrderFilled) -> Position: ...
    def commit(self, pos: Position, ts: int) -> None: ...


class OrderManager(OrderEventHandling, FillApplication, OutcomeResolution):
    def __init__(self, bus: MessageBus, clock: Clock, store: Store, venues: dict[str, Venue],
                 ids: ClientOrderIds, ledger: Ledger, view: WorkingOrdersView,
                 fills_view: RingView, ack_timeout_ns: int, query_retry_ns: int,
                 max_query_attempts: int, flush_interval_ns: int) -> None:
        self.bus = bus
        self.clock = clock
        self.store = store
        self.venues = venues
        self.ids = ids
        self.ledger = ledger
        self.view = view
        self.working = view.orders  # client order id -> live order (the view's own dict)
        self.fills_view = fills_view
        self.ack_timeout_ns = ack_timeout_ns
        self.query_retry_ns = query_retry_ns
        self.max_query_attempts = max_query_attempts
        self.flush_interval_ns = flush_interval_ns
        self.inflight: dict[str, InFlight] = {}
        self.venue_of: dict[str, str] = {}  # client order id -> venue name
        self.recent: dict[str, Order] = {}  # terminal orders, most recent last
        self._recent_order: deque[str] = deque()
        self._submitted: set[str] = set()  # every id sent by this session
        self._trade_ids: dict[str, set[str]] = {v: set() for v in venues}
        self._by_instrument: dict[str, dict[str, Order]] = {}
        self._exposure: dict[str, tuple[int, int, int | None, int | None]] = {}
        self._replace: dict[str, ModifyOrder] = {}  # cancel-replace: old id -> the modify
        self._tasks: set[asyncio.Task] = set()
        self.on_replace: Callable[[SubmitOrder], Any] | None = None  # send via risk
        self.on_problem: Callable[[str], None] | None = None  # trips the kill switch
        self.on_fill: Callable[[OrderFilled], None] | None = None
        self.fills_applied = 0
        self.duplicates_ignored = 0
        for venue in venues:
            bus.subscribe(topics.orders(venue), self.on_order_event)

    # --- start / stop ----------------------------------------------------------------------
    def start_timers(self) -> None:
        now = self.clock.timestamp_ns()
        self.clock.set_timer(TIMER, max(self.ack_timeout_ns // 4, 1), self._check_inflight, now)
        self.clock.set_timer(FLUSH_TIMER, self.flush_interval_ns, lambda _ts: self.store.flush(),
                             now)

    def stop_timers(self) -> None:
        self.clock.cancel_timer(TIMER)
        self.clock.cancel_timer(FLUSH_TIMER)
        for task in list(self._tasks):
            task.cancel()

    def load(self, orders: list[tuple[Order, str]], known_trade_ids: dict[str, set[str]]) -> None:
        """Open orders and recent trade ids from the store (at start)."""
        for order, venue in orders:
            self._track(order, venue)
        for venue, ids in known_trade_ids.items():
            self._trade_ids.setdefault(venue, set()).update(ids)

    # --- risk's view of working orders (checks.WorkingOrders) ------------------------------
    def working_count(self) -> int:
        return len(self.working)

    def exposure(self, instrument: str) -> tuple[int, int, int | None, int | None]:
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

    def has_working(self, instrument: str) -> bool:
        return bool(self._by_instrument.get(instrument))

    def get(self, client_order_id: str) -> Order | None:
        return self.working.get(client_order_id) or self.recent.get(client_order_id)

    # --- commands (risk has already passed them) -------------------------------------------
    def known_id(self, client_order_id: str) -> Order | None:
        """The order already using this id, or None if the id is free."""
        order = self.get(client_order_id)
        if order is not None:
            return order
        if client_order_id in self._submitted or (
                not client_order_id.startswith(self.ids.session_prefix)
                and self.store.has_order(client_order_id)):
            return self.store.load_order(client_order_id) or Order(
                client_order_id, "", Side.BUY, 0, status=S.REJECTED)
        return None

    def submit(self, cmd: SubmitOrder) -> Order:
        """Persist, then send. A repeated client order id sends nothing and returns the order
        that already has it."""
        existing = self.known_id(cmd.client_order_id)
        if existing is not None:
            self.duplicates_ignored += 1
            log.warning("order %s was already submitted: not sending it again",
                        cmd.client_order_id)
            return existing
        venue_name = cmd.instrument.split(":", 1)[0]
        venue = self.venues[venue_name]
        now = self.clock.timestamp_ns()
        order = Order(cmd.client_order_id, cmd.instrument, cmd.side, cmd.qty, cmd.order_type,
                      cmd.price, cmd.trigger_price, cmd.tif, cmd.post_only, cmd.reduce_only,
                      cmd.display_qty, cmd.expire_ns, ts_created=now, ts_last=now)
        order.source = cmd.source
        order.transition(S.SUBMITTED, now)
        try:
            self.store.insert_order(order, venue_name, self.ids.session)
        except Exception as exc:  # nothing was sent: the order dies here, loudly
            order.status = S.REJECTED
            order.reason = "STORE_ERROR"
            log.error("order %s not sent: the store could not record it (%s)",
                      order.client_order_id, exc)
            self._problem(f"store write failed: {exc}")
            return order
        self._submitted.add(order.client_order_id)
        self._track(order, venue_name)
        self.inflight[order.client_order_id] = InFlight("submit", now + self.ack_timeout_ns)
        try:
            venue.submit_order(order)
        except Exception as exc:  # the venue may or may not have it: find out, never guess
            log.error("sending order %s failed (%s): asking the venue", order.client_order_id, exc)
            self._mark_uncertain(order, now)
        return order

    def cancel(self, client_order_id: str, reason: str = "") -> bool:
        """Ask the venue to cancel. False if the order is not working (unknown or done)."""
        order = self.working.get(client_order_id)
        if order is None:
            return False
        if order.status is S.PENDING_CANCEL:
            return True  # already asked
        now = self.clock.timestamp_ns()
        try:
            order.transition(S.PENDING_CANCEL, now)
        except IllegalTransition as exc:
            log.warning("cannot cancel %s now: %s", client_order_id, exc)
            return False
        self._changed(order)
        self.inflight[client_order_id] = InFlight("cancel", now + self.ack_timeout_ns)
        try:
            self.venues[self.venue_of[client_order_id]].cancel_order(order)
        except Exception as exc:
            log.error("cancel of %s failed to send (%s): asking the venue", client_order_id, exc)
            self._mark_uncertain(order, now)
        return True

    def cancel_all(self, instrument: str | None = None, side: Side | None = None) -> int:
        """Cancel every working order, or those of one instrument and/or side."""
        todo = [o.client_order_id for o in self.working.values()
                if (instrument is None or o.instrument == instrument)
                and (side is None or o.side is side)]
        return sum(self.cancel(coid) for coid in todo)

    def modify(self, cmd: ModifyOrder) -> bool:
        """Native modify where the venue has one, else cancel-replace (the replacement goes out
        through ``on_replace`` once the cancel is confirmed, sized to what is left)."""
        order = self.working.get(cmd.client_order_id)
        if order is None or order.status in (S.PENDING_CANCEL, S.PENDING_UPDATE):
            return False
        venue = self.venues[self.venue_of[cmd.client_order_id]]
        now = self.clock.timestamp_ns()
        # pending before the venue is called: an in-process venue may answer from inside the
        # call (OrderModified), and that answer must find the order pending, not be undone after
        order.transition(S.PENDING_UPDATE, now)
        self.inflight[cmd.client_order_id] = InFlight("modify", now + self.ack_timeout_ns)
        try:
            native = venue.modify_order(order, cmd.price, cmd.qty)
        except BaseException:
            self._undo_pending_modify(order, now)
            raise
        if native:
            self._changed(order)
            return True
        self._undo_pending_modify(order, now)
        self._replace[cmd.client_order_id] = cmd
        if not self.cancel(cmd.client_order_id):
            self._replace.pop(cmd.client_order_id, None)
            return False
        return True

    def _undo_pending_modify(self, order: Order, now: int) -> None:
        self.inflight.pop(order.client_order_id, None)
        if order.status is S.PENDING_UPDATE:
            order.revert_pending(now)

    def drop_replacement(self, client_order_id: str) -> None:
        """A cancel-replace in flight becomes a plain cancel (the quoter re-quotes by itself)."""
        self._replace.pop(client_order_id, None)

    # --- bookkeeping -----------------------------------------------------------------------
    def _track(self, order: Order, venue: str) -> None:
        self.working[order.client_order_id] = order
        self.venue_of[order.client_order_id] = venue
        self._by_instrument.setdefault(order.instrument, {})[order.client_order_id] = order
        self._exposure.pop(order.instrument, None)
        self.view.version += 1

    def _changed(self, order: Order, persist: bool = True) -> None:
        if persist:
            self.store.note_order(order)
        self._exposure.pop(order.instrument, None)
        self.view.version += 1

    def _finish(self, order: Order, persist: bool = True) -> None:
        coid = order.client_order_id
        self.working.pop(coid, None)
        self.inflight.pop(coid, None)
        self._by_instrument.get(order.instrument, {}).pop(coid, None)
        order.uncertain = False
        if coid not in self.recent:
            self.recent[coid] = order
            self._recent_order.append(coid)
            if len(self._recent_order) > RECENT_TERMINAL:
                self.recent.pop(self._recent_order.popleft(), None)
        self._changed(order, persist)

    def _problem(self, message: str) -> None:
        if self.on_problem is not None:
            self.on_problem(message)
