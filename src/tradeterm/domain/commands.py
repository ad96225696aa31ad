"""Commands: imperative requests (SubmitOrder). Only risk can refuse one (with OrderDenied)."""

from __future__ import annotations

import msgspec

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
    reason: str
    flatten: bool = False


class RearmTrading(Command, frozen=True):
    reason: str
