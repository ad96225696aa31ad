"""Order lists on the loopback exchange through ccxt's binance (its implicit API methods for
the order list endpoints, its own parsing for the orders): an OCO placed, its legs read back by
``fetch_order``, one leg filling expires the other, the older ``POST /api/v3/order/oco``, the
list cancelled with ``DELETE /api/v3/orderList``, a refused list raising ccxt's typed error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import ccxt
import pytest

from tests.ccxt_session import OPTIONS
from tests.integration.loopback_conformance.order_list_fields import CANCELED_REPORT, check_list
from tests.integration.loopback_conformance.order_list_session import (
    SYMBOL,
    Tape,
    quiet_exchange,
)
from tests.loopback_session import TRADER_KEY, TRADER_SECRET
from tradeterm.venues.ccxt_setup import point_rest_at


@asynccontextmanager
async def ccxt_binance() -> AsyncIterator[tuple[Any, Tape]]:
    import ccxt.async_support as ccxt_async

    async with quiet_exchange() as (server, _, counterparty):
        exchange = ccxt_async.binance({"apiKey": TRADER_KEY, "secret": TRADER_SECRET})
        exchange.options.update(OPTIONS)
        point_rest_at(exchange, server.rest_url)
        try:
            await exchange.load_markets()
            yield exchange, Tape(counterparty)
        finally:
            await exchange.close()


async def _levels(tape: Tape) -> tuple[Decimal, Decimal]:
    bids, asks = await tape.book()
    last = await tape.last()
    return max(last, asks[0][0]) + 100, min(last, bids[0][0]) - 100


async def test_an_oco_through_ccxt_and_one_leg_filling():
    async with ccxt_binance() as (exchange, tape):
        high, low = await _levels(tape)
        answer = await exchange.privatePostOrderListOco(
            {
                "symbol": SYMBOL,
                "side": "SELL",
                "quantity": "0.01",
                "aboveType": "LIMIT_MAKER",
                "abovePrice": str(high),
                "belowType": "STOP_LOSS",
                "belowStopPrice": str(low),
            }
        )
        check_list(answer, "OCO", 2)
        stop_id, limit_id = (str(o["orderId"]) for o in answer["orders"])
        stop = await exchange.fetch_order(stop_id, "BTC/USDT")
        limit = await exchange.fetch_order(limit_id, "BTC/USDT")
        assert (stop["status"], float(stop["triggerPrice"])) == ("open", float(low))
        assert (limit["status"], limit["postOnly"], float(limit["price"])) == (
            "open",
            True,
            float(high),
        )
        assert stop["info"]["orderListId"] == limit["info"]["orderListId"] == answer["orderListId"]
        await tape.print_at(high, "BUY")
        assert (await exchange.fetch_order(limit_id, "BTC/USDT"))["status"] == "closed"
        assert (await exchange.fetch_order(stop_id, "BTC/USDT"))["status"] == "expired"
        done = await exchange.privateGetOrderList({"orderListId": answer["orderListId"]})
        assert (done["listStatusType"], done["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
        assert await exchange.fetch_open_orders("BTC/USDT") == []


async def test_the_older_oco_endpoint_and_cancelling_the_list():
    async with ccxt_binance() as (exchange, tape):
        high, low = await _levels(tape)
        answer = await exchange.privatePostOrderOco(
            {
                "symbol": SYMBOL,
                "side": "SELL",
                "quantity": "0.01",
                "price": str(high),
                "stopPrice": str(low),
                "stopLimitPrice": str(low - 1),
                "stopLimitTimeInForce": "GTC",
            }
        )
        check_list(answer, "OCO", 2)
        assert [r["type"] for r in answer["orderReports"]] == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]
        assert len(await exchange.fetch_open_orders("BTC/USDT")) == 2
        cancelled = await exchange.privateDeleteOrderList(
            {"symbol": SYMBOL, "listClientOrderId": answer["listClientOrderId"]}
        )
        check_list(cancelled, "OCO", 2, CANCELED_REPORT)
        assert await exchange.fetch_open_orders("BTC/USDT") == []
        assert (await exchange.fetch_balance())["BTC"]["used"] == 0


async def test_a_refused_list_raises_ccxts_invalid_order_and_places_nothing():
    async with ccxt_binance() as (exchange, tape):
        high, low = await _levels(tape)
        with pytest.raises(ccxt.InvalidOrder, match="-2010"):
            await exchange.privatePostOrderListOco(
                {
                    "symbol": SYMBOL,
                    "side": "BUY",
                    "quantity": "0.01",
                    "aboveType": "STOP_LOSS",
                    "aboveStopPrice": str(low),
                    "belowType": "LIMIT_MAKER",
                    "belowPrice": str(low - 10),
                }
            )
        assert await exchange.fetch_open_orders("BTC/USDT") == []
        assert await exchange.privateGetAllOrderList() == []
