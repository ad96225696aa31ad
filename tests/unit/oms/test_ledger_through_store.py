"""Random fills through the whole path (venue -> OMS -> store -> portfolio), then a restart:
positions, realized PnL, fees and cash reconcile exactly, in memory and in the store."""

import random
from decimal import Decimal

import pytest

from tests.trading_harness import BTC, ETH, Harness
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order


@pytest.mark.parametrize(
    "orders", [400, pytest.param(1_500, marks=pytest.mark.slow)], ids=lambda n: f"{n}-orders"
)
async def test_random_fills_reconcile_exactly_across_a_restart(tmp_path, orders):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = Harness(
        url,
        oms={"synchronous": "NORMAL"},
        risk={
            "orders_per_second": 1e6,
            "order_burst": 10**6,
            "duplicate_window_ms": 0,
            "max_position_notional": "1e12",
            "max_order_notional": "1e12",
        },
    )
    await h.start()
    rng = random.Random(3)
    cash = {BTC.id: 0, ETH.id: 0}
    fees = Decimal(0)
    qty = {BTC.id: 0, ETH.id: 0}
    mids = {BTC.id: 120_000, ETH.id: 60_000}
    for _ in range(orders):  # each filled in random parts; the positions cross zero often
        inst = rng.choice([BTC, ETH])
        side = rng.choice([Side.BUY, Side.SELL])
        mid = mids[inst.id]
        price = mid + rng.randint(-40, 40)
        order = h.submit(side, rng.randint(5, 300), price, inst=inst)
        assert isinstance(order, Order), order
        left = order.qty
        while left:
            part = rng.randint(1, left)
            fill = h.venue.fill(
                order.client_order_id, part, price=price - int(side) * rng.randint(0, 3)
            )
            left -= part
            cash[inst.id] -= int(side) * fill.price * part
            qty[inst.id] += int(side) * part
            fees += fill.fee
    pf = h.desk.portfolio
    for iid in qty:
        pos = pf.position(iid)
        assert pos.qty == qty[iid] and pos.realized - pos.cost == cash[iid]
    assert sum((pf.position(i).fees for i in qty), Decimal(0)) == fees
    equity = h.views.portfolio.equity
    h.desk.stop()
    h.store.close()
    again = Harness(url)
    await again.start()
    for iid in qty:
        assert again.desk.portfolio.position(iid) == pf.position(iid)
    assert again.store.fill_sums() == {i: q for i, q in qty.items() if q}
    assert again.views.portfolio.equity == equity
