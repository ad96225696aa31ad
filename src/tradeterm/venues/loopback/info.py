"""``GET /api/v3/exchangeInfo`` on the loopback exchange: its symbols and their filters, in
Binance's shape (the fields ccxt and the native venue read)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tradeterm.venues.loopback.accounts import d8
from tradeterm.venues.loopback.errors import ApiError, now_ms
from tradeterm.venues.loopback.market import LoopbackMarket, SymbolMarket

MAX_PRICE = Decimal(1_000_000)
MAX_QTY = Decimal(9_000)
MAX_OPEN_ORDERS = 200
ORDER_TYPES = ("LIMIT", "LIMIT_MAKER", "MARKET")


def exchange_info(market: LoopbackMarket, params: dict[str, str]) -> dict[str, Any]:
    names: list[str] | None = None
    if params.get("symbol"):
        names = [params["symbol"]]
    elif params.get("symbols"):
        try:
            names = json.loads(params["symbols"])
            assert isinstance(names, list)
        except (ValueError, AssertionError):
            raise ApiError(-1100, "Illegal characters found in parameter 'symbols'.") from None
    markets = list(market.symbols.values())
    if names is not None:
        wanted = [n.upper() for n in names]
        unknown = [n for n in wanted if n not in market.symbols]
        if unknown:
            raise ApiError(-1121, "Invalid symbol.")
        markets = [market.symbols[n] for n in wanted]
    return {
        "timezone": "UTC",
        "serverTime": now_ms(),
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": 6000,
            },
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
            {
                "rateLimitType": "RAW_REQUESTS",
                "interval": "MINUTE",
                "intervalNum": 5,
                "limit": 61000,
            },
        ],
        "exchangeFilters": [],
        "symbols": [symbol_info(m) for m in markets],
    }


def symbol_info(m: SymbolMarket) -> dict[str, Any]:
    c = m.cfg
    return {
        "symbol": m.symbol,
        "status": "TRADING",
        "baseAsset": c.base,
        "baseAssetPrecision": 8,
        "quoteAsset": c.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": list(ORDER_TYPES),
        "icebergAllowed": False,
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": False,
        "allowTrailingStop": False,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": d8(c.tick_size),
                "maxPrice": d8(MAX_PRICE),
                "tickSize": d8(c.tick_size),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": d8(c.min_qty or c.step_size),
                "maxQty": d8(MAX_QTY),
                "stepSize": d8(c.step_size),
            },
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": "0.00000000",
                "maxQty": d8(MAX_QTY),
                "stepSize": "0.00000000",
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": d8(c.min_notional),
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": MAX_OPEN_ORDERS},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "NONE",
        "allowedSelfTradePreventionModes": ["NONE"],
    }
