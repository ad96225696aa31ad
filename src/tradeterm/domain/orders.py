"""Orders and their status state machine.

Every allowed transition is listed in ``TRANSITIONS``; anything else raises
``IllegalTransition``, and nothing writes a status except ``Order.transition``. The table follows
what real venues do (NautilusTrader's table was the reference): a modify or cancel may be sent
before the ack; a reject is a reject in any pending state; a fill may arrive after the cancel
(it traded first, the news came later). A pending order stays pending until its request is
answered, remembering what happened meanwhile, and then returns to the status it had before
the request (``Order.revert_pending``): an order that was never acknowledged stays SUBMITTED.
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
UNKNOWN_QTY = -1  # a modify of unknown size may be outstanding (restored from the store)
TERMINAL: frozenset[OrderStatus] = frozenset(
    {S.DENIED, S.FILLED, S.CANCELED, S.EXPIRED, S.REJECTED}
)
#: a request is in flight: the venue's answer (or, failing that, a query) settles the order
AWAITING: frozenset[OrderStatus] = frozenset({S.SUBMITTED, S.PENDING_UPDATE, S.PENDING_CANCEL})
PENDING: frozenset[OrderStatus] = frozenset({S.PENDING_UPDATE, S.PENDING_CANCEL})

_ENDS = {S.FILLED, S.CANCELED, S.EXPIRED}
_REQUESTS = {S.PENDING_UPDATE, S.PENDING_CANCEL}
# a pending order returns to what it was when the venue answers or refuses the request
_RETURNS = {S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED}

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.INITIALIZED: frozenset({S.DENIED, S.SUBMITTED, S.REJECTED, S.CANCELED}),
    # a fast venue can fill or cancel (IOC) before we see the ack; a modify or cancel may be
    # sent before the ack (it takes a round trip on a real venue)
    S.SUBMITTED: frozenset(
        _ENDS | _REQUESTS | {S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED, S.REJECTED}
    ),
    S.ACCEPTED: frozenset(_ENDS | _REQUESTS | {S.TRIGGERED, S.PARTIALLY_FILLED}),
    S.TRIGGERED: frozenset(_ENDS | _REQUESTS | {S.PARTIALLY_FILLED, S.REJECTED}),
    # PARTIALLY_FILLED -> PARTIALLY_FILLED is a further partial fill
    S.PARTIALLY_FILLED: frozenset(_ENDS | _REQUESTS | {S.PARTIALLY_FILLED}),
    # a pending order stays pending until its request is answered (a partial fill or a trigger
    # meanwhile is a pending -> pending step); a reject is a reject in any pending state
    S.PENDING_UPDATE: frozenset(
        _ENDS | _RETURNS | {S.PENDING_UPDATE, S.PENDING_CANCEL, S.REJECTED}
    ),
    S.PENDING_CANCEL: frozenset(_ENDS | _RETURNS | {S.PENDING_CANCEL, S.REJECTED}),
    S.FILLED: frozenset(),
    # a late fill: it traded before the cancel (or the expiry) took effect, the news came after
    S.CANCELED: frozenset({S.PARTIALLY_FILLED, S.FILLED}),
    S.EXPIRED: frozenset({S.PARTIALLY_FILLED, S.FILLED}),
    S.REJECTED: frozenset(),
    S.DENIED: frozenset(),
}


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
    # a modify to this quantity is unanswered: fills may already count against it
    _requested_qty: int | None = field(default=None, repr=False)
    # when this process sent it (0: not yet, or before a restart); its record reached the disk
    # first, so it can be later than ts_created
    ts_sent: int = field(default=0, repr=False)

    @property
    def leaves_qty(self) -> int:
        return 0 if self.status in TERMINAL else self.qty - self.filled_qty

    @property
    def is_working(self) -> bool:
        return self.status not in TERMINAL and self.status is not OrderStatus.INITIALIZED

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def awaiting(self) -> bool:
        """A request about it (submit, modify, cancel) has not been answered yet."""
        return self.status in AWAITING

    @property
    def acknowledged(self) -> bool:
        """The venue has shown that it has this order: an ack, a fill or its own record gave us
        the venue's order id. Without that, a venue with no record of it never took it."""
        return self.venue_order_id is not None

    def transition(self, new: OrderStatus, ts: int = 0) -> None:
        if new not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.client_order_id, self.status, new)
        if new in PENDING and self.status not in PENDING:
            self._before_pending = self.status
        self.status = new
        if ts:
            self.ts_last = ts

    # --- what the venue's answers do to it ---------------------------------------------------
    def acknowledge(self, venue_order_id: str | None, ts: int = 0) -> None:
        """The venue has the order: SUBMITTED -> ACCEPTED; with a modify or cancel pending it
        stays pending, and returns to ACCEPTED (not SUBMITTED) when that is answered."""
        if venue_order_id or self.venue_order_id is None:
            self.venue_order_id = venue_order_id
        if self.status is S.SUBMITTED:
            self.transition(S.ACCEPTED, ts)
        elif self.status in PENDING and self._before_pending is S.SUBMITTED:
            self._before_pending = S.ACCEPTED

    def trigger(self, ts: int = 0) -> None:
        """A stop's trigger was reached (a pending request stays pending)."""
        if self.status in PENDING:
            if self._before_pending in (S.SUBMITTED, S.ACCEPTED, None):
                self._before_pending = S.TRIGGERED
            self.transition(self.status, ts)
        else:
            self.transition(S.TRIGGERED, ts)

    def apply_fill(self, price: int, lots: int, ts: int = 0) -> None:
        """A fill: PARTIALLY_FILLED or FILLED; a pending request stays pending (the fill is
        remembered for when it is answered); on a CANCELED or EXPIRED order it is a late fill.
        While a modify is unanswered (even on an order canceled meanwhile) the venue may already
        work the new quantity: a fill beyond the old one proves the modify done, and reaching
        only one of the two is not yet FILLED.
        Nothing changes if the fill does not fit (``ValueError`` / ``IllegalTransition``)."""
        requested = self._requested_qty  # unanswered, even if the order ended meanwhile
        filled = self.filled_qty + lots
        cap = max(self.qty, filled if requested == UNKNOWN_QTY else requested or 0)
        if lots <= 0 or filled > cap:
            raise ValueError(
                f"order {self.client_order_id}: fill of {lots} lots exceeds leaves "
                f"{cap - self.filled_qty}"
            )
        if filled == cap and requested != UNKNOWN_QTY:
            new = S.FILLED
        else:
            new = self.status if self.status in PENDING else S.PARTIALLY_FILLED
        if new not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.client_order_id, self.status, new)
        if filled > self.qty:  # the venue works a larger quantity: a modify went through
            self.qty = cap
            if requested != UNKNOWN_QTY:
                self._requested_qty = None
        self.filled_qty = filled
        self.filled_value += price * lots
        if new in PENDING:
            self._before_pending = S.PARTIALLY_FILLED
        self.transition(new, ts)

    def requests_unknown(self) -> None:
        """Restored from the store with a modify or cancel pending: what was asked of the venue
        is not known (a modify may have raised the quantity), so until the venue's record
        settles the order its fills count as the venue reports them, and do not finish it."""
        if self.status in PENDING:
            self._requested_qty = UNKNOWN_QTY

    def request_modify(self, qty: int | None, ts: int = 0) -> None:
        """A modify goes out (``qty``: the new total quantity, None: unchanged)."""
        self.transition(S.PENDING_UPDATE, ts)
        self._requested_qty = qty if qty is not None and qty != self.qty else None

    def modified(self, price: int | None, qty: int, ts: int = 0) -> None:
        """The venue confirms a modify (or changed the order itself): its terms."""
        self.amend(price, qty)
        if self.status is S.PENDING_UPDATE:
            self.revert_pending(ts)

    def refused(self, request: str, ts: int = 0) -> bool:
        """The venue refused our cancel or modify: back to what the order was, if that
        request is the one pending. True if the order moved."""
        if request == "modify":
            self._requested_qty = None
        if self.status is (S.PENDING_CANCEL if request == "cancel" else S.PENDING_UPDATE):
            self.revert_pending(ts)
            return True
        return False

    def revert_pending(self, ts: int = 0) -> None:
        """The venue answered or refused our modify/cancel: back to what the order was before
        the request, counting what happened meanwhile (an ack, fills, a trigger). After a
        restart that is not known; the order's record says it (fills, a venue id). An order
        whose fills reached its (now settled) quantity is FILLED."""
        if self.status not in PENDING:
            raise IllegalTransition(self.client_order_id, self.status, self.status)
        previous = self._before_pending
        if previous is None:
            previous = (
                S.PARTIALLY_FILLED
                if self.filled_qty
                else (S.ACCEPTED if self.venue_order_id is not None else S.SUBMITTED)
            )
        if self.filled_qty >= self.qty and self._requested_qty is None:
            previous = S.FILLED
        self._before_pending = None
        self.transition(previous, ts)

    def amend(self, price: int | None, qty: int) -> None:
        """Take the venue's terms (a modify it confirmed, or its own record of the order)."""
        if qty < self.filled_qty:
            raise ValueError(
                f"order {self.client_order_id}: quantity {qty} is below the "
                f"{self.filled_qty} lots already filled"
            )
        self.price = price
        self.qty = qty
        self._requested_qty = None
