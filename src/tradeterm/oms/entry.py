"""Requests to the venue (risk has already passed them): submit, cancel, modify.

* **Track before send.** A new order is written to the store (status SUBMITTED: "may have been
  sent") and is on disk before the venue sees it (``durability.after``: the fsync may run on
  its own thread while the loop goes on); a store that cannot record it means it is never
  sent. An order canceled while its record is on the way to the disk is canceled here and
  never sent (the kill switch cancels every such order), and its ``OrderCanceled`` (reason
  ``NOT_SENT``) goes out on the venue's order topic like any other, so the quoter, the journal
  and the screen hear of it; one modified then is modified once it went (the modify waits
  behind the send).
* **Idempotent.** A client order id is used once: a command that repeats a known id returns the
  existing order and sends nothing.
* **Never raises on a venue's answer.** The order is marked as awaiting an answer *before* the
  venue is called (an in-process venue answers from inside the call), and a venue that raises
  leaves the order uncertain, to be settled by a query, never guessed and never an exception
  for the caller (the UI, the quoter).
* **Modify** is native where ``ExecutionClient.modify_order`` returns True, else cancel-replace
  (``replace.py``); both work before the ack, as on every real venue.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.commands import ModifyOrder, SubmitOrder
from tradeterm.domain.events import OrderCanceled
from tradeterm.domain.market import Side
from tradeterm.domain.orders import IllegalTransition, Order, OrderStatus
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.outcomes import OutcomeResolver
from tradeterm.oms.ports import TradingHalt
from tradeterm.oms.reasons import NOT_SENT, STORE_ERROR
from tradeterm.oms.registry import OrderRegistry
from tradeterm.oms.replace import CancelReplace
from tradeterm.oms.store_port import OrderStore

if TYPE_CHECKING:
    from tradeterm.venues.base import ExecutionClient

log = logging.getLogger("tradeterm.oms.manager")

S = OrderStatus


class OrderEntry:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        store: OrderStore,
        venues: Mapping[str, ExecutionClient],
        ids: ClientOrderIds,
        registry: OrderRegistry,
        resolver: OutcomeResolver,
        replacements: CancelReplace,
        halt: TradingHalt,
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._store = store
        self._venues = venues
        self._ids = ids
        self._registry = registry
        self._resolver = resolver
        self._replacements = replacements
        self._submitted: set[str] = set()  # every id sent by this session
        # recorded, waiting for the disk before it is sent (the outcome resolver reads it: an
        # order's answer is awaited only once it went; only this class changes it)
        self.unsent: set[str] = set()
        self._modify_waiting: set[str] = set()  # a modify of an unsent order, to go after it
        self.duplicates_ignored = 0
        self._halt = halt

    def known_id(self, client_order_id: str) -> Order | None:
        """The order already using this id, or None if the id is free."""
        order = self._registry.get(client_order_id)
        if order is not None:
            return order
        if client_order_id in self._submitted or (
            not client_order_id.startswith(self._ids.session_prefix)
            and self._store.has_order(client_order_id)
        ):
            return self._store.load_order(client_order_id) or Order(
                client_order_id, "", Side.BUY, 0, status=S.REJECTED
            )
        return None

    def submit(self, cmd: SubmitOrder) -> Order:
        """Persist, then send. A repeated client order id sends nothing and returns the order
        that already has it."""
        existing = self.known_id(cmd.client_order_id)
        if existing is not None:
            self.duplicates_ignored += 1
            log.warning("order %s was already submitted: not sending it again", cmd.client_order_id)
            return existing
        venue_name = cmd.instrument.split(":", 1)[0]
        venue = self._venues[venue_name]
        order = self._record([cmd], venue_name)[0]
        if not order.is_terminal:
            self._store.durability.after(lambda: self._send(order, venue))
        return order

    def takes_lists(self, instrument: str) -> bool:
        """The venue of ``instrument`` keeps order lists (OCO) itself."""
        venue = self._venues.get(instrument.split(":", 1)[0])
        return venue is not None and venue.native_order_lists

    def amends_in_place(self, instrument: str) -> bool:
        """The venue of ``instrument`` amends an order in place (else a modify cancel-replaces)."""
        venue = self._venues.get(instrument.split(":", 1)[0])
        return venue is not None and venue.amends_in_place

    def submit_list(self, list_id: str, cmds: list[SubmitOrder]) -> list[Order]:
        """Persist every order of a venue order list (``list_id``: the list's client id), then
        send them as one list (``ExecutionClient.submit_order_list``). A list one of whose ids
        is known sends nothing and returns the orders that have them."""
        known = [self.known_id(cmd.client_order_id) for cmd in cmds]
        if any(o is not None for o in known):
            self.duplicates_ignored += 1
            log.warning("order list %s was already submitted: not sending it again", list_id)
            return [o or self._lost(cmd) for o, cmd in zip(known, cmds, strict=True)]
        venue_name = cmds[0].instrument.split(":", 1)[0]
        venue = self._venues[venue_name]
        orders = self._record(cmds, venue_name)
        if not any(o.is_terminal for o in orders):
            self._store.durability.after(lambda: self._send_list(list_id, orders, venue))
        return orders

    @staticmethod
    def _lost(cmd: SubmitOrder) -> Order:
        return Order(cmd.client_order_id, cmd.instrument, cmd.side, 0, status=S.REJECTED)

    def _record(self, cmds: list[SubmitOrder], venue_name: str) -> list[Order]:
        """New orders, tracked and in the store (SUBMITTED: "may have been sent"), waiting for
        the disk before they are sent; a store that cannot record them rejects them all."""
        now = self._clock.timestamp_ns()
        orders = [order_for(cmd, now) for cmd in cmds]
        written: list[Order] = []
        try:
            for order in orders:
                self._store.insert_order(order, venue_name, self._ids.session)
                written.append(order)
        except Exception as exc:  # nothing was sent: the orders die here, loudly
            self._unrecorded(orders, written, exc, now)
            return orders
        for order in orders:
            self._submitted.add(order.client_order_id)
            self.unsent.add(order.client_order_id)
            self._registry.track(order, venue_name)
        return orders

    def _unrecorded(
        self, orders: list[Order], written: list[Order], exc: Exception, now: int
    ) -> None:
        """The store failed to record ``orders`` (all of one list): none is sent. One written
        before another's write failed ends ``NOT_SENT`` in its row too (an open row would be
        an order the next start looks for at the venue); the rest end ``STORE_ERROR``."""
        for order in orders:
            recorded = any(order is w for w in written)
            order.reason = NOT_SENT if recorded else STORE_ERROR
            order.transition(S.CANCELED if recorded else S.REJECTED, now)
        try:
            for order in written:
                self._store.note_order(order)
            if written:
                self._store.flush()
        except Exception as again:
            log.error(
                "order %s: its record stays open (%s); the next start finds it never placed",
                ", ".join(o.client_order_id for o in written),
                again,
            )
        log.error(
            "order %s not sent: the store could not record it (%s)",
            ", ".join(o.client_order_id for o in orders),
            exc,
        )
        self._problem(f"store write failed: {exc}")

    def recorded(self, cmd: SubmitOrder) -> Order:
        """An order a recorded session sent, as a plain replay of it shows it (the blotter):
        tracked as sent at the command's time; nothing goes to the venue."""
        venue_name = cmd.instrument.split(":", 1)[0]
        order = order_for(cmd, cmd.ts)
        self._store.insert_order(order, venue_name, self._ids.session)
        self._registry.track(order, venue_name)
        return order

    def _send(self, order: Order, venue: ExecutionClient) -> None:
        """The order's record is on disk: send it, unless it was canceled meanwhile."""
        if order.client_order_id not in self.unsent:
            return
        self.unsent.discard(order.client_order_id)
        if order.is_terminal:  # settled meanwhile (a disk slower than the ack timeout)
            log.warning(
                "order %s not sent: it was settled as %s (%s) while its record was on "
                "the way to the disk",
                order.client_order_id,
                order.status.value,
                order.reason,
            )
            return
        order.ts_sent = self._clock.timestamp_ns()
        self._resolver.follow(order)  # the answer is awaited from now
        try:
            venue.submit_order(order)
        except Exception as exc:  # the venue may or may not have it: find out, never guess
            log.error("sending order %s failed (%s): asking the venue", order.client_order_id, exc)
            self._resolver.mark_uncertain(order)

    def _send_list(self, list_id: str, orders: list[Order], venue: ExecutionClient) -> None:
        """The list's records are on disk: send it whole, or (one of its orders canceled
        meanwhile) cancel the rest here too: never a part of a list."""
        if any(o.client_order_id not in self.unsent or o.is_terminal for o in orders):
            for order in orders:
                self.cancel(order.client_order_id)  # unsent: it ends here, NOT_SENT
            return
        now = self._clock.timestamp_ns()
        for order in orders:
            self.unsent.discard(order.client_order_id)
            order.ts_sent = now
            self._resolver.follow(order)
        try:
            venue.submit_order_list(orders, list_id)
        except Exception as exc:  # the venue may or may not have it: find out, never guess
            log.error("sending order list %s failed (%s): asking the venue", list_id, exc)
            for order in orders:
                self._resolver.mark_uncertain(order)

    def cancel(self, client_order_id: str) -> bool:
        """Ask the venue to cancel. False if the order is not working (unknown or done)."""
        order = self._registry.working.get(client_order_id)
        if order is None:
            return False
        if order.status is S.PENDING_CANCEL:
            return True  # already asked
        if client_order_id in self.unsent:  # the venue never saw it: it ends here
            self.unsent.discard(client_order_id)
            now = self._clock.timestamp_ns()
            order.reason = NOT_SENT
            order.transition(S.CANCELED, now)
            self._registry.changed(order)
            log.info(
                "order %s canceled before it was sent (its record was on the way to the disk)",
                client_order_id,
            )
            venue = self._registry.venue_of(client_order_id) or ""
            self._bus.publish(
                topics.orders(venue),
                OrderCanceled(now, now, client_order_id, order.instrument, NOT_SENT),
            )
            return True
        try:
            order.transition(S.PENDING_CANCEL, self._clock.timestamp_ns())
        except IllegalTransition as exc:
            log.warning("cannot cancel %s now: %s", client_order_id, exc)
            return False
        self._resolver.note_request(order)
        self._registry.changed(order)
        try:
            self._venue(order).cancel_order(order)
        except Exception as exc:
            log.error("cancel of %s failed to send (%s): asking the venue", client_order_id, exc)
            self._resolver.mark_uncertain(order)
        return True

    def cancel_unsent(self) -> int:
        """Cancel every order still waiting for the disk (a halt that leaves the working orders
        at the venue still sends nothing new)."""
        return sum(self.cancel(coid) for coid in sorted(self.unsent))

    def cancel_all(self, instrument: str | None = None, side: Side | None = None) -> int:
        """Cancel every working order, or those of one instrument and/or side."""
        todo = [
            o.client_order_id
            for o in self._registry.working.values()
            if (instrument is None or o.instrument == instrument)
            and (side is None or o.side is side)
        ]
        return sum(self.cancel(coid) for coid in todo)

    def modify(self, cmd: ModifyOrder) -> bool:
        """Native modify where the venue has one, else cancel-replace (the replacement goes out
        once the cancel is confirmed, sized to what is left). False if the order is not
        working or a modify or cancel of it is still unanswered."""
        coid = cmd.client_order_id
        if coid in self.unsent and coid in self._registry.working:  # it goes once the order went
            if coid in self._modify_waiting:
                return False  # one is already waiting: as if it were unanswered
            self._modify_waiting.add(coid)
            self._store.durability.after(lambda: self._modify_when_sent(cmd))
            return True
        return self._modify_sent(cmd)

    def _modify_when_sent(self, cmd: ModifyOrder) -> None:
        self._modify_waiting.discard(cmd.client_order_id)
        self._modify_sent(cmd)

    def _modify_sent(self, cmd: ModifyOrder) -> bool:
        coid = cmd.client_order_id
        order = self._registry.working.get(coid)
        if order is None or order.status in (S.PENDING_CANCEL, S.PENDING_UPDATE):
            return False
        venue = self._venue(order)
        now = self._clock.timestamp_ns()
        try:
            # pending before the venue is called: an in-process venue may answer from inside
            # the call (OrderModified), and that answer must find the order pending
            order.request_modify(cmd.qty, now)
        except IllegalTransition as exc:
            log.warning("cannot modify %s now: %s", coid, exc)
            return False
        self._resolver.note_request(order)
        self._registry.changed(order)
        try:
            native = venue.modify_order(order, cmd.price, cmd.qty)
        except Exception as exc:  # it may or may not have gone: the venue's record will say
            log.error("modify of %s failed to send (%s): asking the venue", coid, exc)
            self._resolver.mark_uncertain(order)
            return True
        if native:
            return True
        if order.status is S.PENDING_UPDATE:  # nothing was sent: cancel-replace instead
            order.revert_pending(now)
            self._registry.changed(order)
        self._replacements.expect(coid, cmd)
        if not self.cancel(coid):
            self._replacements.drop(coid)
            return False
        return True

    def _venue(self, order: Order) -> ExecutionClient:
        return self._venues[self._registry.venue_of(order.client_order_id) or ""]

    def _problem(self, message: str) -> None:
        self._halt.halt(message)


def order_for(cmd: SubmitOrder, now: int) -> Order:
    """The order ``cmd`` asks for, SUBMITTED at ``now``."""
    order = Order(
        cmd.client_order_id,
        cmd.instrument,
        cmd.side,
        cmd.qty,
        cmd.order_type,
        cmd.price,
        cmd.trigger_price,
        cmd.tif,
        cmd.post_only,
        cmd.reduce_only,
        cmd.display_qty,
        cmd.expire_ns,
        ts_created=now,
        ts_last=now,
    )
    order.source = cmd.source
    order.transition(S.SUBMITTED, now)
    return order
