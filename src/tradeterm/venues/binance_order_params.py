"""An engine order as Binance spot's new-order parameters (``POST /api/v3/order``)."""

from __future__ import annotations

from typing import Any

from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.venues.binance_symbols import SymbolRules


def order_params(order: Order, rules: SymbolRules) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """``POST /api/v3/order`` parameters for an engine order, or a local refusal (reason,
    message) for what Binance spot cannot place."""
    inst = rules.instrument
    p: dict[str, Any] = {
        "symbol": rules.symbol,
        "side": "BUY" if order.side is Side.BUY else "SELL",
        "quantity": inst.format_qty(order.qty),
        "newClientOrderId": order.client_order_id,
        "newOrderRespType": "RESULT",
    }
    kind = order.order_type
    if kind is OrderType.MARKET:
        if order.price is None:
            p["type"] = "MARKET"
            return p, None
        # a protected market order (risk/protection.py): Binance spot's MARKET has no price
        # protection, so it goes out as a limit IOC (or FOK) at the protection price
        p["type"], p["price"] = "LIMIT", inst.format_price(order.price)
        p["timeInForce"] = "FOK" if order.tif is TimeInForce.FOK else "IOC"
        return p, None
    if order.tif is TimeInForce.GTD:
        return p, ("UNSUPPORTED_TIME_IN_FORCE", "Binance spot has no good-till-date orders")
    if kind in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT):
        if order.trigger_price is None:
            return p, ("BAD_PARAMETER", "a stop order needs a trigger price")
        p["stopPrice"] = inst.format_price(order.trigger_price)
        p["type"] = "STOP_LOSS" if kind is OrderType.STOP_MARKET else "STOP_LOSS_LIMIT"
        if kind is OrderType.STOP_MARKET:
            return p, None
    if order.price is None:
        return p, ("BAD_PARAMETER", "a limit order needs a price")
    p["price"] = inst.format_price(order.price)
    if order.post_only and kind is OrderType.LIMIT:
        p["type"] = "LIMIT_MAKER"
    else:
        p.setdefault("type", "LIMIT")
        p["timeInForce"] = order.tif.value
    if order.display_qty:
        p["icebergQty"] = inst.format_qty(order.display_qty)
    return p, None
