"""Events: past-tense facts published on the bus and recorded in the journal."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import msgspec

from tradeterm.domain.market import Side


class Event(msgspec.Struct, frozen=True, tag=True):
    ts_event: int
    ts_recv: int


class Liquidity(str, Enum):
    MAKER = "MAKER"
    TAKER = "TAKER"


class OrderSubmitted(Event, frozen=True):
    client_order_id: str
    instrument: str


class OrderAccepted(Event, frozen=True):
    client_order_id: str
    instrument: str
    venue_order_id: str


class OrderRejected(Event, frozen=True):
    """The venue refused the order. ``reason`` is a stable code, ``message`` says why."""

    client_order_id: str
    instrument: str
    reason: str
    message: str = ""


class OrderDenied(Event, frozen=True):
    """Risk refused the command before anything left the engine."""

    client_order_id: str
    instrument: str
    reason: str
    message: str = ""


class OrderFilled(Event, frozen=True):
    client_order_id: str
    instrument: str
    venue_order_id: str
    trade_id: str
    side: Side
    price: int
    qty: int
    liquidity: Liquidity
    fee: Decimal
    fee_currency: str
    leaves_qty: int
    note: str = ""  # paper fills say why they filled


class OrderCanceled(Event, frozen=True):
    client_order_id: str
    instrument: str
    reason: str = ""


class OrderExpired(Event, frozen=True):
    client_order_id: str
    instrument: str


class OrderTriggered(Event, frozen=True):
    client_order_id: str
    instrument: str


class OrderModified(Event, frozen=True):
    client_order_id: str
    instrument: str
    price: int | None
    qty: int


class PositionChanged(Event, frozen=True):
    instrument: str
    qty: int
    avg_price: Decimal
    realized_pnl: Decimal


class TradingState(str, Enum):
    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"


class KillSwitchTripped(Event, frozen=True):
    reason: str
    source: str


class TradingStateChanged(Event, frozen=True):
    state: TradingState
    reason: str


class ConnectionState(str, Enum):
    CONNECTING = "CONNECTING"
    CONNECTED = "CONNECTED"
    STALE = "STALE"
    RESYNCING = "RESYNCING"
    DISCONNECTED = "DISCONNECTED"


class VenueStatus(Event, frozen=True):
    venue: str
    state: ConnectionState
    detail: str = ""


class LogLine(Event, frozen=True):
    level: str
    logger: str
    message: str


class OrderModifyRejected(Event, frozen=True):
    """The venue refused a modify; the order stays as it was."""

    client_order_id: str
    instrument: str
    reason: str
    message: str = ""


class OrderCancelRejected(Event, frozen=True):
    """The venue refused a cancel (typically: the order is no longer working)."""

    client_order_id: str
    instrument: str
    reason: str
    message: str = ""
