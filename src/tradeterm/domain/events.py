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


class OrderUpdateRejected(Event, frozen=True):
    """The venue refused a cancel or modify (``request``); the order stays as it was."""

    client_order_id: str
    instrument: str
    request: str  # "cancel" | "modify"
    reason: str
    message: str = ""


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
    flatten: bool = False
    cancel: bool = True


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


class ReconciliationCompleted(Event, frozen=True):
    """The OMS compared its state with the venue's (at start, or after a reconnect).

    ``clean`` is False when something could not be explained; trading is then HALTED with
    ``problems`` as the reason. The counters say what was repaired on the way.
    """

    venue: str
    clean: bool
    adopted: int = 0  # venue orders we did not know, adopted as EXTERNAL
    resolved: int = 0  # local orders whose outcome a targeted query settled
    closed_lost: int = 0  # local orders an in-process venue lost on restart, closed
    missed_fills: int = 0  # fills that happened while we were away, applied once
    problems: str = ""
