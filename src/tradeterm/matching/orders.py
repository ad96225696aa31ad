"""Orders inside the matching engine, and the integer codes its hot path uses.

A resting order is an ``EngineOrder``: eight slots, prices in ticks and sizes in lots. Everything
a plain limit order does not need (order type, time in force, iceberg display size, stop trigger,
expiry, post-only, reduce-only, self-trade mode) lives in ``OrderExtras``, which plain orders do
not allocate (``ext is None``).
"""

from __future__ import annotations

import msgspec

# order kinds
LIMIT, MARKET, STOP_MARKET, STOP_LIMIT = 0, 1, 2, 3
# time in force
GTC, IOC, FOK, GTD = 0, 1, 2, 3
# self-trade prevention: what happens when an order would trade with the same owner's order
STP_NONE, STP_CANCEL_RESTING, STP_CANCEL_AGGRESSING, STP_CANCEL_BOTH = 0, 1, 2, 3

KIND_NAMES = {
    "LIMIT": LIMIT,
    "MARKET": MARKET,
    "STOP_MARKET": STOP_MARKET,
    "STOP_LIMIT": STOP_LIMIT,
}
TIF_NAMES = {"GTC": GTC, "IOC": IOC, "FOK": FOK, "GTD": GTD}
STP_NAMES = {
    "none": STP_NONE,
    "cancel_resting": STP_CANCEL_RESTING,
    "cancel_aggressing": STP_CANCEL_AGGRESSING,
    "cancel_both": STP_CANCEL_BOTH,
}

# Reject reasons (stable codes; the message says what exactly was wrong)
INVALID_QUANTITY = "INVALID_QUANTITY"
INVALID_PRICE = "INVALID_PRICE"
INVALID_TRIGGER_PRICE = "INVALID_TRIGGER_PRICE"
MIN_NOTIONAL = "MIN_NOTIONAL"
INVALID_DISPLAY_QTY = "INVALID_DISPLAY_QTY"
INVALID_EXPIRE_TIME = "INVALID_EXPIRE_TIME"
UNSUPPORTED_COMBINATION = "UNSUPPORTED_COMBINATION"
POST_ONLY_WOULD_TAKE = "POST_ONLY_WOULD_TAKE"
WOULD_TRIGGER_IMMEDIATELY = "WOULD_TRIGGER_IMMEDIATELY"
REDUCE_ONLY_WOULD_INCREASE = "REDUCE_ONLY_WOULD_INCREASE"
DUPLICATE_ORDER_ID = "DUPLICATE_ORDER_ID"
UNKNOWN_ORDER = "UNKNOWN_ORDER"
REJECT_REASONS = (
    INVALID_QUANTITY,
    INVALID_PRICE,
    INVALID_TRIGGER_PRICE,
    MIN_NOTIONAL,
    INVALID_DISPLAY_QTY,
    INVALID_EXPIRE_TIME,
    UNSUPPORTED_COMBINATION,
    POST_ONLY_WOULD_TAKE,
    WOULD_TRIGGER_IMMEDIATELY,
    REDUCE_ONLY_WOULD_INCREASE,
    DUPLICATE_ORDER_ID,
    UNKNOWN_ORDER,
)

# Why an accepted order ended without filling completely
CANCELED = "CANCELED"  # the owner asked
IOC_REMAINDER = "IOC"  # immediate-or-cancel: what did not fill at once
FOK_UNFILLED = "FOK"  # fill-or-kill: not enough liquidity, nothing traded
NO_LIQUIDITY = "NO_LIQUIDITY"  # a market order ran out of opposite orders
SELF_TRADE = "SELF_TRADE"  # cancelled by self-trade prevention
REDUCE_ONLY = "REDUCE_ONLY"  # a reduce-only order that no longer reduces the position


class OrderExtras:
    """What a plain GTC limit order does not need."""

    __slots__ = (
        "kind",
        "tif",
        "display",
        "trigger",
        "expire_ns",
        "post_only",
        "reduce_only",
        "stp",
        "limit",
    )

    def __init__(
        self,
        kind: int = LIMIT,
        tif: int = GTC,
        display: int = 0,
        trigger: int | None = None,
        expire_ns: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
        stp: int = -1,
        limit: int | None = None,
    ) -> None:
        self.kind = kind
        self.tif = tif
        self.display = display  # iceberg: visible slice (0 = not an iceberg)
        self.trigger = trigger  # stop orders: trigger price in ticks
        self.expire_ns = expire_ns  # GTD
        self.post_only = post_only
        self.reduce_only = reduce_only
        self.stp = stp  # -1 = the instrument's default
        self.limit = limit  # stop-limit: the limit price once triggered


class EngineOrder(msgspec.Struct, gc=False):
    """An order as the exchange holds it. ``leaves`` = qty - filled; ``visible`` is the part in
    the public book (== leaves except for icebergs). Stop orders wait with ``price`` = trigger.

    A msgspec Struct rather than a slotted class: it is built in C (about a quarter of the cost
    of a Python ``__init__``), which matters because one is built for every order that rests.
    Not tracked by the garbage collector: it can only reference ints and an ``OrderExtras``.
    """

    order_id: int
    owner: int
    side: int
    price: int
    qty: int
    leaves: int
    visible: int
    ext: OrderExtras | None = None

    @property
    def filled(self) -> int:
        return self.qty - self.leaves

    @property
    def is_iceberg(self) -> bool:
        return self.ext is not None and self.ext.display > 0
