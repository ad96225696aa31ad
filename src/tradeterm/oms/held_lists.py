"""Held OCOs the venue keeps itself: sent as its order list (Binance's ``orderList/oco``) where
the venue has them (``ExecutionClient.native_order_lists``). Every other held order, and an OCO
the venue's list cannot express, is the emulator's own (``emulator.py``).

* **Which.** An OCO of two legs of one side and one quantity: a limit leg and a stop (or
  stop-limit) leg, not reduce-only (Binance's OCO: a LIMIT_MAKER and a STOP_LOSS(_LIMIT)).
* **Durable first.** The OCO and its legs are written (``held_journal``) before the list is sent;
  the parent's role is ``list`` (``LIST``): how a restart knows the venue keeps it.
* **Sent whole, through risk.** Both legs pass pre-trade risk, then go as one list whose client
  id is the OCO's id; each leg is an order of the OMS under its own id (its fills, position and
  reconciliation are any order's). A list risk refuses sends nothing: both legs DENIED, the OCO
  CANCELED, with the reason; one the venue refuses (or that is never placed) ends its legs'
  orders REJECTED with the venue's reason, and so the OCO.
* **The venue cancels the other.** When a leg trades or triggers, the venue expires the other;
  the emulator only follows the legs' orders to their ends (``held_groups`` sends nothing for a
  list) and the OCO ends once both have. Cancelling the OCO (the trader, the kill switch)
  cancels its working legs at the venue; cancelling either one cancels the list there.
* **Not modified.** Binance amends no leg of a list, and the cancel of a cancel-replace ends the
  whole list (the other leg too) and would leave the replacement alone, unprotected: a modify
  of a leg is refused (``leg_of_a_list``), the trader cancels the OCO and places it again.
"""

from __future__ import annotations

from tradeterm.core.clock import Clock
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.held import HeldKind, HeldOrder, HeldState
from tradeterm.domain.orders import OrderType
from tradeterm.oms.held_journal import HeldJournal
from tradeterm.oms.ports import HeldListSender

S = HeldState
LIST = "list"  # the role of an OCO parent the venue keeps as its order list
STOPS = {HeldKind.STOP: OrderType.STOP_MARKET, HeldKind.STOP_LIMIT: OrderType.STOP_LIMIT}


def sent_as_list(parent: HeldOrder | None) -> bool:
    return parent is not None and parent.role == LIST


def fits_a_list(records: list[HeldOrder]) -> bool:
    """``records`` (a parent and its legs) are an OCO a venue's order list can express."""
    if len(records) != 3 or records[0].kind is not HeldKind.OCO:
        return False
    first, second = records[1:]
    kinds = {first.kind, second.kind}
    return (
        first.side is second.side
        and first.qty == second.qty > 0
        and HeldKind.LIMIT in kinds
        and bool(kinds & STOPS.keys())
        and not (first.reduce_only or second.reduce_only)
    )


def leg_order(held: HeldOrder, ts: int) -> SubmitOrder:
    """A list leg as the order it is at the venue: a limit, or a stop(-limit) at its trigger."""
    kind = STOPS.get(held.kind, OrderType.LIMIT)
    return SubmitOrder(
        ts,
        held.held_id,
        held.instrument,
        held.side,
        held.qty,
        kind,
        held.price if kind is not OrderType.STOP_MARKET else None,
        held.trigger_price if kind is not OrderType.LIMIT else None,
        source=held.source,
    )


class OrderLists:
    """Places held OCOs as venue order lists; the emulator follows their legs afterwards."""

    def __init__(self, clock: Clock, journal: HeldJournal, sender: HeldListSender) -> None:
        self.clock = clock
        self.journal = journal
        self.sender = sender

    def leg_of_a_list(self, held_id: str) -> bool:
        """``held_id`` is a leg of an OCO sent as the venue's order list."""
        held = self.journal.book.get(held_id)
        return held is not None and sent_as_list(self.journal.book.parent(held))

    def takes(self, records: list[HeldOrder]) -> bool:
        return fits_a_list(records) and self.sender.takes_lists(records[0].instrument)

    def place(self, records: list[HeldOrder]) -> list[HeldOrder]:
        """Durable, then sent as one list. Returns the legs that ended at once (a refusal, a
        store that could not record them): the caller applies their ends."""
        parent, legs = records[0], records[1:]
        parent.role = LIST
        self.journal.record(*records)
        now = self.clock.timestamp_ns()
        result = self.sender.send_list(parent.held_id, [leg_order(leg, now) for leg in legs])
        if isinstance(result, str):
            for leg in legs:
                leg.state, leg.reason = S.DENIED, result
            parent.state, parent.reason = S.CANCELED, result
            self.journal.record(*legs, parent)
            return []
        ended = []
        for leg, order in zip(legs, result, strict=True):
            leg.filled = order.filled_qty
            if order.is_terminal:
                leg.state, leg.reason = S.DONE, order.reason or order.status.value
                ended.append(leg)
            else:
                leg.state = S.WORKING
        self.journal.record(*legs)
        return ended
