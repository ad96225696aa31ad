"""A held OCO's two orders as Binance's ``orderList/oco`` parameters: the limit order a
LIMIT_MAKER, the stop a STOP_LOSS (STOP_LOSS_LIMIT with a limit); above / below by side; each
order's client id kept; what Binance would refuse refused here."""

from decimal import Decimal

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType
from tradeterm.venues.binance_list_params import oco_params
from tradeterm.venues.binance_symbols import SymbolRules

INST = Instrument("binance", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"))
RULES = SymbolRules(
    "BTCUSDT",
    INST,
    1,
    1,
    10**9,
    Decimal(5),
    True,
    frozenset({"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT"}),
)


def limit(side: Side, price: str, qty: str = "0.01", coid: str = "L") -> Order:
    return Order(coid, INST.id, side, INST.qty_to_lots(qty), price=INST.parse_price(price))


def stop(side: Side, trigger: str, price: str | None = None, qty: str = "0.01") -> Order:
    kind = OrderType.STOP_LIMIT if price else OrderType.STOP_MARKET
    return Order(
        "S",
        INST.id,
        side,
        INST.qty_to_lots(qty),
        kind,
        INST.parse_price(price) if price else None,
        INST.parse_price(trigger),
    )


def test_a_sell_oco_has_its_limit_above_and_its_stop_below():
    p, problem = oco_params([limit(Side.SELL, "61800"), stop(Side.SELL, "61700")], RULES, "OCO1")
    assert problem is None
    assert p == {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.01000",
        "listClientOrderId": "OCO1",
        "newOrderRespType": "RESULT",
        "aboveType": "LIMIT_MAKER",
        "abovePrice": "61800.00",
        "aboveClientOrderId": "L",
        "belowType": "STOP_LOSS",
        "belowStopPrice": "61700.00",
        "belowClientOrderId": "S",
    }


def test_a_buy_oco_has_its_stop_limit_above_and_its_limit_below():
    orders = [stop(Side.BUY, "61800", "61810"), limit(Side.BUY, "61700")]
    p, problem = oco_params(orders, RULES, "OCO2")
    assert problem is None
    assert (p["aboveType"], p["aboveStopPrice"], p["abovePrice"]) == (
        "STOP_LOSS_LIMIT",
        "61800.00",
        "61810.00",
    )
    assert (p["aboveTimeInForce"], p["aboveClientOrderId"]) == ("GTC", "S")
    assert (p["belowType"], p["belowPrice"], p["belowClientOrderId"]) == (
        "LIMIT_MAKER",
        "61700.00",
        "L",
    )


def test_what_binance_would_refuse_is_refused_here():
    two_limits = [limit(Side.SELL, "61800"), limit(Side.SELL, "61700", coid="L2")]
    assert oco_params(two_limits, RULES, "X")[1][0] == "BAD_PARAMETER"
    sides = [limit(Side.SELL, "61800"), stop(Side.BUY, "61700")]
    assert oco_params(sides, RULES, "X")[1][0] == "BAD_PARAMETER"
    tiny = [limit(Side.SELL, "61800", "0.00001"), stop(Side.SELL, "61700", qty="0.00001")]
    assert oco_params(tiny, RULES, "X")[1][0] == "FILTER_NOTIONAL"
