"""The order emulator: contingent orders the engine holds for venues that cannot (stops,
stop-limits, trailing stops, OCO, brackets; NautilusTrader's ``OrderEmulator`` is the idea).

* **Held, durable first.** A new held order (with its parent and legs) is written to the store
  (``Store.held``) before the caller hears of it; every later change too (``held_journal``).
* **Triggered on the engine's clock, in every mode.** It listens to the same bus as everything
  else: trades (``last``) and books (``mid``), the simulated market in ``paper``, the
  recording in ``replay --paper``, the venue's feed in ``live``. Nothing triggers while trading
  is HALTED. When a trigger is reached the order goes out under the held order's own id through
  the desk (``ports.HeldOrderSender``: pre-trade risk first; a denial ends the held order with
  risk's reason). One id, one order, ever: the OMS sends nothing for an id it knows.
* **Followed to the end.** The OMS registry tells the emulator of every change to the orders it
  sent (fills, ends); ``held_groups`` says what follows for an OCO or a bracket.
* **Restored** after a restart (``restore``): the open groups are read back, each held order is
  armed again against the market as it is now, and an order sent before the restart is followed
  again (or its end, if it ended meanwhile, is applied). A ``--paper`` replay going back
  (``rewind``) restores the same way the groups open at its target, as they were there.
* **Cancelled by the kill switch** (``on_trip``), and by the trader by id like any order.
* **Or the venue's own.** An OCO the venue keeps as an order list (``held_lists``) is sent as
  one, durable first; from then the emulator only follows its legs' orders.

Work is done one step at a time: an order event the emulator's own request causes (a simulated
venue answers from inside the call) waits until the step that caused it has finished.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from functools import partial

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews
from tradeterm.domain.commands import HoldBracket, HoldOco, HoldOrder, ModifyOrder
from tradeterm.domain.events import KillSwitchTripped
from tradeterm.domain.held import HeldKind, HeldLeg, HeldOrder, HeldState, TrailRef
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, Trade
from tradeterm.domain.orders import Order
from tradeterm.oms.held_book import HeldBook
from tradeterm.oms.held_groups import HeldGroups
from tradeterm.oms.held_journal import HeldJournal
from tradeterm.oms.held_lists import OrderLists
from tradeterm.oms.held_triggers import follow, mid, reached, trail_trigger
from tradeterm.oms.ports import HeldSender
from tradeterm.oms.reasons import HELD_CANCELED, HELD_KILL_SWITCH, WOULD_TRIGGER
from tradeterm.oms.store_port import OrderStore

log = logging.getLogger("tradeterm.held")
S = HeldState


class HeldRefused(Exception):
    """A held order the emulator will not take (or change), with the code and the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class OrderEmulator:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        store: OrderStore,
        views: EngineViews,
        sender: HeldSender,
        order_of: Callable[[str], Order | None],
        cancel_order: Callable[[str], bool],
        halted: Callable[[], bool],
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.views = views
        self.order_of = order_of
        self.halted = halted
        self.book = HeldBook(views.held)
        self.journal = HeldJournal(store, bus, clock, self.book)
        self.groups = HeldGroups(clock, self.book, self.journal, sender, cancel_order)
        self.lists = OrderLists(clock, self.journal, sender)
        self._store = store
        self._queue: deque[Callable[[], None]] = deque()
        self._busy = False
        self._listening = False
        self._stopped = False

    def stop(self) -> None:
        """The session is stopping: what happens to the orders it sent from here on (cancelled
        on exit) is applied to its held orders at the next start, not while shutting down."""
        self._stopped = True

    # --- one step at a time ----------------------------------------------------------------
    def _step(self, work: Callable[[], None]) -> None:
        if self._stopped:
            return
        if self._busy:
            self._queue.append(work)
            return
        self._busy = True
        try:
            work()
            while self._queue:
                self._queue.popleft()()
        finally:
            self._busy = False

    def _listen(self) -> None:
        """Market data from the first held order on (a session without any pays nothing)."""
        if not self._listening:
            self._listening = True
            self.bus.subscribe("trade.*", self.on_market)
            self.bus.subscribe("book.*", self.on_market)

    # --- the trader's requests ---------------------------------------------------------------
    def holds(self, held_id: str) -> bool:
        """``held_id`` is a held order (or parent) the trader can cancel or modify here."""
        held = self.book.get(held_id)
        return held is not None and held.state in (S.HELD, S.TRIGGERED)

    def place(self, cmd: HoldOrder | HoldOco | HoldBracket) -> HeldOrder:
        """Take a held order: durable before it returns; a leg that goes to the venue at once
        (an OCO's limit, a bracket's entry) is sent. Raises HeldRefused."""
        records = self._records(cmd)
        for held in records:
            self._check_trigger(held)
        self._step(lambda: self._place(records))
        return records[0]

    def _place(self, records: list[HeldOrder]) -> None:
        if self.lists.takes(records):  # the venue keeps it: sent as its order list
            for leg in self.lists.place(records):
                self.groups.ended(leg)
            return
        for held in records:
            if held.kind is HeldKind.TRAIL:
                ref = self._reference(held)
                if ref is not None:
                    follow(held, ref)
        self.journal.record(*records)
        self._listen()
        parent = records[0]
        for leg in records[1:]:
            if parent.kind is HeldKind.OCO and leg.kind is HeldKind.LIMIT:
                self._send_now(parent, leg)
            elif leg.role == "entry":
                self._send_now(parent, leg)

    def _send_now(self, parent: HeldOrder, leg: HeldOrder) -> None:
        if parent.is_terminal or leg.state is not S.HELD:
            return
        result = self.groups.release(leg, leg.qty)
        if isinstance(result, str) and not parent.is_terminal:
            self.groups.cancel_group(parent, f"{leg.held_id} denied: {result}")

    def cancel(self, held_id: str, reason: str = HELD_CANCELED) -> bool:
        """Cancel a held order by id: a parent with its legs; a leg of an OCO (or a bracket's
        exit) with its OCO. False if it is not held (a leg at the venue is cancelled there)."""
        if not self.holds(held_id):
            return False
        self._step(lambda: self._cancel(held_id, reason))
        return True

    def _cancel(self, held_id: str, reason: str) -> None:
        held = self.book.get(held_id)
        if held is None or held.is_terminal:
            return
        parent = self.book.parent(held)
        if held.kind in (HeldKind.OCO, HeldKind.BRACKET):
            self.groups.cancel_group(held, reason)
        elif parent is not None and parent.kind is HeldKind.OCO:
            self.groups.cancel_group(parent, reason)
        elif parent is not None:  # a bracket's exit: both exits; the entry stays
            for leg in self.book.exits(parent.held_id):
                self.groups.cancel_leg(leg, reason)
        else:
            self.groups.cancel_leg(held, reason)

    def cancel_all(
        self, reason: str, instrument: str | None = None, side: Side | None = None
    ) -> int:
        """Every held order (of ``instrument``, of ``side``); how many it cancelled."""
        chosen = [
            h
            for h in self.book.open_records()
            if not h.parent_id
            and h.state in (S.HELD, S.TRIGGERED)
            and (instrument is None or h.instrument == instrument)
            and (side is None or h.side is side)
        ]
        for held in chosen:
            self._step(partial(self._cancel, held.held_id, reason))
        return len(chosen)

    def modify(self, cmd: ModifyOrder) -> None:
        """A held stop's trigger (or a held limit's price) and size. Raises HeldRefused."""
        held = self.book.get(cmd.client_order_id)
        if (
            held is None
            or held.state is not S.HELD
            or held.kind in (HeldKind.OCO, HeldKind.BRACKET)
        ):
            raise HeldRefused("NOT_HELD", f"{cmd.client_order_id} is not a held order")
        if cmd.price is not None:
            if held.kind is HeldKind.TRAIL:
                raise HeldRefused("UNSUPPORTED", "a trailing stop's trigger follows the market")
            if held.kind is HeldKind.LIMIT:
                held.price = cmd.price
            else:
                old = held.trigger_price
                held.trigger_price = cmd.price
                try:
                    self._check_trigger(held)
                except HeldRefused:
                    held.trigger_price = old
                    raise
        if cmd.qty is not None:
            if held.role in ("tp", "sl"):
                raise HeldRefused("UNSUPPORTED", "a bracket's exits are sized by its entry")
            held.qty = cmd.qty
        self.journal.record(held)

    # --- the kill switch ---------------------------------------------------------------------
    def on_trip(self, event: KillSwitchTripped) -> None:
        """A trip that cancels orders cancels every held one too (their legs at the venue are
        cancelled with the other working orders); one that leaves orders working leaves them
        held, and nothing triggers while HALTED."""
        if event.cancel:
            n = self.cancel_all(f"{HELD_KILL_SWITCH}: {event.reason}")
            if n:
                log.warning("kill switch: %d held order(s) canceled", n)

    # --- market data ---------------------------------------------------------------------------
    def on_market(self, msg: object) -> None:
        if not isinstance(msg, (Trade, BookDelta, BookSnapshot)):
            return
        armed = self.book.armed_on(msg.instrument)
        if not armed or self.halted():
            return
        is_trade = isinstance(msg, Trade)
        for held in armed:
            if is_trade != (held.kind is not HeldKind.TRAIL or held.trail_ref is TrailRef.LAST):
                continue
            ref = msg.price if isinstance(msg, Trade) else self._reference(held)
            if ref is None:
                continue
            if follow(held, ref):
                self.journal.ratchet(held)
            if reached(held, ref):
                self._step(partial(self._trigger, held))

    def _trigger(self, held: HeldOrder) -> None:
        if held.armed and not self.halted():
            self.groups.triggered(held)

    def _reference(self, held: HeldOrder) -> int | None:
        if held.trail_ref is TrailRef.MID and held.kind is HeldKind.TRAIL:
            book = self.views.books.get(held.instrument)
            return None if book is None else mid(book.best_bid, book.best_ask, held.side)
        stats = self.views.stats.get(held.instrument)
        return None if stats is None else stats.last_price

    def _check_trigger(self, held: HeldOrder) -> None:
        if held.kind in (HeldKind.STOP, HeldKind.STOP_LIMIT):
            ref = self._reference(held)
            if ref is not None and reached(held, ref):
                raise HeldRefused(
                    WOULD_TRIGGER,
                    f"the stop's trigger {held.trigger_price} is already reached (last {ref})",
                )

    # --- the orders it sent --------------------------------------------------------------------
    def follow_order(self, order: Order) -> None:
        """An order changed (``OrderRegistry`` watcher): one of ours?"""
        if order.client_order_id in self.book:
            self._step(lambda: self._order_changed(order.client_order_id))

    def _order_changed(self, held_id: str) -> None:
        held = self.book.get(held_id)
        order = self.order_of(held_id)
        if held is None or order is None or held.state is not S.WORKING:
            return
        if order.filled_qty > held.filled:
            held.filled = order.filled_qty
            self.groups.filled(held)
        if order.is_terminal:
            self.journal.move(held, S.DONE, order.reason or order.status.value)
            self.groups.ended(held)

    # --- restart -------------------------------------------------------------------------------
    def restore(self) -> int:
        """The open groups from the store, armed against the market as it is now; orders sent
        before the restart followed again. Returns how many held orders are open."""
        records = self._store.held.load_open_groups()
        for held in records:
            self.book.add(held)
        if records:
            self._listen()
        self._step(lambda: self._resume(records))
        return len(self.book.open_records())

    def rewind(self, records: list[HeldOrder]) -> int:
        """A ``--paper`` replay went back: hold exactly ``records`` (every record of the groups
        open at the target, as they were there), restored as after a restart."""
        self._queue.clear()
        self.book.clear()
        self._store.held.replace_all(records)
        return self.restore()

    def _resume(self, records: list[HeldOrder]) -> None:
        for held in records:
            if held.state is S.WORKING:
                self._order_changed(held.held_id)
        for held in records:
            if held.state is S.TRIGGERED:
                self.groups.try_release(held)
            parent = self.book.parent(held)
            if parent is not None and parent.kind is HeldKind.BRACKET and held.role == "tp":
                entry = self.book.role(parent.held_id, "entry")
                if entry is not None and entry.is_terminal and held.state is S.HELD:
                    self.groups.ended(entry)  # the entry ended while we were down

    # --- building the records -------------------------------------------------------------------
    def _records(self, cmd: HoldOrder | HoldOco | HoldBracket) -> list[HeldOrder]:
        now = self.clock.timestamp_ns()
        if isinstance(cmd, HoldOrder):
            return [_leg(cmd.held_id, cmd.instrument, cmd.leg, "", "", cmd.source, now)]
        if isinstance(cmd, HoldOco):
            parent = HeldOrder(
                cmd.held_id, cmd.instrument, HeldKind.OCO, cmd.first.side, cmd.first.qty
            )
            parent.source, parent.ts_created = cmd.source, now
            first = _leg(
                cmd.first_id, cmd.instrument, cmd.first, cmd.held_id, "first", cmd.source, now
            )
            second = _leg(
                cmd.second_id, cmd.instrument, cmd.second, cmd.held_id, "second", cmd.source, now
            )
            return [parent, first, second]
        exit_side = Side.SELL if cmd.side is Side.BUY else Side.BUY
        kind = HeldKind.LIMIT if cmd.price is not None else HeldKind.MARKET
        legs = (
            (cmd.entry_id, "entry", HeldLeg(cmd.side, cmd.qty, kind, cmd.price)),
            (cmd.tp_id, "tp", HeldLeg(exit_side, 0, HeldKind.LIMIT, cmd.take_profit)),
            (cmd.sl_id, "sl", HeldLeg(exit_side, 0, HeldKind.STOP, None, cmd.stop_loss)),
        )
        parent = HeldOrder(cmd.held_id, cmd.instrument, HeldKind.BRACKET, cmd.side, cmd.qty)
        parent.price, parent.source, parent.ts_created = cmd.price, cmd.source, now
        return [parent] + [
            _leg(hid, cmd.instrument, leg, cmd.held_id, role, cmd.source, now)
            for hid, role, leg in legs
        ]


def _leg(
    held_id: str, instrument: str, leg: HeldLeg, parent: str, role: str, source: str, now: int
) -> HeldOrder:
    held = HeldOrder(
        held_id,
        instrument,
        leg.kind,
        leg.side,
        leg.qty,
        leg.price,
        leg.trigger_price,
        leg.trail,
        leg.trail_unit,
        leg.trail_ref,
        parent_id=parent,
        role=role,
        reduce_only=leg.reduce_only,
        source=source,
        ts_created=now,
    )
    if held.kind is HeldKind.TRAIL and held.extreme is not None:
        held.trigger_price = trail_trigger(held.side, held.extreme, held.trail, held.trail_unit)
    return held
