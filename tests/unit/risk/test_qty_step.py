"""Pre-trade risk checks the venue's order step (``qty_step_lots``) like tick and min notional,
with its own reason code (issue 12.5); the placeholder quoter and the flattener size to it."""

import random
from decimal import Decimal

from tests.trading_harness import Harness
from tradeterm.domain.events import OrderDenied
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.risk import codes
from tradeterm.trading.results import Denied, OrderSent

# Binance spot BTCUSDT: book lot 1e-8, LOT_SIZE step 0.00001 = 1000 lots
STEPPED = Instrument(
    "fake",
    "BTC/USD",
    "BTC",
    "USD",
    Decimal("0.01"),
    Decimal("0.00000001"),
    Decimal(5),
    Decimal("0.001"),
    Decimal("0.001"),
    qty_step_lots=1000,
)
MID = 6_180_000  # 61,800.00


async def stepped(**sections) -> Harness:
    h = Harness(instruments=(STEPPED,), **sections)
    h.book(STEPPED, MID - 1, MID + 1)
    await h.start()
    return h


async def test_an_order_off_the_venue_step_is_denied_with_its_own_code():
    h = await stepped()
    result = h.submit(Side.BUY, 150_500, MID - 1, inst=STEPPED)  # 0.001505 BTC
    assert isinstance(result, OrderDenied) and result.reason == codes.QTY_STEP
    assert "0.001505" in result.message and "step 0.00001 BTC" in result.message
    assert not h.venue.sent
    assert isinstance(h.submit(Side.BUY, 150_000, MID - 1, inst=STEPPED), Order)
    market = h.order(Side.SELL, 100_001, None, inst=STEPPED)
    assert h.send(market).reason == codes.QTY_STEP  # market orders too
    reducing = h.order(Side.SELL, 1_500, MID + 1, inst=STEPPED, reduce_only=True)
    assert h.send(reducing).reason == codes.QTY_STEP  # the venue refuses it as well


async def test_preview_and_the_decimal_preview_name_the_step():
    h = await stepped()
    checks = {r.check: r for r in h.desk.preview(h.order(Side.BUY, 150_500, MID - 1, inst=STEPPED))}
    assert checks["tick / lot"].code == codes.QTY_STEP
    assert all(r.passed for name, r in checks.items() if name != "tick / lot")
    typed = {
        r.check: r
        for r in h.desk.risk.preview_decimal(STEPPED.id, Side.BUY, "0.001505", "61799.99")
    }
    assert typed["tick / lot"].code == codes.QTY_STEP
    assert "0.00001" in typed["tick / lot"].message


async def test_the_inline_path_agrees_with_the_chain_on_stepped_quantities():
    h = await stepped(
        risk={"duplicate_window_ms": 0, "orders_per_second": 1e6, "order_burst": 10**6}
    )
    risk, rng = h.desk.risk, random.Random(12)
    for _ in range(2_000):
        qty = 100_000 + rng.choice([0, 1, 999, 1000, 1001, 1500, 2000, 10_000, 12_345])
        cmd = h.order(
            rng.choice([Side.BUY, Side.SELL]), qty, MID + rng.choice([-3, -1, 1, 3]), inst=STEPPED
        )
        fast = risk.check(cmd, commit=False)
        chain = risk._chain(cmd, risk.limits[STEPPED.id], h.clock.timestamp_ns(), commit=False)
        assert fast == chain, (cmd, fast, chain)
        assert (fast is not None and fast[0] == codes.QTY_STEP) == bool(qty % 1000), (qty, fast)


async def test_the_flattener_sends_whole_steps_and_leaves_dust_below_one():
    h = await stepped(risk={"flatten_max_attempts": 2})
    buy = h.submit(Side.BUY, 300_000, MID - 1, inst=STEPPED)
    # off the step (as a position is once a commission is paid in the coin)
    h.venue.fill(buy.client_order_id, 299_503)
    h.venue.ioc_fill = 1.0
    h.desk.kill.trip("flatten", "key", flatten=True)
    flat = [o for o in h.venue.sent if o.reduce_only]
    assert [o.qty for o in flat] == [299_000]  # whole steps go out
    h.advance(1)
    assert h.desk.portfolio.qty(STEPPED.id) == 503
    assert h.desk.flattener.result == "flat"  # 503 lots (below one step) cannot be sold
    assert len([o for o in h.venue.sent if o.reduce_only]) == 1


async def test_the_placeholder_quoter_sizes_to_the_step():
    from tradeterm.quoter.placeholder import PlaceholderParams, PlaceholderQuoter

    h = await stepped()
    results = []

    def send(cmd):
        results.append(h.desk.execute(cmd))
        return results[-1]

    quoter = PlaceholderQuoter(
        h.bus,
        h.clock,
        [STEPPED],
        h.views.books,
        h.views.orders,
        h.desk.portfolio.qty,
        send,
        h.desk.ids.next,
        PlaceholderParams(refresh_ms=10),
    )
    quoter.start()
    h.advance(0.05)
    orders = [r.order for r in results if isinstance(r, OrderSent)]
    assert orders and not [r for r in results if isinstance(r, Denied)]
    assert all(o.qty % 1000 == 0 for o in orders)
    # about 1,000 USD: 0.01619 BTC at 61,800 rounds up to the step
    assert {o.qty for o in orders} == {1_619_000}
