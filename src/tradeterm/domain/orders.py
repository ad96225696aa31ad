"""Orders and their status state machine.

Every allowed transition is listed in ``TRANSITIONS``; anything else raises
``IllegalTransition``. A modify or cancel that the venue refuses returns the order to the status
it had before the request (``Order.revert_pending``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tradeterm.domain.market import Side


class OrderType(str, Enum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"
    STOP_MARKET = "STOP_MARKET"
    STOP_LIMIT = "STOP_LIMIT"


class TimeInForce(str, Enum):
    GTC = "GTC"  # good till cancelled
    IOC = "IOC"  # immediate or cancel: fill what you can now, cancel the rest
    FOK = "FOK"  # fill or kill: all now or nothing
    GTD = "GTD"  # good till date (``expire_ns``)


class OrderStatus(str, Enum):
    INITIALIZED = "INITIALIZED"  # created locally, not yet checked
    DENIED = "DENIED"  # refused by risk before it left (terminal)
    SUBMITTED = "SUBMITTED"  # persisted and sent; outcome not yet known
    ACCEPTED = "ACCEPTED"  # working at the venue
    TRIGGERED = "TRIGGERED"  # stop order whose trigger price was reached
    PENDING_UPDATE = "PENDING_UPDATE"  # modify sent
    PENDING_CANCEL = "PENDING_CANCEL"  # cancel sent
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"  # terminal
    CANCELED = "CANCELED"  # terminal
    EXPIRED = "EXPIRED"  # terminal
    REJECTED = "REJECTED"  # refused by the venue (terminal)


S = OrderStatus
TERMINAL: frozenset[OrderStatus] = frozenset({S.DENIED, S.FILLED, S.CANCELED, S.EXPIRED, S.REJECTED})

_LIVE_EXITS = {S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.PENDING_UPDATE, S.CANCELED, S.EXPIRED}

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.INITIALIZED: frozenset({S.DENIED, S.SUBMITTED, S.REJECTED, S.CANCELED}),
    # a fast venue can fill or cancel (IOC) before we see the ack
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED, S.PARTIALLY_FILLED, S.FILLED, S.CANCELED,
                            S.EXPIRED, S.PENDING_CANCEL, S.TRIGGERED}),
    S.ACCEPTED: frozenset(_LIVE_EXITS | {S.TRIGGERED}),
    S.TRIGGERED: frozenset(_LIVE_EXITS | {S.REJECTED}),
    S.PENDING_UPDATE: frozenset({S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED, S.FILLED,
                                 S.PENDING_CANCEL, S.CANCELED, S.EXPIRED}),
    S.PENDING_CANCEL: frozenset({S.CANCELED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED,
                                 S.FILLED, S.EXPIRED}),
    S.PARTIALLY_FILLED: frozenset(_LIVE_EXITS),
    S.FILLED: frozenset(),
    S.CANCELED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REJECTED: frozenset(),
    S.DENIED: frozenset(),
}
# PARTIALLY_FILLED -> PARTIALLY_FILLED is a further partial fill
TRANSITIONS[S.PARTIALLY_FILLED] = TRANSITIONS[S.PARTIALLY_FILLED] | {S.PARTIALLY_FILLED}


class IllegalTransition(Exception):
    def __init__(self, order_id: str, current: OrderStatus, new: OrderStatus) -> None:
        super().__init__(f"order {order_id}: illegal transition {current.value} -> {new.value}")
        self.current = current
        self.new = new


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    return new in TRANSITIONS[current]


@dataclass(slots=True)
class Order:
    """An order as the engine tracks it. Price and quantities in ticks and lots."""

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
    display_qty: int | None = None  # iceberg: visible part
    expire_ns: int | None = None  # GTD
    ts_created: int = 0
    status: OrderStatus = OrderStatus.INITIALIZED
    venue_order_id: str | None = None
    filled_qty: int = 0
    filled_value: int = 0  # sum(price ticks * lots) of fills, exact average = value / qty
    ts_last: int = 0
    _before_pending: OrderStatus | None = field(default=None, repr=False)
    source: str = "manual"  # manual | quoter | flatten | cli | external
    external: bool = False  # found at the venue, not placed by this engine (adopted)
    reason: str = ""  # why it was rejected, canceled or closed by reconciliation
    uncertain: bool = False  # outcome unknown (timeout, disconnect): being resolved by query

    @property
    def leaves_qty(self) -> int:
        return 0 if self.status in TERMINAL else self.qty - self.filled_qty

    @property
    def is_working(self) -> bool:
        return self.status not in TERMINAL and self.status is not OrderStatus.INITIALIZED

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    def transition(self, new: OrderStatus, ts: int = 0) -> None:
        if new not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.client_order_id, self.status, new)
        if new in (S.PENDING_CANCEL, S.PENDING_UPDATE) and self.status not in (
            S.PENDING_CANCEL, S.PENDING_UPDATE
        ):
            self._before_pending = self.status
        self.status = new
        if ts:
            self.ts_last = ts

    def revert_pending(self, ts: int = 0) -> None:
        """The venue refused our cancel/modify: back to the status before the request."""
        if self.status not in (S.PENDING_CANCEL, S.PENDING_UPDATE) or self._before_pending is None:
            raise IllegalTransition(self.client_order_id, self.status, self.status)
        previous, self._before_pending = self._before_pending, None
        self.transition(previous if previous is not S.SUBMITTED else S.ACCEPTED, ts)

    def apply_fill(self, price: int, lots: int, ts: int = 0) -> None:
        if lots <= 0 or self.filled_qty + lots > self.qty:
            raise ValueError(
                f"order {self.client_order_id}: fill of {lots} lots exceeds leaves {self.leaves_qty}"
            )
        self.filled_qty += lots
        self.filled_value += price * lots
        self.transition(S.FILLED if self.filled_qty == self.qty else S.PARTIALLY_FILLED, ts)
