import asyncio

import pytest

from tests.helpers import fast_kernel, run_fast
from tradeterm.core import topics
from tradeterm.domain.events import OrderAccepted, OrderCanceled, OrderFilled
from tradeterm.domain.market import Side, Trade
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.trading.results import OrderSent


def test_books_on_the_bus_mirror_the_exchange_books_exactly():
    kernel = run_fast(seed=3, seconds=20)
    for sim_book in kernel.data.books:
        book = kernel.views.books[sim_book.instrument.id]
        bids, asks = sim_book.engine.level_size
        assert book.bids == bids and book.asks == asks
        assert book.best_bid == sim_book.engine.best_bid
        assert not book.is_crossed and book.synced and book.gaps == 0


def test_trades_happen_and_stay_inside_the_market():
    kernel = fast_kernel(seed=4, seconds=30)
    trades: list[Trade] = []
    kernel.bus.subscribe("trade.*", trades.append)
    asyncio.run(kernel.run())
    assert len(trades) > 1000
    for inst in kernel.instruments.values():
        prices = [t.price for t in trades if t.instrument == inst.id]
        assert prices and max(prices) / min(prices) < 1.05  # no absurd prints
        sides = {t.aggressor for t in trades if t.instrument == inst.id}
        assert sides == {Side.BUY, Side.SELL}


def test_activity_is_configurable():
    calm = run_fast(seed=1, seconds=10, activity="calm").market.md_events
    busy = run_fast(seed=1, seconds=10, activity="busy").market.md_events
    assert 1_000 < calm < 5_000 and busy > 50 * calm


def _book_keeps_its_shape(seconds: float) -> None:
    kernel = run_fast(seed=5, seconds=seconds)
    for sim_book in kernel.data.books:
        bids, asks = sim_book.engine.level_size
        assert 20 < len(bids) < 400 and 20 < len(asks) < 400
        spread = sim_book.engine.best_ask - sim_book.engine.best_bid
        assert 1 <= spread < 20


def test_the_book_keeps_its_shape_over_a_run():
    _book_keeps_its_shape(150)


@pytest.mark.slow
def test_the_book_keeps_its_shape_over_a_long_run():
    _book_keeps_its_shape(1800)


def test_own_orders_trade_against_the_agents():
    kernel = fast_kernel(seed=9, seconds=5)
    events = []
    kernel.bus.subscribe(topics.orders("sim"), events.append)
    inst = next(iter(kernel.instruments.values()))

    async def scenario():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.01)
        book = kernel.views.books[inst.id]
        buy = Order("m1", inst.id, Side.BUY, qty=50, order_type=OrderType.MARKET)
        kernel.execution.submit_order(buy)
        rest = Order(
            "r1", inst.id, Side.SELL, qty=10, price=book.best_ask + 200, tif=TimeInForce.GTC
        )
        kernel.execution.submit_order(rest)
        rest.venue_order_id = next(
            e.venue_order_id
            for e in events
            if isinstance(e, OrderAccepted) and e.client_order_id == "r1"
        )
        kernel.execution.cancel_order(rest)
        kernel.request_stop()
        await task

    asyncio.run(scenario())
    fills = [e for e in events if isinstance(e, OrderFilled) and e.client_order_id == "m1"]
    assert sum(f.qty for f in fills) == 50 and fills[-1].leaves_qty == 0
    assert all(f.fee > 0 for f in fills)
    assert any(isinstance(e, OrderCanceled) and e.client_order_id == "r1" for e in events)


def test_invalid_own_order_is_rejected_with_a_reason():
    kernel = fast_kernel(seed=9, seconds=1)
    events = []
    kernel.bus.subscribe(topics.orders("sim"), events.append)
    kernel.execution.submit_order(Order("x", "sim:NOPE", Side.BUY, qty=1, price=1))
    kernel.execution.submit_order(Order("y", next(iter(kernel.instruments)), Side.BUY, qty=1))
    assert [(e.client_order_id, e.reason) for e in events] == [
        ("x", "UNKNOWN_INSTRUMENT"),
        ("y", "INVALID_PRICE"),
    ]


def test_a_subscriber_reacting_to_own_fills_cannot_corrupt_the_exchange():
    """An OMS or quoter that cancels and resubmits from inside an order-event handler must see
    the exchange in a consistent state (the venue publishes only after a match completes)."""
    kernel = fast_kernel(seed=21, seconds=20)
    inst = next(iter(kernel.instruments.values()))
    resting: dict[str, str] = {}
    seq = iter(range(10**6))

    def place(side):
        book = kernel.views.books[inst.id]
        if book.best_bid is None or book.best_ask is None:
            return
        price = book.best_bid if side is Side.BUY else book.best_ask
        kernel.execution.submit_order(Order(f"q{next(seq)}", inst.id, side, qty=3000, price=price))

    def on_order_event(event):
        if isinstance(event, OrderAccepted):
            resting[event.client_order_id] = event.venue_order_id
        elif isinstance(event, OrderFilled):
            vid = resting.get(event.client_order_id)
            if vid is not None and event.leaves_qty:  # cancel the rest and requote at once
                order = Order(event.client_order_id, inst.id, event.side, qty=3000, price=1)
                order.venue_order_id = vid
                kernel.execution.cancel_order(order)
            place(event.side)

    kernel.bus.subscribe(topics.orders("sim"), on_order_event)
    fills = []
    kernel.bus.subscribe(
        topics.orders("sim"), lambda e: fills.append(e) if isinstance(e, OrderFilled) else None
    )

    async def scenario():
        task = asyncio.create_task(kernel.run())
        while kernel.views.books[inst.id].best_bid is None:
            await asyncio.sleep(0)
        place(Side.BUY)
        place(Side.SELL)
        await task

    asyncio.run(scenario())
    assert len(fills) > 100 and any(f.leaves_qty for f in fills)
    assert not [line for line in kernel.views.log if line.level == "ERROR"]
    for sim_book in kernel.data.books:
        bids, asks = sim_book.engine.level_size
        book = kernel.views.books[sim_book.instrument.id]
        assert book.bids == bids and book.asks == asks and not book.is_crossed


def test_every_order_type_reaches_the_exchange_through_the_venue():
    from tradeterm.domain.events import (
        OrderUpdateRejected,
        OrderModified,
        OrderRejected,
        OrderTriggered,
    )

    kernel = fast_kernel(seed=9, seconds=5)
    events = []
    kernel.bus.subscribe(topics.orders("sim"), events.append)
    inst = next(iter(kernel.instruments.values()))

    async def scenario():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.01)
        book = kernel.views.books[inst.id]
        bid, ask = book.best_bid, book.best_ask
        venue = kernel.execution
        venue.submit_order(Order("po", inst.id, Side.BUY, qty=10, price=ask, post_only=True))
        rest = Order("r", inst.id, Side.BUY, qty=10, price=bid - 40)
        venue.submit_order(rest)
        rest.venue_order_id = next(
            e.venue_order_id
            for e in events  # as the OMS learns it
            if isinstance(e, OrderAccepted) and e.client_order_id == "r"
        )
        assert venue.modify_order(rest, bid - 41, 12)
        venue.submit_order(
            Order(
                "st",
                inst.id,
                Side.SELL,
                qty=5,
                trigger_price=bid - 400,
                order_type=OrderType.STOP_MARKET,
                tif=TimeInForce.IOC,
            )
        )
        venue.submit_order(Order("ro", inst.id, Side.SELL, qty=5, price=ask + 10, reduce_only=True))
        venue.submit_order(Order("ice", inst.id, Side.SELL, qty=50, price=ask + 60, display_qty=10))
        assert venue.cancel_all_orders(inst.id, Side.SELL) == 2  # the iceberg and the stop
        venue.cancel_order(
            Order("gone", inst.id, Side.BUY, qty=1, price=1, venue_order_id="999999")
        )
        kernel.request_stop()
        await task

    asyncio.run(scenario())
    rejects = {e.client_order_id: e.reason for e in events if isinstance(e, OrderRejected)}
    assert rejects == {"po": "POST_ONLY_WOULD_TAKE", "ro": "REDUCE_ONLY_WOULD_INCREASE"}
    modified = [e for e in events if isinstance(e, OrderModified)]
    assert modified and modified[0].qty == 12 and modified[0].client_order_id == "r"
    canceled = {e.client_order_id for e in events if isinstance(e, OrderCanceled)}
    assert {"ice", "st"} <= canceled and "r" not in canceled
    assert any(isinstance(e, OrderUpdateRejected) and e.client_order_id == "gone" for e in events)
    assert not any(isinstance(e, OrderTriggered) for e in events)


def test_a_market_order_never_trades_beyond_its_protection_price():
    """Issue 13.6: the simulated exchange takes a market order's protection price as its limit
    (the matching engine's native protection); the rest is cancelled, never swept further."""
    from tradeterm.config import load_settings
    from tradeterm.domain.commands import SubmitOrder
    from tradeterm.runtime.kernel import Kernel, RunOptions

    settings = load_settings(
        sim={"seed": 9},
        risk={
            "market_protection_bps": 5,
            "max_order_notional": "10000000",
            "max_position_notional": "10000000",
        },
    )
    kernel = Kernel(settings, RunOptions(mode="paper", fast=True, seconds=6, record=False))
    inst = next(i for i in kernel.instruments.values() if i.symbol == "SIM-BTC/USD")
    events, sent = [], []
    kernel.bus.subscribe(topics.orders("sim"), events.append)

    def sell(_ts: int) -> None:
        book = kernel.views.books[inst.id]
        mid_x2 = book.best_bid + book.best_ask
        sent.append(
            (
                kernel.submit(
                    SubmitOrder(
                        kernel.clock.timestamp_ns(),
                        kernel.next_order_id(),
                        inst.id,
                        Side.SELL,
                        inst.qty_to_lots("30"),
                        OrderType.MARKET,
                    )
                ),
                -(-mid_x2 * 9_995 // 20_000),
            )
        )  # 5 bps under the mid, on the tick grid

    kernel.clock.set_alert("test.sell", kernel.clock.timestamp_ns() + 3 * 10**9, sell)
    asyncio.run(kernel.run())
    ((result, protection),) = sent
    assert isinstance(result, OrderSent), result
    order = result.order
    assert order.price == protection and order.tif is TimeInForce.IOC
    fills = [
        e
        for e in events
        if isinstance(e, OrderFilled) and e.client_order_id == order.client_order_id
    ]
    assert fills and all(f.price >= protection for f in fills)
    assert sum(f.qty for f in fills) < order.qty  # 30 BTC: more than the book holds within 5 bps
    done = [
        e
        for e in events
        if isinstance(e, OrderCanceled) and e.client_order_id == order.client_order_id
    ]
    assert len(done) == 1  # the rest cancelled (IOC), never swept further
