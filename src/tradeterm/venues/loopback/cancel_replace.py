"""``POST /api/v3/order/cancelReplace``: cancel an order and place a new one on the same symbol in
one request, as Binance documents it.

``cancelReplaceMode``: ``STOP_ON_FAILURE`` (a failed cancel means no new order) or
``ALLOW_FAILURE`` (the new order is tried whatever the cancel did). The order to cancel is
``cancelOrderId`` or ``cancelOrigClientOrderId``; ``cancelNewClientOrderId`` names the cancel;
``cancelRestrictions`` (``ONLY_NEW``, ``ONLY_PARTIALLY_FILLED``) refuses the cancel of an order in
another state. Answers: both done, HTTP 200 ``{"cancelResult": "SUCCESS", "newOrderResult":
"SUCCESS", "cancelResponse": ..., "newOrderResponse": ...}``; one failed, HTTP 409 ``{"code":
-2021, "msg": "Order cancel-replace partially failed.", "data": {...}}``; nothing done, HTTP 400
``{"code": -2022, "msg": "Order cancel-replace failed.", "data": {...}}``, where a failed part's
response is its own ``{"code", "msg"}`` and a part not attempted is ``NOT_ATTEMPTED`` / null.
The request runs atomically with respect to the market.
"""

from __future__ import annotations

from typing import Any

from tradeterm.venues.loopback.accounts import Account
from tradeterm.venues.loopback.errors import ApiError, mandatory
from tradeterm.venues.loopback.exchange import LoopbackExchange

MODES = ("STOP_ON_FAILURE", "ALLOW_FAILURE")
RESTRICTIONS = {"ONLY_NEW": "NEW", "ONLY_PARTIALLY_FILLED": "PARTIALLY_FILLED"}
CANCEL_PARAMS = (
    "cancelReplaceMode",
    "cancelOrderId",
    "cancelOrigClientOrderId",
    "cancelNewClientOrderId",
    "cancelRestrictions",
    "orderRateLimitExceededMode",
)


def cancel_replace(exchange: LoopbackExchange, account: Account, p: dict[str, str]) -> Any:
    mode = p.get("cancelReplaceMode", "")
    if not mode:
        raise mandatory("cancelReplaceMode")
    if mode not in MODES:
        raise ApiError(-1130, "Data sent for parameter 'cancelReplaceMode' is not valid.")
    restriction = p.get("cancelRestrictions", "")
    if restriction and restriction not in RESTRICTIONS:
        raise ApiError(-1130, "Data sent for parameter 'cancelRestrictions' is not valid.")
    if not p.get("cancelOrderId") and not p.get("cancelOrigClientOrderId"):
        raise ApiError(
            -1102,
            "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, but both were "
            "empty/null!",
        )
    exchange.symbol(p)  # an unknown symbol is refused before anything is tried

    cancel_ok, cancel_answer = _attempt(lambda: _cancel(exchange, account, p, restriction))
    if not cancel_ok and mode == "STOP_ON_FAILURE":
        raise ApiError(
            -2022,
            "Order cancel-replace failed.",
            400,
            _data("FAILURE", "NOT_ATTEMPTED", cancel_answer, None),
        )
    new_params = {k: v for k, v in p.items() if k not in CANCEL_PARAMS}
    new_ok, new_answer = _attempt(lambda: exchange.new_order(account, new_params))
    data = _data(
        "SUCCESS" if cancel_ok else "FAILURE",
        "SUCCESS" if new_ok else "FAILURE",
        cancel_answer,
        new_answer,
    )
    if cancel_ok and new_ok:
        return data
    if cancel_ok or new_ok:
        raise ApiError(-2021, "Order cancel-replace partially failed.", 409, data)
    raise ApiError(-2022, "Order cancel-replace failed.", 400, data)


def _cancel(
    exchange: LoopbackExchange, account: Account, p: dict[str, str], restriction: str
) -> dict[str, Any]:
    params = {"symbol": p["symbol"]}
    if p.get("cancelOrderId"):
        params["orderId"] = p["cancelOrderId"]
    if p.get("cancelOrigClientOrderId"):
        params["origClientOrderId"] = p["cancelOrigClientOrderId"]
    if p.get("cancelNewClientOrderId"):
        params["newClientOrderId"] = p["cancelNewClientOrderId"]
    if restriction:
        order = exchange.find_order(account, params)
        if order is not None and order.is_open and order.status != RESTRICTIONS[restriction]:
            raise ApiError(-2011, "Order was not canceled due to cancel restrictions.")
    return exchange.cancel_order(account, params)


def _attempt(action: Any) -> tuple[bool, dict[str, Any]]:
    try:
        return True, action()
    except ApiError as exc:
        return False, {"code": exc.code, "msg": exc.msg}


def _data(
    cancel: str, new: str, cancel_answer: dict[str, Any], new_answer: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "cancelResult": cancel,
        "newOrderResult": new,
        "cancelResponse": cancel_answer,
        "newOrderResponse": new_answer,
    }
