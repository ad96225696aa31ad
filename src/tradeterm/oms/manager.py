"""The order manager: tracks every order from command to terminal state, exactly once.

A thin facade over parts that each own their state:

* ``registry.OrderRegistry``: the orders in memory (working, recently finished, by instrument,
  risk's exposure); every change to an order goes through it.
* ``entry.OrderEntry``: submit (track before send, idempotent by client order id), cancel,
  modify (native, or ``replace.CancelReplace``).
* ``order_events.VenueEventHandler``: the venue's events, through the state table.
* ``fills.FillApplier``: each fill exactly once, durable with its order and position.
* ``outcomes.OutcomeResolver`` + ``settle.Settlement``: every order awaiting an answer is
  watched; without one in time it is settled by the venue's record, never guessed.

The public methods are what the desk, the kernel, reconciliation, the quoter's gateway and the
tests use; they only delegate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import RingView, WorkingOrdersView
from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.oms.adopt import adopt_external
from tradeterm.oms.entry import OrderEntry
from tradeterm.oms.fills import FillApplier
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.order_events import VenueEventHandler
from tradeterm.oms.outcomes import Asked, InFlight, OutcomeResolver
from tradeterm.oms.ports import PostTrade, ReplacementSender, TradingHalt
from tradeterm.oms.registry import Held, OrderRegistry
from tradeterm.oms.registry_history import RegistryHistory
from tradeterm.oms.replace import CancelReplace
from tradeterm.oms.settle import Settlement
from tradeterm.oms.store_port import OrderStore
from tradeterm.portfolio.position import Position

if TYPE_CHECKING:
    from tradeterm.venues.base import ExecutionClient

TIMER = "oms.inflight"
FLUSH_TIMER = "oms.flush"


class Ledger(Protocol):
    """Where fills go (implemented by the portfolio)."""

    @property
    def instruments(self) -> Mapping[str, Instrument]: ...  # to say a fill in trader's units

    def with_fill(self, fill: OrderFilled, base: Position | None = None) -> Position: ...
    def commit(self, pos: Position, ts: int) -> None: ...


@dataclass(frozen=True, slots=True)
class OmsState:
    """The OMS as ``OrderManager.snapshot`` found it."""

    registry: int  # RegistryHistory checkpoint number
    fills: tuple[int, int]  # FillApplier.mark
    watched: tuple[dict[str, InFlight], dict[str, int]]  # OutcomeResolver.snapshot


class OrderManager:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        store: OrderStore,
        venues: dict[str, ExecutionClient],
        ids: ClientOrderIds,
        ledger: Ledger,
        view: WorkingOrdersView,
        fills_view: RingView[OrderFilled],
        ack_timeout_ns: int,
        query_retry_ns: int,
        max_query_attempts: int,
        flush_interval_ns: int,
        halt: TradingHalt,
        replacement_sender: ReplacementSender,
        post_trade: PostTrade,
    ) -> None:
        self.clock = clock
        self.store = store
        self.venues = venues
        self.flush_interval_ns = flush_interval_ns
        self.registry = OrderRegistry(view, store)
        self.history: RegistryHistory | None = None  # a replay's checkpoints, once asked
        self.fills = FillApplier(self.registry, store, ledger, fills_view, venues, halt, post_trade)
        self.settlement = Settlement(clock, self.registry, self.fills, store, halt)
        self.resolver = OutcomeResolver(
            clock,
            self.registry,
            venues,
            self.settlement,
            ack_timeout_ns,
            query_retry_ns,
            max_query_attempts,
            halt,
        )
        self.replacements = CancelReplace(clock, ids, replacement_sender)
        self.entry = OrderEntry(
            bus, clock, store, venues, ids, self.registry, self.resolver, self.replacements, halt
        )
        self.events = VenueEventHandler(self.registry, self.fills, self.resolver, self.replacements)
        self.resolver.unsent = self.entry.unsent
        self.registry.watchers += [self.resolver.follow, self.replacements.follow]
        self.fills.on_late_fill = self.resolver.mark_uncertain
        self.settlement.cancel_again = self.entry.cancel
        self.on_order_event = self.events.on_event  # the bus handler (one object: unsubscribe)
        # the store (and how it makes writes durable) is built before the desk: a failed fsync
        # is reported here from now on
        store.durability.on_problem = halt.halt
        for venue in venues:
            bus.subscribe(topics.orders(venue), self.on_order_event)

    # --- start / stop ------------------------------------------------------------------------
    def start_timers(self) -> None:
        now = self.clock.timestamp_ns()
        self.clock.set_timer(
            TIMER, max(self.resolver.ack_timeout_ns // 4, 1), self.resolver.check, now
        )
        if self.store.buffers_writes:  # a store in dicts keeps every change at once
            self.clock.set_timer(
                FLUSH_TIMER, self.flush_interval_ns, lambda _ts: self.store.flush(), now
            )

    def stop_timers(self) -> None:
        self.clock.cancel_timer(TIMER)
        self.clock.cancel_timer(FLUSH_TIMER)
        self.resolver.stop()

    def load(self, orders: list[tuple[Order, str]], known_trade_ids: dict[str, set[str]]) -> None:
        """Open orders and recent trade ids from the store (at start)."""
        now = self.clock.timestamp_ns()
        for order, venue in orders:
            order.requests_unknown()  # until reconciliation gives the venue's record
            # when it went is not stored: as late as the process that sent it lived, so the
            # venue's receive window is counted from now (an order's record reaches the disk
            # before it is sent, and that can be long before)
            order.ts_sent = now
            self.registry.track(order, venue)
        for venue, keys in known_trade_ids.items():
            self.fills.know(venue, keys)

    # --- what the desk, risk and the UI read -------------------------------------------------
    @property
    def working(self) -> dict[str, Order]:
        """Client order id -> working order (the blotter's view; read-only for callers)."""
        return self.registry.working

    @property
    def venue_of(self) -> Mapping[str, str]:
        return self.registry.venues

    @property
    def inflight(self) -> Mapping[str, InFlight]:
        return self.resolver.inflight

    @property
    def fills_applied(self) -> int:
        return self.fills.applied

    @property
    def duplicates_ignored(self) -> int:
        return self.entry.duplicates_ignored

    def working_count(self) -> int:
        return self.registry.count()

    def exposure(self, instrument: str) -> tuple[int, int, int | None, int | None]:
        return self.registry.exposure(instrument)

    def has_working(self, instrument: str) -> bool:
        return self.registry.has_working(instrument)

    def get(self, client_order_id: str) -> Order | None:
        return self.registry.get(client_order_id)

    def known_id(self, client_order_id: str) -> Order | None:
        return self.entry.known_id(client_order_id)

    # --- commands (risk has already passed them) ---------------------------------------------
    def submit(self, cmd: SubmitOrder) -> Order:
        return self.entry.submit(cmd)

    def takes_lists(self, instrument: str) -> bool:
        return self.entry.takes_lists(instrument)

    def amends_in_place(self, instrument: str) -> bool:
        return self.entry.amends_in_place(instrument)

    def submit_list(self, list_id: str, cmds: list[SubmitOrder]) -> list[Order]:
        return self.entry.submit_list(list_id, cmds)

    def cancel(self, client_order_id: str, reason: str = "") -> bool:
        return self.entry.cancel(client_order_id)

    def cancel_all(self, instrument: str | None = None, side: Side | None = None) -> int:
        return self.entry.cancel_all(instrument, side)

    def modify(self, cmd: ModifyOrder) -> bool:
        return self.entry.modify(cmd)

    def cancel_unsent(self) -> int:
        return self.entry.cancel_unsent()

    def drop_replacement(self, client_order_id: str) -> None:
        """A cancel-replace in flight becomes a plain cancel (the quoter re-quotes by itself)."""
        self.replacements.drop(client_order_id)

    # --- a recorded session's orders (a plain replay) -----------------------------------------
    def track_recorded(self, cmd: SubmitOrder) -> Order:
        """Show an order the recorded session sent (``OrderEntry.recorded``): nothing is sent."""
        return self.entry.recorded(cmd)

    def answers_recorded(self) -> None:
        """A plain replay: the venue's answers are the recording's, which holds what followed a
        refused request or a late answer; no query goes to a venue (``OutcomeResolver``)."""
        self.resolver.asks_venue = False

    @contextmanager
    def answering_from_records(self) -> Iterator[None]:
        """Meanwhile the venue's answers handed to the OMS are recorded ones (a ``--paper``
        replay's rebuild, the recorder's copy of a replay's rebuild): as in a plain replay, the
        records hold what followed a refused request, and no query goes to a venue."""
        asks = self.resolver.asks_venue
        self.resolver.asks_venue = False
        try:
            yield
        finally:
            self.resolver.asks_venue = asks

    def forget(self) -> None:
        """Forget every order and fill, in memory and in the store (which must be in memory:
        ``Store.forget_trading``): a plain replay rewinds its recorded session's trading."""
        self.store.forget_trading()
        self.registry.forget()
        self.fills.forget()
        self.resolver.forget()
        if self.history is not None:
            self.history.close()
            self.history = None

    def resume(
        self,
        held: Mapping[str, Held],
        working: list[str],
        recent: list[str],
        remembered: int,
        known: Iterable[tuple[str, str]],
        applied: int,
        watched: tuple[dict[str, InFlight], dict[str, int]],
    ) -> None:
        """As ``forget``, then the orders held, the fills known ((venue, trade-id key)) and
        counted, the orders under watch of an own-state frame (a plain replay resuming its
        recorded session's trading there: ``oms/own_state.py``; its orders fresh, held as they
        are); checkpoints start again."""
        self.forget()
        self.registry.refill(held, tuple(working), recent, remembered, fresh=True)
        self.fills.resume(known, applied)
        self.resolver.restore(watched)

    def detach(self) -> tuple[RegistryHistory | None, tuple[Any, ...]]:
        """Hand over the checkpoints (the registry's history, the fills known with theirs):
        a chain of them a replay may come back to (``attach``); none from now on. The
        store hands over its own (``MemoryStore.detach_trading``)."""
        history, self.history = self.history, None
        if history is not None:
            history.close()
        return history, self.fills.detach()

    def attach(self, held: tuple[RegistryHistory | None, tuple[Any, ...]]) -> None:
        """The checkpoints ``detach`` handed over, instead of those taken since: ``restore``
        one of them next."""
        if self.history is not None:
            self.history.close()
        self.history, fills = held
        if self.history is not None:
            self.history.open()
        self.fills.attach(fills)

    def snapshot(self) -> OmsState:
        """A new checkpoint of the orders, the fills applied and the orders under watch (a
        plain replay's checkpoint of its recorded session's trading, after the last one: the
        orders as what changed since, ``RegistryHistory``). The store keeps its own
        (``MemoryStore.mark``)."""
        if self.history is None:
            self.history = RegistryHistory(self.registry)
        number = self.history.take()
        return OmsState(number, self.fills.mark(), self.resolver.snapshot())

    def reached(self, state: OmsState) -> None:
        """The records applied since the checkpoint it stands at made ``state`` again."""
        assert self.history is not None
        self.history.reached(state.registry)

    def restore(self, state: OmsState) -> None:
        """Back or forward to ``state``: its orders held again, the fills applied after it
        unknown again (before it, known)."""
        assert self.history is not None
        self.history.go_to(state.registry)
        self.fills.go_to(state.fills)
        self.resolver.restore(state.watched)

    # --- venue news and reconciliation -------------------------------------------------------
    def apply_fill(self, fill: OrderFilled, venue: str | None = None) -> bool:
        return self.fills.apply(fill, venue)

    def ask(self) -> Asked:
        """Take it just before asking the venue; hand it to ``apply_report`` with the answer
        (an answer older than news or requests about the order is not taken for the truth)."""
        return self.resolver.ask()

    async def apply_report(
        self,
        order: Order,
        report: OrderStatusReport | None,
        venue: ExecutionClient,
        asked: Asked | None = None,
    ) -> str:
        return await self.resolver.settle(order, report, venue, asked)

    def take_terms(
        self, order: Order, report: OrderStatusReport, asked: Asked | None = None
    ) -> None:
        """The venue's terms of ``order`` before its missed fills are applied (reconciliation),
        unless a newer request about it went out after ``asked``."""
        if not order.is_terminal and not self.resolver.newer_than(order.client_order_id, asked):
            self.settlement.take_terms(order, report)

    def mark_all_uncertain(self, venue: str) -> None:
        self.resolver.mark_all_uncertain(venue)

    def adopt(self, report: OrderStatusReport, venue: str) -> Order:
        """Take over a working order we did not place (EXTERNAL). The listing it came from may
        be older than what happened to it since: it is looked up once more."""
        known = self.registry.get(report.client_order_id)
        if known is not None:  # adopted already (two reconciliations overlapped)
            return known
        order = adopt_external(report, venue, self.store, self.registry, self.clock.timestamp_ns())
        if not order.is_terminal:
            self.resolver.mark_uncertain(order)
        return order
