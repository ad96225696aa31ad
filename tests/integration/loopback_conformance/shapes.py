"""Binance's documented answer shapes (the spot REST API and the market streams), written down
once: the field names each answer has. Checked as sets: an answer must have exactly these."""

from __future__ import annotations

from typing import Any

KLINE_LENGTH = 12  # open time, o, h, l, c, volume, close time, quote volume, trades, V, Q, ignore
TICKER_24HR_FULL = {
    "symbol",
    "priceChange",
    "priceChangePercent",
    "weightedAvgPrice",
    "prevClosePrice",
    "lastPrice",
    "lastQty",
    "bidPrice",
    "bidQty",
    "askPrice",
    "askQty",
    "openPrice",
    "highPrice",
    "lowPrice",
    "volume",
    "quoteVolume",
    "openTime",
    "closeTime",
    "firstId",
    "lastId",
    "count",
}
TICKER_24HR_MINI = {
    "symbol",
    "openPrice",
    "highPrice",
    "lowPrice",
    "lastPrice",
    "volume",
    "quoteVolume",
    "openTime",
    "closeTime",
    "firstId",
    "lastId",
    "count",
}
PRICE_TICKER = {"symbol", "price"}
BOOK_TICKER = {"symbol", "bidPrice", "bidQty", "askPrice", "askQty"}
AVG_PRICE = {"mins", "price", "closeTime"}
DEPTH = {"lastUpdateId", "bids", "asks"}
TRADE = {"id", "price", "qty", "quoteQty", "time", "isBuyerMaker", "isBestMatch"}
AGG_TRADE = {"a", "p", "q", "f", "l", "T", "m", "M"}
ORDER_ACK = {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
ORDER_RESULT = ORDER_ACK | {
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
ORDER_FULL = ORDER_RESULT | {"fills"}
FILL = {"price", "qty", "commission", "commissionAsset", "tradeId"}
ORDER = {
    "symbol",
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
    "stopPrice",
    "icebergQty",
    "time",
    "updateTime",
    "isWorking",
    "workingTime",
    "origQuoteOrderQty",
    "selfTradePreventionMode",
}
CANCELED_ORDER = {
    "symbol",
    "origClientOrderId",
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
    "selfTradePreventionMode",
}
MY_TRADE = {
    "symbol",
    "id",
    "orderId",
    "orderListId",
    "price",
    "qty",
    "quoteQty",
    "commission",
    "commissionAsset",
    "time",
    "isBuyer",
    "isMaker",
    "isBestMatch",
}
TEST_ORDER_COMMISSIONS = {
    "standardCommissionForOrder",
    "specialCommissionForOrder",
    "taxCommissionForOrder",
    "discount",
}
CANCEL_REPLACE = {"cancelResult", "newOrderResult", "cancelResponse", "newOrderResponse"}
ERROR = {"code", "msg"}

# streams
KLINE_EVENT = {"e", "E", "s", "k"}
KLINE = {"t", "T", "s", "i", "f", "L", "o", "c", "h", "l", "v", "n", "x", "q", "V", "Q", "B"}
TICKER_EVENT = {
    "e", "E", "s", "p", "P", "w", "x", "c", "Q", "b", "B", "a", "A",
    "o", "h", "l", "v", "q", "O", "C", "F", "L", "n",
}  # fmt: skip
MINI_TICKER_EVENT = {"e", "E", "s", "c", "o", "h", "l", "v", "q"}
AGG_TRADE_EVENT = {"e", "E", "s"} | AGG_TRADE
PARTIAL_DEPTH = {"lastUpdateId", "bids", "asks"}


def has_fields(answer: dict[str, Any], fields: set[str]) -> bool:
    missing, extra = fields - set(answer), set(answer) - fields
    assert not missing and not extra, f"missing {sorted(missing)}, unexpected {sorted(extra)}"
    return True
