"""A held OCO's two orders as Binance spot's order list parameters (``POST
/api/v3/orderList/oco``): the limit order as a LIMIT_MAKER, the stop as a STOP_LOSS (or a
STOP_LOSS_LIMIT at its limit price); in a sell the limit order is the ``above`` one, in a buy the
``below`` one. Each order keeps its client order id (``aboveClientOrderId`` /
``belowClientOrderId``), the list the OCO's (``listClientOrderId``)."""

from __future__ import annotations

from typing import Any

from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType
from tradeterm.venues.binance_symbols import SymbolRules

STOP_TYPES = {OrderType.STOP_MARKET: "STOP_LOSS", OrderType.STOP_LIMIT: "STOP_LOSS_LIMIT"}


def oco_params(
    orders: list[Order], rules: SymbolRules, list_id: str
) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The parameters, or a local refusal (reason, message) for what Binance would refuse."""
    limits = [o for o in orders if o.order_type is OrderType.LIMIT and o.price is not None]
    stops = [o for o in orders if o.order_type in STOP_TYPES and o.trigger_price is not None]
    if len(orders) != 2 or len(limits) != 1 or len(stops) != 1:
        return {}, ("BAD_PARAMETER", "a Binance OCO is one limit order and one stop order")
    limit, stop = limits[0], stops[0]
    if limit.side is not stop.side or limit.qty != stop.qty:
        return {}, ("BAD_PARAMETER", "the orders of an OCO have one side and one quantity")
    for order in orders:  # as limit orders at the price each would trade at (lot, notional)
        price = order.price if order.price is not None else order.trigger_price
        probe = Order(order.client_order_id, order.instrument, order.side, order.qty, price=price)
        problem = rules.check(probe)
        if problem is not None:
            return {}, problem
    inst = rules.instrument
    p: dict[str, Any] = {
        "symbol": rules.symbol,
        "side": "BUY" if limit.side is Side.BUY else "SELL",
        "quantity": inst.format_qty(limit.qty),
        "listClientOrderId": list_id,
        "newOrderRespType": "RESULT",
    }
    above, below = ("above", "below") if limit.side is Side.SELL else ("below", "above")
    p[above + "Type"] = "LIMIT_MAKER"
    p[above + "Price"] = inst.format_price(limit.price or 0)
    p[above + "ClientOrderId"] = limit.client_order_id
    assert stop.trigger_price is not None
    p[below + "Type"] = STOP_TYPES[stop.order_type]
    p[below + "StopPrice"] = inst.format_price(stop.trigger_price)
    p[below + "ClientOrderId"] = stop.client_order_id
    if stop.order_type is OrderType.STOP_LIMIT:
        if stop.price is None:
            return {}, ("BAD_PARAMETER", "a stop-limit order needs a limit price")
        p[below + "Price"] = inst.format_price(stop.price)
        p[below + "TimeInForce"] = "GTC"
    return p, None
