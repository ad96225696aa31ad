"""What became of a command given to the desk (``TradingDesk.execute``): one small frozen type per
outcome, so a caller matches on what happened instead of guessing from a bool, a count or a
string. Each command has its own union (``SubmitResult`` ...); ``CommandResult`` is all of them.

* ``OrderSent``: risk passed the order and the OMS took it. It may already be terminal (the store
  could not record it, or its client order id was used before: ``order.reason`` says why).
* ``Denied``: risk or the session refused an order or a modify; the ``OrderDenied`` was
  published on the ``risk`` topic.
* ``RequestSent`` / ``RequestRefused``: a cancel or modify went to the OMS (it may wait for the
  order's record to reach the disk), or not, with the reason.
* ``CancelsSent``: a cancel-all, with how many cancels went out.
* ``KillSwitchTrip``: trading is HALTED (``changed`` False: it was already; the cancel and the
  flatten ran all the same).
* ``HeldPlaced``: the emulator took a held (contingent) order, durably; a leg it sent at once
  (an OCO's limit, a bracket's entry) may already have been denied (see its state).
* ``Rearmed`` / ``RearmRefused``: trading left HALTED / REDUCING, or stayed, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradeterm.domain.events import OrderDenied, TradingState
from tradeterm.domain.held import HeldOrder
from tradeterm.domain.orders import Order

# why a cancel or a modify was refused (the answers pane shows the last two as they are)
NOT_WORKING = "the order is not working"
CANNOT_CANCEL = "the order cannot be cancelled now"
CHANGE_WAITING = "a cancel or change of this order is still waiting for the venue's answer"
# a leg of an OCO the venue keeps as its order list: Binance amends no list leg, and the
# cancel of a cancel-replace would end the whole list
OCO_LEG_FIXED = "an OCO leg cannot be modified: cancel the OCO and place it again"
GROUP_LEG_FIXED = (
    "a leg of an OCO or a bracket cannot be modified on this venue (its cancel-replace would "
    "end the group and send the new order alone): cancel the group and place it again"
)


@dataclass(frozen=True, slots=True)
class OrderSent:
    order: Order


@dataclass(frozen=True, slots=True)
class Denied:
    denial: OrderDenied


@dataclass(frozen=True, slots=True)
class HeldPlaced:
    held: HeldOrder


@dataclass(frozen=True, slots=True)
class RequestSent:
    client_order_id: str


@dataclass(frozen=True, slots=True)
class RequestRefused:
    client_order_id: str
    reason: str  # NOT_WORKING, CANNOT_CANCEL or CHANGE_WAITING


@dataclass(frozen=True, slots=True)
class CancelsSent:
    count: int


@dataclass(frozen=True, slots=True)
class KillSwitchTrip:
    changed: bool  # False: trading was HALTED already


@dataclass(frozen=True, slots=True)
class Rearmed:
    state: TradingState


@dataclass(frozen=True, slots=True)
class RearmRefused:
    reason: str


SubmitResult = OrderSent | Denied
HoldResult = HeldPlaced | Denied
CancelResult = RequestSent | RequestRefused
ModifyResult = RequestSent | RequestRefused | Denied
RearmResult = Rearmed | RearmRefused
CommandResult = (
    OrderSent
    | Denied
    | HeldPlaced
    | RequestSent
    | RequestRefused
    | CancelsSent
    | KillSwitchTrip
    | Rearmed
    | RearmRefused
)
