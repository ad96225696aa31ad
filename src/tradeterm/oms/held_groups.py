"""What follows for a held order's group when one of its legs fills, ends or triggers, and how a
leg is released (sent as an order with its own id, through risk).

The rules (Binance's OCO, applied to OCOs and a bracket's exits alike):

* **One cancels the other.** The first leg to fill, even partly, cancels the other (held: at
  once; working at the venue: a cancel request). A leg that triggers cancels the other too, and
  is sent only once the other is done at the venue, sized to what it left: the OCO's quantity
  less the other's fills. So the legs together never trade more than the OCO's quantity.
* **A leg cancelled or ended unfilled** by anything but its sibling (the trader, the venue)
  ends the OCO: the other leg is cancelled.
* **Brackets.** The entry goes to the venue at once; its exits wait. The stop-loss is armed
  with the first fill and always sized to what the entry has filled (less what the
  take-profit has sold); the take-profit goes to the venue, sized to the entry's fills, when the
  entry has ended (filled, or cancelled after a partial fill). From then the exits are an OCO.
  A stop-loss that triggers also cancels what is left of the entry, and is sent once the entry
  and the take-profit are done, for the entry's fills less the take-profit's: the exits never
  trade more than the entry filled. An entry that ends unfilled cancels its exits.
* A group whose parent has ended (cancelled by the trader or the kill switch) sends nothing more.
* An OCO the venue keeps as its order list (``held_lists``): the venue cancels the other leg;
  here a leg's fills are recorded and the OCO ends once both legs have.
"""

from __future__ import annotations

from collections.abc import Callable

from tradeterm.core.clock import Clock
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.held import HeldKind, HeldOrder, HeldState
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.oms.held_book import HeldBook
from tradeterm.oms.held_journal import HeldJournal
from tradeterm.oms.held_lists import sent_as_list
from tradeterm.oms.ports import HeldOrderSender
from tradeterm.oms.reasons import HELD_ENTRY_UNFILLED, HELD_NOTHING_LEFT, HELD_OCO

S = HeldState
ORDER_TYPES = {
    HeldKind.LIMIT: OrderType.LIMIT,
    HeldKind.STOP_LIMIT: OrderType.LIMIT,
    HeldKind.MARKET: OrderType.MARKET,
    HeldKind.STOP: OrderType.MARKET,
    HeldKind.TRAIL: OrderType.MARKET,
}


class HeldGroups:
    def __init__(
        self,
        clock: Clock,
        book: HeldBook,
        journal: HeldJournal,
        sender: HeldOrderSender,
        cancel_order: Callable[[str], bool],
    ) -> None:
        self.clock = clock
        self.book = book
        self.journal = journal
        self.sender = sender
        self.cancel_order = cancel_order

    # --- sending -----------------------------------------------------------------------------
    def release(self, held: HeldOrder, qty: int) -> Order | str:
        """Send ``held`` as an order of ``qty`` lots under its own id, through risk. WORKING,
        or DENIED with risk's reason."""
        order_type = ORDER_TYPES[held.kind]
        cmd = SubmitOrder(
            self.clock.timestamp_ns(),
            held.held_id,
            held.instrument,
            held.side,
            qty,
            order_type,
            held.price if order_type is OrderType.LIMIT else None,
            tif=TimeInForce.IOC if order_type is OrderType.MARKET else TimeInForce.GTC,
            reduce_only=held.reduce_only,
            source=held.source,
        )
        held.qty = qty
        result = self.sender.send_held(cmd)
        if isinstance(result, str):
            self.journal.move(held, S.DENIED, result)
            self.ended(held)
            return result
        held.filled = result.filled_qty
        if result.is_terminal:
            self.journal.move(held, S.DONE, result.reason or result.status.value)
            self.ended(held)
        else:
            self.journal.move(held, S.WORKING, "")
        return result

    def try_release(self, held: HeldOrder) -> None:
        """A triggered leg goes out once no leg it cancelled is still working at the venue,
        sized to what they left."""
        if held.state is not S.TRIGGERED:
            return
        parent = self.book.parent(held)
        if parent is not None and parent.is_terminal:
            self.journal.move(held, S.CANCELED, parent.reason)
            return
        others = self.book.others(held)
        if any(o.state is S.WORKING for o in others):
            return  # waiting for the venue to confirm their cancels
        qty = self._size(held, parent)
        if qty <= 0:
            self.journal.move(held, S.CANCELED, HELD_NOTHING_LEFT)
            self.ended(held)
            return
        self.release(held, qty)

    def _size(self, held: HeldOrder, parent: HeldOrder | None) -> int:
        if parent is None:
            return held.qty
        if parent.kind is HeldKind.BRACKET:
            entry = self.book.role(parent.held_id, "entry")
            tp = self.book.role(parent.held_id, "tp")
            sold = tp.filled if tp is not None and held.role == "sl" else 0
            return (entry.filled if entry is not None else 0) - sold
        return held.qty - sum(o.filled for o in self.book.others(held))

    # --- what follows --------------------------------------------------------------------------
    def triggered(self, held: HeldOrder) -> None:
        """``held``'s trigger was reached: it cancels the legs it excludes, then goes out."""
        self.journal.move(held, S.TRIGGERED)
        for other in self.book.others(held):
            self.cancel_leg(other, f"{HELD_OCO}: {held.held_id} triggered")
        self.try_release(held)

    def filled(self, held: HeldOrder) -> None:
        """``held``'s order traded (its ``filled`` is up to date)."""
        parent = self.book.parent(held)
        if parent is None or parent.is_terminal or sent_as_list(parent):
            self.journal.record(held)  # a list: the venue expires the other leg itself
            return
        if held.role == "entry":
            self.journal.record(held)
            self._size_exits(parent, held)
            return
        self.journal.record(held)
        for other in self.book.others(held):
            if other.state is not S.TRIGGERED:  # a triggered one waits for this leg's end
                self.cancel_leg(other, f"{HELD_OCO}: {held.held_id} filled")

    def _size_exits(self, bracket: HeldOrder, entry: HeldOrder) -> None:
        changed = []
        for leg in self.book.exits(bracket.held_id):
            if leg.state is S.HELD and leg.qty != entry.filled:
                tp = self.book.role(bracket.held_id, "tp")
                leg.qty = entry.filled - (tp.filled if tp is not None and leg.role == "sl" else 0)
                changed.append(leg)
        if changed:
            self.journal.record(*changed)

    def ended(self, held: HeldOrder) -> None:
        """``held`` ended (its order at the venue, or itself): what follows for its group."""
        parent = self.book.parent(held)
        if parent is None:
            return
        if sent_as_list(parent):  # the venue ends the other leg itself
            self.settle(parent)
            return
        if not parent.is_terminal:
            if held.role == "entry":
                self._entry_ended(parent, held)
            else:
                waiting = [o for o in self.book.others(held) if o.state is S.TRIGGERED]
                if held.filled == 0 and not waiting and held.state is not S.CANCELED:
                    for other in self.book.others(held):
                        self.cancel_leg(other, f"{HELD_OCO}: {held.held_id} ended")
                for other in waiting:
                    self.try_release(other)
        else:
            for other in self.book.others(held):
                self.try_release(other)  # cancels what waited: the parent ended
        self.settle(parent)

    def _entry_ended(self, bracket: HeldOrder, entry: HeldOrder) -> None:
        exits = self.book.exits(bracket.held_id)
        if entry.filled == 0:
            for leg in exits:
                self.cancel_leg(leg, HELD_ENTRY_UNFILLED)
            return
        self._size_exits(bracket, entry)
        sl = self.book.role(bracket.held_id, "sl")
        if sl is not None and sl.state is S.TRIGGERED:
            self.try_release(sl)
            return
        tp = self.book.role(bracket.held_id, "tp")
        if tp is not None and tp.state is S.HELD:
            self.release(tp, entry.filled)

    def settle(self, parent: HeldOrder) -> None:
        """A parent ends when every leg has: DONE if anything traded, else CANCELED."""
        if parent.is_terminal:
            return
        legs = self.book.children(parent.held_id)
        if legs and all(leg.is_terminal for leg in legs):
            traded = any(leg.filled for leg in legs)
            reason = "" if traded else next((leg.reason for leg in legs if leg.reason), "")
            self.journal.move(parent, S.DONE if traded else S.CANCELED, reason)

    # --- cancelling ------------------------------------------------------------------------------
    def cancel_leg(self, held: HeldOrder, reason: str) -> None:
        """Held: cancelled at once. Working at the venue: a cancel request (its end follows as
        the order's own)."""
        if held.state in (S.HELD, S.TRIGGERED):
            self.journal.move(held, S.CANCELED, reason)
            if held.role != "entry":
                self.ended(held)
        elif held.state is S.WORKING:
            self.cancel_order(held.held_id)

    def cancel_group(self, parent: HeldOrder, reason: str) -> None:
        """The parent and every leg: held ones at once, working ones at the venue."""
        if not parent.is_terminal:
            self.journal.move(parent, S.CANCELED, reason)
        for leg in list(self.book.children(parent.held_id)):
            self.cancel_leg(leg, reason)
