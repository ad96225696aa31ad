"""What the reference exchange (``reference.py``) decides from a request's terms and a few facts
about the book, with no state of its own: the order record it keeps, what a new order or a modify
is refused for, and how a pro-rata level is shared."""

from __future__ import annotations

from dataclasses import dataclass

from tradeterm.matching.orders import (
    FOK,
    GTC,
    GTD,
    IOC,
    LIMIT,
    MARKET,
    STOP_LIMIT,
    STOP_MARKET,
)
from tradeterm.matching.rules import MatchingRules


@dataclass
class Ref:
    order_id: int
    owner: int
    side: int
    price: int | None  # limit (None: market); a waiting stop keeps its limit here too
    qty: int
    leaves: int
    visible: int = 0
    time: int = 0  # priority: smaller is older
    kind: int = LIMIT
    tif: int = GTC
    display: int = 0
    trigger: int | None = None
    expire_ns: int | None = None
    post_only: bool = False
    reduce_only: bool = False
    stp: int = -1
    filing: int = 0  # stops: number of the current filing
    registered: int = 0  # reduce-only: when it was (re)registered with its owner


def entry_refusal(
    r: MatchingRules,
    kind,
    price,
    qty,
    trigger,
    display,
    tif,
    expire_ns,
    post_only,
    *,
    duplicate: bool,
    touch: int | None,
) -> str:
    """Why a new order is rejected ("": it is not). ``duplicate``: its id is working already;
    ``touch``: the best price on the other side."""
    limit_price = kind in (LIMIT, STOP_LIMIT)
    if qty <= 0 or qty % r.qty_step or qty < r.min_qty or (r.max_qty and qty > r.max_qty):
        return "INVALID_QUANTITY"
    if limit_price and (price is None or price <= 0 or price % r.price_step):
        return "INVALID_PRICE"
    if kind in (STOP_MARKET, STOP_LIMIT) and (
        trigger is None or trigger <= 0 or trigger % r.price_step
    ):
        return "INVALID_TRIGGER_PRICE"
    if display and (display < 0 or display > qty or display % r.qty_step or display < r.min_qty):
        return "INVALID_DISPLAY_QTY"
    if (
        (display and kind in (MARKET, STOP_MARKET))
        or (post_only and kind != LIMIT)
        or ((display or post_only) and tif in (IOC, FOK))
    ):
        return "UNSUPPORTED_COMBINATION"
    if tif == GTD and expire_ns is None:
        return "INVALID_EXPIRE_TIME"
    if duplicate:
        return "DUPLICATE_ORDER_ID"
    ref = price if limit_price else trigger if kind == STOP_MARKET else touch
    if ref is not None and ref * qty < r.min_notional:
        return "MIN_NOTIONAL"
    return ""


def modify_refusal(
    r: MatchingRules,
    order: Ref,
    stop: bool,
    new_price,
    new_qty,
    trigger,
    *,
    touch: int | None,
    last_price: int | None,
) -> str:
    """Why a modify of a working order (a waiting stop if ``stop``) to ``new_price`` and
    ``new_qty`` (and a new ``trigger``) is rejected ("": it is not). ``touch``: the best price
    on the order's other side."""
    filled = order.qty - order.leaves
    reason = ""
    if new_qty <= filled or new_qty % r.qty_step or (r.max_qty and new_qty > r.max_qty):
        reason = "INVALID_QUANTITY"
    elif new_price is not None and (new_price <= 0 or new_price % r.price_step):
        reason = "INVALID_PRICE"
    elif trigger is not None and (not stop or trigger <= 0 or trigger % r.price_step):
        reason = "INVALID_TRIGGER_PRICE"
    elif new_price is not None and new_price * new_qty < r.min_notional:
        reason = "MIN_NOTIONAL"
    elif order.display and order.display > new_qty - filled:
        reason = "INVALID_DISPLAY_QTY"
    elif not stop and order.post_only and new_price != order.price:
        if touch is not None and (new_price - touch) * order.side >= 0:
            reason = "POST_ONLY_WOULD_TAKE"
    if (
        not reason
        and stop
        and trigger is not None
        and last_price is not None
        and (last_price - trigger) * order.side >= 0
    ):
        reason = "WOULD_TRIGGER_IMMEDIATELY"
    return reason


def pro_rata_shares(want: int, visible: list[int]) -> list[int]:
    """A level's orders (shown sizes ``visible``, oldest first) share ``want`` lots in
    proportion to what they show (whole lots), the remainder one lot at a time in time order."""
    total = sum(visible)
    if want >= total:
        return list(visible)
    shares = [want * v // total for v in visible]
    left = want - sum(shares)
    i = 0
    while left:
        if shares[i] < visible[i]:
            shares[i] += 1
            left -= 1
        i = (i + 1) % len(visible)
    return shares
