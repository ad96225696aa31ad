"""Random trading around a loopback OCO (fills of its limit order, trades through its stop,
cancels of the list or of one order) never leaves both orders working once one has traded, and
never holds more of the trader's funds than the one reservation the pair's open quantity needs."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.loopback_session import COUNTERPARTY_KEY, TRADER_KEY, loopback_settings
from tradeterm.venues.loopback.errors import ApiError
from tradeterm.venues.loopback.exchange import LoopbackExchange

QTY = Decimal("0.01")
PRICES = [Decimal(p) for p in ("60900", "61000", "61500", "62000", "62100")]
SIZES = [Decimal(q) for q in ("0.001", "0.004", "0.01", "0.02")]

ACTIONS = st.one_of(
    st.tuples(st.just("buy"), st.sampled_from(PRICES), st.sampled_from(SIZES)),
    st.tuples(st.just("bid"), st.sampled_from(PRICES), st.sampled_from(SIZES)),
    st.tuples(st.just("print"), st.sampled_from(PRICES), st.sampled_from(SIZES)),
    st.tuples(st.just("cancel_list"), st.just(Decimal(0)), st.just(Decimal(0))),
    st.tuples(st.sampled_from(["leg_0", "leg_1"]), st.just(Decimal(0)), st.just(Decimal(0))),
)


def _order(exchange, account, side, price, qty, tif="GTC"):
    p = {"symbol": "BTCUSDT", "side": side, "type": "LIMIT", "timeInForce": tif}
    try:
        exchange.new_order(account, p | {"price": str(price), "quantity": str(qty)})
    except ApiError:
        pass  # refused (e.g. funds): nothing happened


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["STOP_LOSS", "STOP_LOSS_LIMIT"]), st.lists(ACTIONS, max_size=8))
def test_an_oco_never_works_both_orders_after_one_traded(stop_type, actions):
    exchange = LoopbackExchange(loopback_settings(seed_orders=1).exchange)
    trader, other = exchange.accounts[TRADER_KEY], exchange.accounts[COUNTERPARTY_KEY]
    request = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": str(QTY),
        "aboveType": "LIMIT_MAKER",
        "abovePrice": "62000",
        "belowType": stop_type,
        "belowStopPrice": "61000",
    }
    if stop_type == "STOP_LOSS_LIMIT":
        request |= {"belowPrice": "60900", "belowTimeInForce": "GTC"}
    answer = exchange.list_requests.oco(trader, request)
    order_list = exchange.lists.lists[answer["orderListId"]]
    legs = order_list.orders
    for kind, price, qty in actions:
        if kind == "buy":
            _order(exchange, other, "BUY", price, qty, "IOC")
        elif kind == "bid":
            _order(exchange, other, "BUY", price, qty)
        elif kind == "print":  # a trade at price: rest an offer there and take it
            _order(exchange, other, "SELL", price, Decimal("0.001"))
            _order(exchange, other, "BUY", price, Decimal("0.001"), "IOC")
        elif kind == "cancel_list" and order_list.active:
            exchange.list_queries.cancel(
                trader, {"symbol": "BTCUSDT", "orderListId": str(order_list.list_id)}
            )
        elif kind.startswith("leg_") and legs[int(kind[-1])].is_open:
            exchange.cancel_order(
                trader, {"symbol": "BTCUSDT", "orderId": str(legs[int(kind[-1])].order_id)}
            )
        traded = [o for o in legs if o.executed]
        assert len(traded) <= 1
        if traded or not order_list.pair_live:
            assert sum(o.is_open for o in legs) <= 1
            assert not order_list.active
        sold = sum((o.executed for o in legs), Decimal(0))
        btc = trader.balances["BTC"]
        open_qty = QTY - sold if any(o.is_open for o in legs) else Decimal(0)
        assert btc.locked == open_qty  # one reservation for the pair, never two
        assert btc.free + btc.locked + sold == Decimal(10)
        assert btc.free >= 0
        assert trader.balances["USDT"].locked == 0
