"""Order validation: the reject reasons of ``submit`` (and the fast path's slow branch).

A method of ``MatchingEngine`` (a mixin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradeterm.matching.orders import (
    DUPLICATE_ORDER_ID, FOK, GTD, INVALID_DISPLAY_QTY, INVALID_EXPIRE_TIME, INVALID_PRICE,
    INVALID_QUANTITY, INVALID_TRIGGER_PRICE, IOC, LIMIT, MARKET, MIN_NOTIONAL, STOP_LIMIT,
    STOP_MARKET, UNSUPPORTED_COMBINATION,
)

if TYPE_CHECKING:
    from tradeterm.matching.engine import MatchingEngine

    _Base = MatchingEngine
else:
    _Base = object


class Validation(_Base):
    def _refuse(self, order_id: int, owner: int, kind: int, price: int | None, qty: int,
                trigger: int | None, display: int, tif: int, expire_ns: int | None,
                post_only: bool, side: int = 1) -> bool:
        """Validate; on a problem report it and return True."""
        rules = self.rules
        reason = message = ""
        limit_price = kind == LIMIT or kind == STOP_LIMIT
        if qty <= 0 or qty % rules.qty_step or qty < rules.min_qty or \
                (rules.max_qty and qty > rules.max_qty):
            reason, message = INVALID_QUANTITY, (
                f"quantity {qty} lots: must be a positive multiple of {rules.qty_step}, "
                f"at least {rules.min_qty}" + (f", at most {rules.max_qty}" if rules.max_qty else ""))
        elif limit_price and (price is None or price <= 0 or price % rules.price_step):
            reason, message = INVALID_PRICE, (
                f"price {price}: a limit order needs a positive multiple of {rules.price_step}")
        elif kind in (STOP_MARKET, STOP_LIMIT) and (
                trigger is None or trigger <= 0 or trigger % rules.price_step):
            reason, message = INVALID_TRIGGER_PRICE, (
                f"trigger {trigger}: a stop needs a positive multiple of {rules.price_step}")
        elif display and (display < 0 or display > qty or display % rules.qty_step
                          or display < rules.min_qty):
            reason, message = INVALID_DISPLAY_QTY, (
                f"display {display} lots: must be a multiple of {rules.qty_step} between "
                f"{rules.min_qty} and the order quantity {qty}")
        elif ((display and kind in (MARKET, STOP_MARKET)) or (post_only and kind != LIMIT)
              or ((display or post_only) and tif in (IOC, FOK))):
            reason, message = UNSUPPORTED_COMBINATION, (
                "iceberg and post-only orders must be limit orders that can rest (GTC or GTD); "
                "a stop cannot be post-only")
        elif tif == GTD and (expire_ns is None or (
                self.clock is not None and expire_ns <= self.clock.timestamp_ns())):
            reason, message = INVALID_EXPIRE_TIME, (
                "a GTD order needs an expiry time in the future" if expire_ns is not None
                else "a GTD order needs an expiry time")
        elif order_id in self.orders or order_id in self.stops:
            reason, message = DUPLICATE_ORDER_ID, f"order id {order_id} is already working"
        else:
            ref = price if limit_price else trigger if kind == STOP_MARKET else self.best(-side)
            if ref is not None and ref * qty < rules.min_notional:
                reason, message = MIN_NOTIONAL, (
                    f"notional {ref * qty} (ticks x lots) is below the minimum "
                    f"{rules.min_notional}")
        if not reason:
            return False
        self._on_rejected(order_id, owner, reason, message)
        return True
