"""Commands: imperative requests (SubmitOrder). Only risk can refuse one (with OrderDenied)."""

from __future__ import annotations

import msgspec

from tradeterm.domain.events import TradingState
from tradeterm.domain.held import HeldLeg
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType, TimeInForce


class Command(msgspec.Struct, frozen=True, tag=True):
    ts: int


class SubmitOrder(Command, frozen=True):
    client_order_id: str
    instrument: str
    side: Side
    qty: int
    order_type: OrderType = OrderType.LIMIT
    price: int | None = None
    trigger_price: int | None = None
    tif: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    reduce_only: bool = False
    display_qty: int | None = None
    expire_ns: int | None = None
    source: str = "manual"  # manual | quoter | flatten | cli


class CancelOrder(Command, frozen=True):
    client_order_id: str
    instrument: str


class ModifyOrder(Command, frozen=True):
    client_order_id: str
    instrument: str
    price: int | None = None
    qty: int | None = None


class CancelAll(Command, frozen=True):
    """Cancel every working order, optionally only one instrument and/or one side."""

    instrument: str | None = None
    side: Side | None = None


class TripKillSwitch(Command, frozen=True):
    """HALT trading. ``cancel`` cancels every working order (the kill switch); ``cancel=False``
    only stops new orders (the hangup policy "halt"). ``flatten`` then closes every position
    with reduce-only IOC orders."""

    reason: str
    flatten: bool = False
    source: str = "command"  # key | command | cli | limit | feed_loss | hangup | reconciliation
    cancel: bool = True


class RearmTrading(Command, frozen=True):
    """Leave HALTED (or REDUCING) by an explicit human action with a reason. ``state`` is the
    state to enter: ACTIVE, or REDUCING to allow only exposure-reducing orders."""

    reason: str
    state: TradingState = TradingState.ACTIVE
    source: str = "command"


class HoldOrder(Command, frozen=True):
    """A stop, stop-limit or trailing stop, kept by the engine (``oms/emulator.py``) until its
    trigger is reached, then sent as an order with the id ``held_id`` (through risk)."""

    held_id: str
    instrument: str
    leg: HeldLeg
    source: str = "manual"


class HoldOco(Command, frozen=True):
    """Two orders, one cancels the other: the first leg to fill (even partly) or trigger cancels
    the other. A limit leg goes to the venue at once; a stop leg is held."""

    held_id: str
    instrument: str
    first_id: str
    first: HeldLeg
    second_id: str
    second: HeldLeg
    source: str = "manual"


class HoldBracket(Command, frozen=True):
    """An entry (limit, or market when ``price`` is None) with a take-profit limit and a
    stop-loss (stop-market) that become an OCO sized to what the entry filled."""

    held_id: str
    instrument: str
    side: Side  # the entry's; the exits take the other side
    qty: int
    price: int | None
    take_profit: int
    stop_loss: int
    entry_id: str
    tp_id: str
    sl_id: str
    source: str = "manual"


HeldCommand = HoldOrder | HoldOco | HoldBracket
