"""Order validation: the reject reasons of a new order and of a modify, as a pure rules object.

``OrderRules`` knows the instrument's grid and limits (``MatchingRules``) and nothing about the
book: what a check needs from the book (is the id in use, the opposite best, the last price) is
passed in. Each check returns ``(reason, message)`` or None; the reason is a code from
``matching.orders`` and the message says what exactly was wrong.
"""

from __future__ import annotations

from tradeterm.matching.orders import (
    DUPLICATE_ORDER_ID,
    FOK,
    GTD,
    INVALID_DISPLAY_QTY,
    INVALID_EXPIRE_TIME,
    INVALID_PRICE,
    INVALID_QUANTITY,
    INVALID_TRIGGER_PRICE,
    IOC,
    LIMIT,
    MARKET,
    MIN_NOTIONAL,
    POST_ONLY_WOULD_TAKE,
    STOP_LIMIT,
    STOP_MARKET,
    UNSUPPORTED_COMBINATION,
    WOULD_TRIGGER_IMMEDIATELY,
    EngineOrder,
)
from tradeterm.matching.rules import MatchingRules

Reject = tuple[str, str] | None


class OrderRules:
    __slots__ = ("rules",)

    def __init__(self, rules: MatchingRules) -> None:
        self.rules = rules

    def new_order(
        self,
        order_id: int,
        kind: int,
        price: int | None,
        qty: int,
        trigger: int | None,
        display: int,
        tif: int,
        expire_ns: int | None,
        post_only: bool,
        *,
        now_ns: int | None,
        duplicate: bool,
        opposite_best: int | None,
    ) -> Reject:
        """A new order. ``now_ns`` is the clock's time (None without a clock),
        ``duplicate`` whether the id is already working, ``opposite_best`` the best price a
        market order would meet (for its minimum notional)."""
        rules = self.rules
        limit_price = kind == LIMIT or kind == STOP_LIMIT
        if (
            qty <= 0
            or qty % rules.qty_step
            or qty < rules.min_qty
            or (rules.max_qty and qty > rules.max_qty)
        ):
            return INVALID_QUANTITY, (
                f"quantity {qty} lots: must be a positive multiple of {rules.qty_step}, "
                f"at least {rules.min_qty}"
                + (f", at most {rules.max_qty}" if rules.max_qty else "")
            )
        if limit_price and (price is None or price <= 0 or price % rules.price_step):
            return INVALID_PRICE, (
                f"price {price}: a limit order needs a positive multiple of {rules.price_step}"
            )
        if kind in (STOP_MARKET, STOP_LIMIT) and (
            trigger is None or trigger <= 0 or trigger % rules.price_step
        ):
            return INVALID_TRIGGER_PRICE, (
                f"trigger {trigger}: a stop needs a positive multiple of {rules.price_step}"
            )
        if display and (
            display < 0 or display > qty or display % rules.qty_step or display < rules.min_qty
        ):
            return INVALID_DISPLAY_QTY, (
                f"display {display} lots: must be a multiple of {rules.qty_step} between "
                f"{rules.min_qty} and the order quantity {qty}"
            )
        if (
            (display and kind in (MARKET, STOP_MARKET))
            or (post_only and kind != LIMIT)
            or ((display or post_only) and tif in (IOC, FOK))
        ):
            return UNSUPPORTED_COMBINATION, (
                "iceberg and post-only orders must be limit orders that can rest (GTC or GTD); "
                "a stop cannot be post-only"
            )
        if tif == GTD and (expire_ns is None or (now_ns is not None and expire_ns <= now_ns)):
            return INVALID_EXPIRE_TIME, (
                "a GTD order needs an expiry time in the future"
                if expire_ns is not None
                else "a GTD order needs an expiry time"
            )
        if duplicate:
            return DUPLICATE_ORDER_ID, f"order id {order_id} is already working"
        ref = price if limit_price else trigger if kind == STOP_MARKET else opposite_best
        if ref is not None and ref * qty < rules.min_notional:
            return MIN_NOTIONAL, (
                f"notional {ref * qty} (ticks x lots) is below the minimum {rules.min_notional}"
            )
        return None

    def modify(
        self,
        order: EngineOrder,
        waiting_stop: bool,
        new_price: int | None,
        new_qty: int,
        trigger: int | None,
        *,
        opposite_best: int | None,
        last_price: int | None,
    ) -> Reject:
        """A modify of a working order to ``new_price`` (its limit; None for a market stop)
        and ``new_qty`` (total), and for a waiting stop possibly a new ``trigger``."""
        rules, ext = self.rules, order.ext
        filled = order.qty - order.leaves
        if (
            new_qty <= filled
            or new_qty % rules.qty_step
            or (rules.max_qty and new_qty > rules.max_qty)
        ):
            return INVALID_QUANTITY, (
                f"new quantity {new_qty} must exceed the filled {filled} and fit the lot grid"
            )
        if new_price is not None and (new_price <= 0 or new_price % rules.price_step):
            return INVALID_PRICE, f"price {new_price} is not on the price grid"
        if trigger is not None and (not waiting_stop or trigger <= 0 or trigger % rules.price_step):
            return INVALID_TRIGGER_PRICE, f"trigger {trigger} is not valid here"
        if new_price is not None and new_price * new_qty < rules.min_notional:
            return MIN_NOTIONAL, "the modified order is below the minimum notional"
        if ext is not None and ext.display and ext.display > new_qty - filled:
            return INVALID_DISPLAY_QTY, "the display size exceeds the new quantity"
        if (
            not waiting_stop
            and ext is not None
            and ext.post_only
            and new_price != order.price
            and opposite_best is not None
            and (new_price - opposite_best) * order.side >= 0  # type: ignore[operator]
        ):
            return POST_ONLY_WOULD_TAKE, f"price {new_price} would trade against {opposite_best}"
        if (
            waiting_stop
            and trigger is not None
            and last_price is not None
            and (last_price - trigger) * order.side >= 0
        ):
            return WOULD_TRIGGER_IMMEDIATELY, "the new trigger is already reached"
        return None
