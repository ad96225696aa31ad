"""Every pre-trade check denies with its own reason code; a good order passes all of them."""

import random
from decimal import Decimal

import pytest

from tests.trading_harness import BTC, ETH, MID, Harness
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderDenied, TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.risk import codes
from tradeterm.trading.results import Denied, OrderSent


async def started(**sections) -> Harness:
    h = Harness(**sections)
    await h.start()
    return h


def denied(result, code: str) -> None:
    assert isinstance(result, OrderDenied), f"expected {code}, the order passed"
    assert result.reason == code, (result.reason, result.message)
    assert result.message


async def test_a_good_order_passes_every_check_and_reaches_the_venue():
    h = await started()
    result = h.submit(Side.BUY, 100, MID - 2)
    assert isinstance(result, Order)
    assert [o.client_order_id for o in h.venue.sent] == [result.client_order_id]
    preview = h.desk.preview(h.order(Side.SELL, 100, MID + 4))
    assert len(preview) == 14 and all(r.passed for r in preview), preview


async def test_not_reconciled_before_start():
    h = Harness()
    denied(h.submit(), codes.NOT_RECONCILED)
    assert not h.venue.sent


async def test_kill_switch_denies():
    h = await started()
    h.desk.kill.trip("test", "command")
    denied(h.submit(), codes.KILL_SWITCH)


async def test_reducing_denies_an_order_that_grows_the_position():
    h = await started()
    h.desk.kill.rearm("step down", TradingState.REDUCING)
    denied(h.submit(Side.BUY, 100), codes.REDUCING_ONLY)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"inst": None}, codes.UNKNOWN_INSTRUMENT),
        ({"qty": 0}, codes.LOT_SIZE),
        ({"qty": -5}, codes.LOT_SIZE),
        ({"qty": 1.5}, codes.LOT_SIZE),
        ({"price": 0}, codes.TICK_SIZE),
        ({"price": -10}, codes.TICK_SIZE),
        ({"price": 119_999.5}, codes.TICK_SIZE),
        ({"price": MID, "order_type": OrderType.STOP_MARKET}, codes.UNSUPPORTED),
        ({"price": MID - 2, "display_qty": 10}, codes.UNSUPPORTED),
        ({"price": MID * 2}, codes.PRICE_BAND),
        ({"price": MID // 2}, codes.PRICE_BAND),
        ({"reduce_only": True}, codes.REDUCE_ONLY),
    ],
)
async def test_order_level_checks(kwargs, code):
    h = await started()
    inst_id = "fake:DOGE/USD" if kwargs.pop("inst", 1) is None else BTC.id
    fields = {"qty": 100, "price": MID - 2, "order_type": OrderType.LIMIT, **kwargs}
    cmd = SubmitOrder(
        h.clock.timestamp_ns(),
        h.desk.ids.next(),
        inst_id,
        Side.BUY,
        fields.pop("qty"),
        fields.pop("order_type"),
        fields.pop("price"),
        **fields,
    )
    denied(h.send(cmd), code)
    assert not h.venue.sent


async def test_limit_order_without_a_price_is_a_tick_size_denial():
    h = await started()
    cmd = SubmitOrder(
        h.clock.timestamp_ns(), h.desk.ids.next(), BTC.id, Side.BUY, 100, OrderType.LIMIT, None
    )
    denied(h.send(cmd), codes.TICK_SIZE)


async def test_max_order_qty():
    h = await started(risk={"instruments": {"BTC/USD": {"max_order_qty": "0.01"}}})
    assert isinstance(h.submit(Side.BUY, 100), Order)  # exactly the limit
    denied(h.submit(Side.BUY, 101, MID - 4), codes.MAX_ORDER_QTY)


async def test_max_order_notional_limit_and_market_orders():
    h = await started(risk={"max_order_notional": "1000"})
    denied(h.submit(Side.BUY, 200), codes.MAX_ORDER_NOTIONAL)  # 0.02 BTC ~ 1200 USD
    denied(h.submit(Side.SELL, 200, None), codes.MAX_ORDER_NOTIONAL)  # market: at the mid
    assert isinstance(h.submit(Side.BUY, 150), Order)  # ~900 USD


async def test_min_notional():
    h = await started()
    denied(h.submit(Side.BUY, 1, 60_000, inst=ETH), codes.MIN_NOTIONAL)  # 0.001 ETH = 3 USD


async def test_no_reference_price():
    h = await started()
    h.book(ETH, 0, 0, size=0)  # an empty book and no trades yet
    h.views.books[ETH.id].bids.clear()
    h.views.books[ETH.id].asks.clear()
    denied(h.submit(Side.BUY, 10, 60_000, inst=ETH), codes.NO_REFERENCE_PRICE)
    h.trade(ETH, 60_000)  # the last trade is a reference too
    assert isinstance(h.submit(Side.BUY, 10, 60_000, inst=ETH), Order)


async def test_max_position_counts_working_orders():
    h = await started(risk={"instruments": {"BTC/USD": {"max_position": "0.02"}}})
    assert isinstance(h.submit(Side.BUY, 150, MID - 2), Order)
    denied(h.submit(Side.BUY, 100, MID - 4), codes.MAX_POSITION)  # 150 working + 100 > 200
    assert isinstance(h.submit(Side.BUY, 50, MID - 4), Order)  # exactly 200


async def test_max_position_notional_and_reducing_orders_always_pass():
    h = await started(risk={"max_position_notional": "10000"})
    denied(h.submit(Side.BUY, 2_000), codes.MAX_POSITION)  # 0.2 BTC = 12,000 USD
    buy = h.submit(Side.BUY, 1_500)
    h.venue.fill(buy.client_order_id, 1_500)
    assert h.desk.portfolio.qty(BTC.id) == 1_500
    assert isinstance(h.submit(Side.SELL, 1_000, MID + 2), Order)  # reduces: passes


async def test_max_open_orders():
    h = await started(risk={"max_open_orders": 2})
    assert isinstance(h.submit(Side.BUY, 100, MID - 2), Order)
    assert isinstance(h.submit(Side.BUY, 100, MID - 4), Order)
    denied(h.submit(Side.BUY, 100, MID - 6), codes.MAX_OPEN_ORDERS)


async def test_self_cross():
    h = await started()
    assert isinstance(h.submit(Side.SELL, 100, MID + 2), Order)
    denied(h.submit(Side.BUY, 100, MID + 2), codes.SELF_CROSS)
    denied(h.submit(Side.BUY, 100, None), codes.SELF_CROSS)  # a market buy too
    assert isinstance(h.submit(Side.BUY, 100, MID), Order)  # below our ask: fine


async def test_duplicate_window():
    h = await started(risk={"duplicate_window_ms": 250})
    assert isinstance(h.submit(Side.BUY, 100, MID - 2), Order)
    denied(h.submit(Side.BUY, 100, MID - 2), codes.DUPLICATE_ORDER)
    h.advance(0.3)
    assert isinstance(h.submit(Side.BUY, 100, MID - 2), Order)


async def test_rate_limit_global_and_venue():
    h = await started(risk={"orders_per_second": 1, "order_burst": 2})
    assert isinstance(h.submit(Side.BUY, 100, MID - 2), Order)
    assert isinstance(h.submit(Side.BUY, 100, MID - 4), Order)
    denied(h.submit(Side.BUY, 100, MID - 6), codes.RATE_LIMIT)
    h.advance(1.0)
    assert isinstance(h.submit(Side.BUY, 100, MID - 6), Order)

    v = await started(risk={"venue_orders_per_second": 1, "venue_order_burst": 1})
    assert isinstance(v.submit(Side.BUY, 100, MID - 2), Order)
    result = v.submit(Side.BUY, 100, MID - 4)
    denied(result, codes.RATE_LIMIT)
    assert "fake" in result.message


async def test_denied_orders_take_no_throttle_token():
    h = await started(risk={"orders_per_second": 1, "order_burst": 1})
    for _ in range(5):
        denied(h.submit(Side.BUY, 100, MID * 2), codes.PRICE_BAND)
    assert isinstance(h.submit(Side.BUY, 100, MID - 2), Order)


async def test_preview_reports_every_check_without_side_effects():
    h = await started(risk={"orders_per_second": 1, "order_burst": 1})
    bad = h.order(Side.BUY, 0, MID * 3)
    results = {r.check: r for r in h.desk.preview(bad)}
    assert not results["tick / lot"].passed and results["tick / lot"].code == codes.LOT_SIZE
    assert not results["price band"].passed and results["price band"].code == codes.PRICE_BAND
    assert results["trading state"].passed and results["self-cross"].passed
    for _ in range(3):  # previews take no throttle token
        assert all(r.passed for r in h.desk.preview(h.order(Side.BUY, 100, MID - 2)))
    assert isinstance(h.submit(Side.BUY, 100, MID - 2), Order)


async def test_preview_decimal_names_the_increment():
    h = await started()
    results = {
        r.check: r for r in h.desk.risk.preview_decimal(BTC.id, Side.BUY, "0.00015", "60000.25")
    }
    assert results["tick / lot"].code == codes.LOT_SIZE
    assert "0.0001" in results["tick / lot"].message and "0.5" in results["tick / lot"].message
    ok = h.desk.risk.preview_decimal(BTC.id, Side.BUY, Decimal("0.01"), Decimal("59999"))
    assert all(r.passed for r in ok)


async def test_ten_thousand_random_submissions_while_halted_none_accepted():
    h = await started(risk={"orders_per_second": 1e6, "order_burst": 10**6})
    h.desk.kill.trip("test: everything must be denied", "command")
    rng = random.Random(4)
    insts = [BTC.id, ETH.id, "fake:DOGE/USD"]
    results = []
    for _ in range(10_000):
        side = rng.choice([Side.BUY, Side.SELL])
        price = rng.choice([None, MID, MID - 2, MID + 2, 60_000, 1, MID * 3])
        cmd = SubmitOrder(
            h.clock.timestamp_ns(),
            h.desk.ids.next(),
            rng.choice(insts),
            side,
            rng.choice([1, 10, 100, 10_000]),
            OrderType.MARKET if price is None else OrderType.LIMIT,
            price,
            tif=rng.choice(list(TimeInForce)),
            reduce_only=rng.random() < 0.3,
            source=rng.choice(["manual", "quoter", "cli", "flatten"]),
        )
        results.append(h.desk.execute(cmd))
        if rng.random() < 0.05:
            h.advance(0.01)
    assert all(isinstance(r, Denied) and r.denial.reason == codes.KILL_SWITCH for r in results)
    assert h.venue.sent == [] and h.store.load_orders() == []


async def test_quoter_submissions_while_halted_are_all_denied():
    from tradeterm.quoter.placeholder import PlaceholderParams, PlaceholderQuoter

    h = await started(risk={"orders_per_second": 1e6, "order_burst": 10**6})
    sent = []

    def send(cmd):
        result = h.desk.execute(cmd)
        sent.append(result)
        return result

    quoter = PlaceholderQuoter(
        h.bus,
        h.clock,
        [BTC, ETH],
        h.views.books,
        h.views.orders,
        h.desk.portfolio.qty,
        send,
        h.desk.ids.next,
        PlaceholderParams(refresh_ms=10),
    )
    quoter.start()
    h.advance(0.05)
    assert any(isinstance(r, OrderSent) for r in sent)  # it quotes while ACTIVE
    h.desk.kill.trip("halt the quoter", "command")
    before = len(h.venue.sent)
    quoter.paused = False  # even a quoter that ignored the halt gets nowhere
    rng = random.Random(5)
    for _ in range(2_500):
        h.book(BTC, MID - rng.randint(1, 20), MID + rng.randint(1, 20))
        h.advance(0.01)
    submitted = [r for r in sent[-10_000:] if isinstance(r, (OrderSent, Denied))]
    assert len(h.venue.sent) == before
    assert quoter.sent > 2_000
    assert all(isinstance(r, Denied) for r in submitted[-2_000:])


async def test_reducing_lets_only_reducing_orders_through():
    h = await started(
        risk={"orders_per_second": 1e6, "order_burst": 10**6, "duplicate_window_ms": 0}
    )
    buy = h.submit(Side.BUY, 500)
    h.venue.fill(buy.client_order_id, 500)
    h.desk.kill.rearm("wind down", TradingState.REDUCING)
    rng = random.Random(6)
    passed = []
    for _ in range(2_000):
        side = rng.choice([Side.BUY, Side.SELL])
        qty = rng.choice([1, 50, 200, 500, 501, 1000])
        price = MID + 2 if side is Side.SELL else MID - 2
        result = h.submit(side, qty, price)
        if isinstance(result, Order):
            passed.append(result)
            # working sells + position never go short
            exposure = h.desk.oms.exposure(BTC.id)
            assert exposure[1] <= h.desk.portfolio.qty(BTC.id)
            if rng.random() < 0.5:
                h.desk.oms.cancel(result.client_order_id)
        else:
            assert result.reason in (codes.REDUCING_ONLY, codes.SELF_CROSS), result
    assert passed and all(o.side is Side.SELL for o in passed)
    assert h.submit(Side.BUY, 1, MID - 2).reason == codes.REDUCING_ONLY


async def test_the_inline_path_never_passes_what_the_check_chain_denies():
    h = await started(
        risk={
            "max_open_orders": 6,
            "orders_per_second": 20,
            "order_burst": 4,
            "duplicate_window_ms": 100,
            "price_band_bps": 50,
            "max_order_notional": "3000",
            "max_position_notional": "5000",
            "instruments": {"BTC/USD": {"max_position": "0.05", "max_order_qty": "0.04"}},
        }
    )
    risk = h.desk.risk
    rng = random.Random(9)
    verdicts = {"pass": 0}
    for _ in range(3_000):
        side = rng.choice([Side.BUY, Side.SELL])
        price = MID + rng.choice([-700, -320, -300, -8, -2, 0, 2, 8, 300, 320, 700])
        qty = rng.choice([1, 10, 100, 300, 400, 401, 600])
        cmd = h.order(
            side, qty, price if rng.random() < 0.9 else None, reduce_only=rng.random() < 0.1
        )
        lim = risk.limits[BTC.id]
        fast = risk.check(cmd, commit=False)
        chain = risk._chain(cmd, lim, h.clock.timestamp_ns(), commit=False)
        assert fast == chain, (cmd, fast, chain)
        verdicts["pass" if fast is None else fast[0]] = (
            verdicts.get("pass" if fast is None else fast[0], 0) + 1
        )
        if rng.random() < 0.3:  # change the context: orders, fills, cancels, time, the book
            result = h.send(cmd)
            if (
                isinstance(result, Order)
                and rng.random() < 0.3
                and result.client_order_id in h.desk.oms.working
            ):  # a market IOC is done
                h.venue.fill(result.client_order_id, result.qty)
        if rng.random() < 0.1 and h.desk.oms.working:
            h.desk.oms.cancel(rng.choice(list(h.desk.oms.working)))
        if rng.random() < 0.2:
            h.advance(rng.choice([0.01, 0.05, 0.3]))
        if rng.random() < 0.05:
            h.book(BTC, MID - rng.randint(1, 6), MID + rng.randint(1, 6))
    assert verdicts["pass"] > 150 and len(verdicts) >= 8, verdicts


async def test_a_reduce_only_sell_is_checked_against_what_the_balance_can_close():
    """A commission paid in the coin leaves the balance a little under the lots position: a
    spot venue refuses to sell the whole position (insufficient balance). Risk used the lots
    position and let it through; it now checks what can be closed (``closable_lots``)."""
    h = await started()
    buy = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(buy.client_order_id, 100, fee="0.000001", fee_currency="BTC")
    assert h.desk.portfolio.qty(BTC.id) == 100 and h.desk.portfolio.closable_lots(BTC.id) == 99
    result = h.submit(Side.SELL, 100, MID + 2, reduce_only=True)
    denied(result, codes.REDUCE_ONLY)
    assert "0.0099 BTC can be closed" in result.message, result.message
    assert isinstance(h.submit(Side.SELL, 99, MID + 2, reduce_only=True), Order)
    h.desk.kill.rearm("step down", TradingState.REDUCING)  # REDUCING judges the same way
    denied(h.submit(Side.SELL, 1, MID + 4), codes.REDUCING_ONLY)  # 99 working + 1 > 99


async def test_risk_messages_say_money_grouped_to_the_cent_and_sizes_in_base_units():
    """Issue 13.11: before, ``order value 7000000.00000 USD is over the limit 250000``."""
    h = await started(risk={"max_position_notional": "10000000"})
    result = h.submit(Side.BUY, 1_166_666, MID - 2)  # 116.6666 BTC at 59,999
    denied(result, codes.MAX_ORDER_NOTIONAL)
    assert result.message == ("order value 6,999,879.33 USD is over the limit 250,000.00 USD")
    small = h.submit(Side.BUY, 1, 60_000, inst=ETH)
    denied(small, codes.MIN_NOTIONAL)
    assert small.message == "order value 3.00 USD is below the minimum 5.00 USD"
