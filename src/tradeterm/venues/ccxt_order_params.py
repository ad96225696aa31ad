"""An engine order as ccxt's ``create_order`` arguments, with the engine's client order id."""

from __future__ import annotations

from typing import Any

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType, TimeInForce


def order_args(
    order: Order, inst: Instrument, symbol: str
) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """``create_order``'s arguments (symbol, type, side, amount, price, params) for an engine
    order on ccxt ``symbol``, or a local refusal (reason, message) for what is not placed
    through ccxt."""
    params: dict[str, Any] = {"clientOrderId": order.client_order_id}
    args: dict[str, Any] = {
        "symbol": symbol,
        "side": "buy" if order.side is Side.BUY else "sell",
        "amount": float(inst.lots_to_qty(order.qty)),
        "params": params,
    }
    if order.order_type is OrderType.MARKET:
        if order.price is None:
            args["type"], args["price"] = "market", None
            return args, None
        # protected (risk/protection.py): a limit IOC / FOK at the protection price, as
        # exchanges differ in whether and how a market order can carry a price limit
        args["type"], args["price"] = "limit", float(inst.ticks_to_price(order.price))
        params["timeInForce"] = "FOK" if order.tif is TimeInForce.FOK else "IOC"
        return args, None
    if order.order_type is not OrderType.LIMIT:
        return args, ("UNSUPPORTED", "through ccxt: limit and market orders only")
    if order.price is None:
        return args, ("BAD_PARAMETER", "a limit order needs a price")
    if order.tif is TimeInForce.GTD:
        return args, ("UNSUPPORTED_TIME_IN_FORCE", "no good-till-date orders through ccxt")
    args["type"], args["price"] = "limit", float(inst.ticks_to_price(order.price))
    if order.post_only:
        params["postOnly"] = True
    elif order.tif is not TimeInForce.GTC:
        params["timeInForce"] = order.tif.value
    return args, None
