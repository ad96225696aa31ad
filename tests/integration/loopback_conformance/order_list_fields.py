"""Binance's documented fields of the order list answers and events (spot REST API, "Order
lists"; user data stream, "listStatus" and "executionReport"), written down once."""

LIST = {
    "orderListId",
    "contingencyType",
    "listStatusType",
    "listOrderStatus",
    "listClientOrderId",
    "transactionTime",
    "symbol",
    "orders",
}
LIST_ORDER = {"symbol", "orderId", "clientOrderId"}
# an orderReports entry (newOrderRespType RESULT; FULL adds "fills"; stop orders add "stopPrice")
ORDER_REPORT = {
    "symbol",
    "orderId",
    "orderListId",
    "clientOrderId",
    "transactTime",
    "price",
    "origQty",
    "executedQty",
    "cummulativeQuoteQty",
    "status",
    "timeInForce",
    "type",
    "side",
    "workingTime",
    "selfTradePreventionMode",
}
# an orderReports entry of DELETE /api/v3/orderList (a cancelled order)
CANCELED_REPORT = {
    "symbol",
    "transactTime",
    "selfTradePreventionMode",
    "origClientOrderId",
    "orderId",
    "orderListId",
    "clientOrderId",
    "price",
    "origQty",
    "executedQty",
    "cummulativeQuoteQty",
    "status",
    "timeInForce",
    "type",
    "side",
}
LIST_STATUS_EVENT = {"e", "E", "s", "g", "c", "l", "L", "r", "C", "T", "O"}
LIST_STATUS_ORDER = {"s", "i", "c"}
LIST_STATUS_TYPES = {"RESPONSE", "EXEC_STARTED", "ALL_DONE"}
LIST_ORDER_STATUSES = {"EXECUTING", "ALL_DONE", "REJECT"}


def check_list(
    answer: dict, contingency: str, orders: int, report_fields: set[str] = ORDER_REPORT
) -> None:
    assert LIST <= set(answer), LIST - set(answer)
    assert answer["contingencyType"] == contingency
    assert answer["listStatusType"] in LIST_STATUS_TYPES
    assert answer["listOrderStatus"] in LIST_ORDER_STATUSES
    assert len(answer["orders"]) == orders
    for order in answer["orders"]:
        assert set(order) == LIST_ORDER
    for report in answer.get("orderReports", []):
        assert report_fields <= set(report), report_fields - set(report)
        assert report["orderListId"] == answer["orderListId"]
