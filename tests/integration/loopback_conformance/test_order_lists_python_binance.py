"""Order lists on the loopback exchange through python-binance (a client nobody here wrote):
OCO, OTO and OTOCO placed, looked up and cancelled with the client's own methods, the answers
checked against Binance's documented fields, and the lists behaving as Binance documents: one
leg of an OCO trades or triggers and the other expires, the list goes ALL_DONE, an OTO's pending
order goes to work when the working one fills, a refused list places nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from binance.exceptions import BinanceAPIException

from tests.integration.loopback_conformance.shapes import ORDER
from tests.integration.loopback_conformance.order_list_fields import (
    CANCELED_REPORT,
    check_list,
)
from tests.integration.loopback_conformance.order_list_session import (
    SYMBOL,
    Tape,
    quiet_exchange,
)

QTY = Decimal("0.01")


async def balance(client: Any, asset: str) -> tuple[Decimal, Decimal]:
    found = await client.get_asset_balance(asset=asset)
    return Decimal(found["free"]), Decimal(found["locked"])


async def levels(tape: Tape) -> tuple[Decimal, Decimal]:
    """Prices well above and well below the market (and its last trade)."""
    bids, asks = await tape.book()
    last = await tape.last()
    return max(last, asks[0][0]) + 100, min(last, bids[0][0]) - 100


async def sell_oco(trader: Any, high: Decimal, low: Decimal) -> dict[str, Any]:
    return await trader.order_oco_sell(
        symbol=SYMBOL,
        quantity=str(QTY),
        aboveType="LIMIT_MAKER",
        abovePrice=str(high),
        belowType="STOP_LOSS",
        belowStopPrice=str(low),
    )


async def statuses(trader: Any, answer: dict[str, Any]) -> dict[str, str]:
    out = {}
    for order in answer["orders"]:
        found = await trader.get_order(symbol=SYMBOL, orderId=order["orderId"])
        assert ORDER <= set(found), ORDER - set(found)
        assert found["orderListId"] == answer["orderListId"]
        out[found["type"]] = found["status"]
    return out


async def test_an_oco_answers_in_binances_shape_and_reserves_once():
    async with quiet_exchange() as (_, trader, counterparty):
        high, low = await levels(Tape(counterparty))
        free_before, _ = await balance(trader, "BTC")
        answer = await sell_oco(trader, high, low)
        check_list(answer, "OCO", 2)
        assert (answer["listStatusType"], answer["listOrderStatus"]) == (
            "EXEC_STARTED",
            "EXECUTING",
        )
        stop, limit = answer["orderReports"]  # Binance lists the stop-loss order first
        assert (stop["type"], stop["stopPrice"], stop["workingTime"]) == (
            "STOP_LOSS",
            f"{low:.8f}",
            -1,
        )
        assert (limit["type"], limit["price"]) == ("LIMIT_MAKER", f"{high:.8f}")
        assert await balance(trader, "BTC") == (free_before - QTY, QTY)  # one reservation, not two
        by_id = await trader.v3_get_order_list(orderListId=answer["orderListId"])
        by_client_id = await trader.v3_get_order_list(origClientOrderId=answer["listClientOrderId"])
        check_list(by_id, "OCO", 2)
        assert by_id == by_client_id
        assert [o["orderListId"] for o in await trader.get_open_oco_orders()] == [
            answer["orderListId"]
        ]
        assert [o["orderListId"] for o in await trader.v3_get_all_order_list()] == [
            answer["orderListId"]
        ]
        plain = await trader.get_open_orders(symbol=SYMBOL)
        assert sorted(o["orderListId"] for o in plain) == [answer["orderListId"]] * 2


async def test_the_limit_leg_filling_expires_the_stop_and_ends_the_list():
    async with quiet_exchange() as (_, trader, counterparty):
        tape = Tape(counterparty)
        high, low = await levels(tape)
        answer = await sell_oco(trader, high, low)
        usdt_before, _ = await balance(trader, "USDT")
        await tape.print_at(high, "BUY")
        assert await statuses(trader, answer) == {"STOP_LOSS": "EXPIRED", "LIMIT_MAKER": "FILLED"}
        done = await trader.v3_get_order_list(orderListId=answer["orderListId"])
        assert (done["listStatusType"], done["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
        assert await trader.get_open_oco_orders() == []
        assert (await balance(trader, "BTC"))[1] == 0
        assert (await balance(trader, "USDT"))[0] > usdt_before


async def test_a_partial_fill_of_the_limit_leg_expires_the_stop():
    async with quiet_exchange() as (_, trader, counterparty):
        high, low = await levels(Tape(counterparty))
        answer = await sell_oco(trader, high, low)
        _, asks = await Tape(counterparty).book()
        ahead = sum((q for p, q in asks if p < high), Decimal(0))
        await counterparty.create_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            timeInForce="IOC",
            quantity=str(ahead + QTY / 2),
            price=str(high),
        )
        got = await statuses(trader, answer)
        assert got == {"STOP_LOSS": "EXPIRED", "LIMIT_MAKER": "PARTIALLY_FILLED"}
        done = await trader.v3_get_order_list(orderListId=answer["orderListId"])
        assert done["listOrderStatus"] == "ALL_DONE"
        assert await balance(trader, "BTC") == (Decimal(10) - QTY, QTY / 2)  # the rest still works


async def test_the_stop_leg_triggers_on_a_trade_through_its_stop_price():
    async with quiet_exchange() as (_, trader, counterparty):
        tape = Tape(counterparty)
        high, low = await levels(tape)
        answer = await sell_oco(trader, high, low)
        await tape.print_at(low, "SELL", extra=QTY)  # a trade at the stop; bids left to sell into
        assert await statuses(trader, answer) == {"STOP_LOSS": "FILLED", "LIMIT_MAKER": "EXPIRED"}
        done = await trader.v3_get_order_list(orderListId=answer["orderListId"])
        assert done["listOrderStatus"] == "ALL_DONE"
        assert await balance(trader, "BTC") == (Decimal(10) - QTY, Decimal(0))


async def test_cancelling_the_list_cancels_both_and_gives_the_funds_back():
    async with quiet_exchange() as (_, trader, counterparty):
        high, low = await levels(Tape(counterparty))
        answer = await sell_oco(trader, high, low)
        cancelled = await trader.v3_delete_order_list(
            symbol=SYMBOL, orderListId=answer["orderListId"]
        )
        check_list(cancelled, "OCO", 2, CANCELED_REPORT)
        assert cancelled["listOrderStatus"] == "ALL_DONE"
        assert [r["status"] for r in cancelled["orderReports"]] == ["CANCELED", "CANCELED"]
        assert await statuses(trader, answer) == {
            "STOP_LOSS": "CANCELED",
            "LIMIT_MAKER": "CANCELED",
        }
        assert await balance(trader, "BTC") == (Decimal(10), Decimal(0))
        with pytest.raises(BinanceAPIException) as refused:
            await trader.v3_delete_order_list(symbol=SYMBOL, orderListId=answer["orderListId"])
        assert refused.value.code == -2011


async def test_cancelling_one_leg_cancels_the_list():
    async with quiet_exchange() as (_, trader, counterparty):
        high, low = await levels(Tape(counterparty))
        answer = await sell_oco(trader, high, low)
        await trader.cancel_order(symbol=SYMBOL, orderId=answer["orders"][1]["orderId"])
        assert await statuses(trader, answer) == {
            "STOP_LOSS": "CANCELED",
            "LIMIT_MAKER": "CANCELED",
        }
        assert await trader.get_open_oco_orders() == []
        assert await balance(trader, "BTC") == (Decimal(10), Decimal(0))


@pytest.mark.parametrize(
    ("side", "above", "below", "code"),
    [
        ("SELL", "LIMIT_MAKER", "STOP_LOSS", -2010),  # prices the wrong way round
        ("SELL", "STOP_LOSS", "LIMIT_MAKER", -1166),
        ("BUY", "LIMIT_MAKER", "STOP_LOSS", -1165),
        ("SELL", "LIMIT_MAKER", "TAKE_PROFIT", -1168),
        ("SELL", "LIMIT", "STOP_LOSS", -1158),
    ],
)
async def test_a_refused_list_places_nothing(side, above, below, code):
    async with quiet_exchange() as (_, trader, counterparty):
        high, low = await levels(Tape(counterparty))
        prices = {"LIMIT_MAKER": "Price", "LIMIT": "Price", "STOP_LOSS": "StopPrice"}
        prices["TAKE_PROFIT"] = "StopPrice"
        params = {"symbol": SYMBOL, "side": side, "quantity": str(QTY)}
        params |= {"aboveType": above, "belowType": below}
        # the wrong way round: the above order below the market and the below order above it
        params["above" + prices[above]] = str(low)
        params["below" + prices[below]] = str(high)
        if above == "LIMIT":
            params["aboveTimeInForce"] = "GTC"
        with pytest.raises(BinanceAPIException) as refused:
            await trader.create_oco_order(**params)
        assert refused.value.code == code
        assert await trader.get_open_orders(symbol=SYMBOL) == []
        assert await trader.v3_get_all_order_list() == []
        assert (await balance(trader, "BTC"))[1] == 0
        assert (await balance(trader, "USDT"))[1] == 0


async def test_a_buy_oco_reserves_at_the_higher_of_its_prices():
    async with quiet_exchange() as (_, trader, counterparty):
        tape = Tape(counterparty)
        high, low = await levels(tape)
        answer = await trader.order_oco_buy(
            symbol=SYMBOL,
            quantity=str(QTY),
            aboveType="STOP_LOSS_LIMIT",
            aboveStopPrice=str(high),
            abovePrice=str(high + 5),
            aboveTimeInForce="GTC",
            belowType="LIMIT_MAKER",
            belowPrice=str(low),
        )
        check_list(answer, "OCO", 2)
        assert (await balance(trader, "USDT"))[1] == (high + 5) * QTY
        await tape.print_at(low, "SELL")
        assert await statuses(trader, answer) == {
            "STOP_LOSS_LIMIT": "EXPIRED",
            "LIMIT_MAKER": "FILLED",
        }
        assert (await balance(trader, "USDT"))[1] == 0  # what the fill did not use came back


async def test_an_oto_places_its_pending_order_when_the_working_one_fills():
    async with quiet_exchange() as (_, trader, counterparty):
        tape = Tape(counterparty)
        high, low = await levels(tape)
        answer = await trader.v3_post_order_list_oto(
            symbol=SYMBOL,
            workingType="LIMIT",
            workingSide="BUY",
            workingPrice=str(low),
            workingQuantity=str(QTY),
            workingTimeInForce="GTC",
            pendingType="LIMIT_MAKER",
            pendingSide="SELL",
            pendingPrice=str(high),
            pendingQuantity=str(QTY),
        )
        check_list(answer, "OTO", 2)
        working, pending = answer["orderReports"]
        assert (working["status"], pending["status"]) == ("NEW", "PENDING_NEW")
        await tape.print_at(low, "SELL")
        found = await trader.get_order(symbol=SYMBOL, orderId=pending["orderId"])
        assert (found["status"], found["isWorking"]) == ("NEW", True)
        done = await trader.v3_get_order_list(orderListId=answer["orderListId"])
        assert done["listOrderStatus"] == "ALL_DONE"
        assert (await balance(trader, "BTC"))[1] == QTY  # the pending sell locked its quantity


async def test_an_otoco_works_its_pending_pair_as_an_oco():
    async with quiet_exchange() as (_, trader, counterparty):
        tape = Tape(counterparty)
        high, low = await levels(tape)
        answer = await trader.v3_post_order_list_otoco(
            symbol=SYMBOL,
            workingType="LIMIT",
            workingSide="BUY",
            workingPrice=str(low),
            workingQuantity=str(QTY),
            workingTimeInForce="GTC",
            pendingSide="SELL",
            pendingQuantity=str(QTY),
            pendingAboveType="LIMIT_MAKER",
            pendingAbovePrice=str(high),
            pendingBelowType="STOP_LOSS",
            pendingBelowStopPrice=str(low - 50),
        )
        check_list(answer, "OTO", 3)
        assert [r["status"] for r in answer["orderReports"]] == [
            "NEW",
            "PENDING_NEW",
            "PENDING_NEW",
        ]
        await tape.print_at(low, "SELL")
        middle = await trader.v3_get_order_list(orderListId=answer["orderListId"])
        assert middle["listOrderStatus"] == "EXECUTING"
        await tape.print_at(high, "BUY")
        got = {}
        for order in answer["orders"][1:]:
            found = await trader.get_order(symbol=SYMBOL, orderId=order["orderId"])
            got[found["type"]] = found["status"]
        assert got == {"STOP_LOSS": "EXPIRED", "LIMIT_MAKER": "FILLED"}
        done = await trader.v3_get_order_list(orderListId=answer["orderListId"])
        assert done["listOrderStatus"] == "ALL_DONE"
        fee = QTY * Decimal("0.001")  # the buy's commission, in the asset bought
        assert await balance(trader, "BTC") == (Decimal(10) - fee, Decimal(0))
