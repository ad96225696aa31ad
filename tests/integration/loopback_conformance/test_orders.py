"""Order entry through python-binance and ccxt: orders, test orders, cancel-replace, the open
orders, trades and account, each answer with Binance's documented fields."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.loopback_conformance import shapes
from tests.integration.loopback_conformance.conftest import signed, signed_answer

BUY = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}


async def _best(client) -> tuple[Decimal, Decimal]:
    top = await client.get_orderbook_ticker(symbol="BTCUSDT")
    return Decimal(top["bidPrice"]), Decimal(top["askPrice"])


async def _resting_buy(client, cid: str = "") -> dict:
    bid, _ = await _best(client)
    extra = {"newClientOrderId": cid} if cid else {}
    return await client.create_order(
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity="0.01",
        price=str(bid - 500),
        **extra,
    )


async def test_order_lifecycle(client):
    placed = await _resting_buy(client, "conf-1")
    assert shapes.has_fields(placed, shapes.ORDER_FULL) and placed["status"] == "NEW"
    got = await client.get_order(symbol="BTCUSDT", origClientOrderId="conf-1")
    assert shapes.has_fields(got, shapes.ORDER) and got["orderId"] == placed["orderId"]
    (open_one,) = await client.get_open_orders(symbol="BTCUSDT")
    assert open_one["orderId"] == placed["orderId"]
    canceled = await client.cancel_order(symbol="BTCUSDT", orderId=placed["orderId"])
    assert shapes.has_fields(canceled, shapes.CANCELED_ORDER)
    assert canceled["status"] == "CANCELED" and canceled["origClientOrderId"] == "conf-1"
    taken = await client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01")
    assert taken["status"] == "FILLED" and taken["fills"]
    assert all(shapes.has_fields(f, shapes.FILL) for f in taken["fills"])
    mine = await client.get_my_trades(symbol="BTCUSDT")
    assert mine and all(shapes.has_fields(t, shapes.MY_TRADE) for t in mine)
    assert {t["orderId"] for t in mine} == {taken["orderId"]}
    history = await client.get_all_orders(symbol="BTCUSDT")
    assert [o["orderId"] for o in history] == [placed["orderId"], taken["orderId"]]
    account = await client.get_account()
    btc = next(b for b in account["balances"] if b["asset"] == "BTC")
    assert Decimal(btc["free"]) > 10  # bought 0.01, less the commission in BTC


async def test_cancel_all_open_orders(client):
    first, second = await _resting_buy(client), await _resting_buy(client)
    canceled = await client.cancel_all_open_orders(symbol="BTCUSDT")
    assert {o["orderId"] for o in canceled} == {first["orderId"], second["orderId"]}
    assert all(shapes.has_fields(o, shapes.CANCELED_ORDER) for o in canceled)
    assert await client.get_open_orders(symbol="BTCUSDT") == []
    from binance.exceptions import BinanceAPIException

    with pytest.raises(BinanceAPIException) as err:  # nothing left to cancel
        await client.cancel_all_open_orders(symbol="BTCUSDT")
    assert (err.value.code, err.value.status_code) == (-2011, 400)


async def test_test_order_checks_everything_and_places_nothing(client):
    from binance.exceptions import BinanceAPIException

    bid, _ = await _best(client)
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    assert await client.create_test_order(**order, quantity="0.01", price=str(bid - 500)) == {}
    rates = await client.create_test_order(
        **order, quantity="0.01", price=str(bid - 500), computeCommissionRates="true"
    )
    assert shapes.has_fields(rates, shapes.TEST_ORDER_COMMISSIONS)
    assert rates["standardCommissionForOrder"] == {"maker": "0.00100000", "taker": "0.00100000"}
    with pytest.raises(BinanceAPIException) as err:
        await client.create_test_order(**order, quantity="0.000001", price=str(bid))
    assert err.value.code == -1013  # LOT_SIZE, as a real order
    with pytest.raises(BinanceAPIException) as err:
        await client.create_test_order(**order, quantity="100", price=str(bid - 500))
    assert err.value.code == -2010  # 6 million USDT: more than the account has
    assert await client.get_open_orders(symbol="BTCUSDT") == []
    assert await client.get_all_orders(symbol="BTCUSDT") == []
    account = await client.get_account()
    usdt = next(b for b in account["balances"] if b["asset"] == "USDT")
    assert Decimal(usdt["locked"]) == 0


async def test_cancel_replace(client):
    from binance.exceptions import BinanceAPIException

    old = await _resting_buy(client)
    bid, _ = await _best(client)
    new = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    done = await client.cancel_replace_order(
        **new,
        quantity="0.02",
        price=str(bid - 400),
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=old["orderId"],
    )
    assert shapes.has_fields(done, shapes.CANCEL_REPLACE)
    assert (done["cancelResult"], done["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert shapes.has_fields(done["cancelResponse"], shapes.CANCELED_ORDER)
    assert done["cancelResponse"]["status"] == "CANCELED"
    assert done["newOrderResponse"]["origQty"] == "0.02000000"
    replaced = done["newOrderResponse"]["orderId"]

    with pytest.raises(BinanceAPIException) as err:  # the old one is gone: nothing is placed
        await client.cancel_replace_order(
            **new,
            quantity="0.02",
            price=str(bid - 400),
            cancelReplaceMode="STOP_ON_FAILURE",
            cancelOrderId=old["orderId"],
        )
    assert (err.value.status_code, err.value.code) == (400, -2022)
    with pytest.raises(BinanceAPIException) as err:  # cancelled, the new order refused: 409
        await client.cancel_replace_order(
            **new,
            quantity="0.000001",
            price=str(bid - 400),
            cancelReplaceMode="ALLOW_FAILURE",
            cancelOrderId=replaced,
        )
    assert (err.value.status_code, err.value.code) == (409, -2021)
    assert await client.get_open_orders(symbol="BTCUSDT") == []


async def test_cancel_replace_failures_carry_both_outcomes(http):
    old = await signed(http, "POST", "/api/v3/order", **BUY, quantity="0.01", price="50000")
    status, body = await signed_answer(
        http, "POST", "/api/v3/order/cancelReplace", **BUY, quantity="0.01", price="50000.001",
        cancelReplaceMode="ALLOW_FAILURE", cancelOrderId=old["orderId"] + 1000,
    )  # fmt: skip
    assert status == 400 and shapes.has_fields(body, shapes.ERROR | {"data"})
    assert body["code"] == -2022 and shapes.has_fields(body["data"], shapes.CANCEL_REPLACE)
    assert body["data"]["cancelResponse"] == {"code": -2011, "msg": "Unknown order sent."}
    assert body["data"]["newOrderResponse"]["code"] == -1013  # PRICE_FILTER
    status, body = await signed_answer(
        http, "POST", "/api/v3/order/cancelReplace", **BUY, quantity="0.01", price="50001",
        cancelReplaceMode="ALLOW_FAILURE", cancelOrderId=old["orderId"] + 1000,
    )  # fmt: skip
    assert (status, body["code"]) == (409, -2021)
    assert (body["data"]["cancelResult"], body["data"]["newOrderResult"]) == ("FAILURE", "SUCCESS")
    assert body["data"]["newOrderResponse"]["status"] == "NEW"
    status, body = await signed_answer(
        http, "POST", "/api/v3/order/cancelReplace", **BUY, quantity="0.01", price="50002",
        cancelReplaceMode="STOP_ON_FAILURE", cancelOrderId=old["orderId"],
        cancelRestrictions="ONLY_PARTIALLY_FILLED",
    )  # fmt: skip
    assert (status, body["code"]) == (400, -2022)
    assert body["data"]["newOrderResult"] == "NOT_ATTEMPTED"
    assert body["data"]["newOrderResponse"] is None
    assert body["data"]["cancelResponse"]["code"] == -2011


async def test_ccxt_trades_and_reads_its_orders(server, ccxt_binance):
    await ccxt_binance.load_markets()
    book = await ccxt_binance.fetch_order_book("BTC/USDT", 5)
    resting = await ccxt_binance.create_order(
        "BTC/USDT", "limit", "buy", 0.01, book["bids"][0][0] - 500
    )
    assert resting["status"] == "open" and resting["id"]
    fetched = await ccxt_binance.fetch_order(resting["id"], "BTC/USDT")
    assert fetched["id"] == resting["id"] and fetched["amount"] == 0.01
    canceled = await ccxt_binance.cancel_order(resting["id"], "BTC/USDT")
    assert canceled["status"] == "canceled"
    taken = await ccxt_binance.create_order("BTC/USDT", "market", "sell", 0.01)
    assert taken["status"] == "closed" and taken["filled"] == 0.01
    trades = await ccxt_binance.fetch_my_trades("BTC/USDT")
    assert trades and {t["order"] for t in trades} == {taken["id"]}
    balance = await ccxt_binance.fetch_balance()
    assert balance["BTC"]["free"] == pytest.approx(9.99)
