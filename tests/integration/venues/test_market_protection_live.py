"""A protected market order on the live venues, against the loopback exchange (issue 13.6): with
a buy of ours resting 100 bps under the bid, a market sell is not a self-cross (before: DENIED
SELF_CROSS), and it reaches the exchange as a limit IOC at its protection price, since Binance
spot's MARKET order has no price protection (native venue and ccxt alike)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tests.ccxt_session import REST_ONLY, ccxt_kernel, order_of
from tests.live_session import LiveSession, canary_keys, exchange_settings
from tests.loopback_session import wait_until
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus, OrderType
from tradeterm.runtime.kernel import Kernel
from tradeterm.venues.loopback import LoopbackServer
from tradeterm.trading.results import OrderSent


async def sell_at_market_past_a_far_bid(kernel: Kernel, server: LoopbackServer, key: str) -> None:
    server.exchange.market.pause()
    await asyncio.sleep(0.2)  # a polled book catches up
    inst = next(iter(kernel.instruments.values()))
    book = kernel.views.books[inst.id]
    far = inst.price_to_ticks_rounded(
        inst.ticks_to_price(book.best_bid) * Decimal("0.99"), up=False
    )
    sent = kernel.submit(
        SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            Side.BUY,
            inst.qty_to_lots("0.001"),
            price=far,
        )
    )
    assert isinstance(sent, OrderSent), sent
    rest = sent.order
    await wait_until(
        lambda: order_of(kernel, rest.client_order_id).status is OrderStatus.ACCEPTED,
        3,
        "the resting buy",
    )
    mid_x2 = book.best_bid + book.best_ask
    sent = kernel.submit(
        SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            Side.SELL,
            inst.qty_to_lots("0.002"),
            OrderType.MARKET,
        )
    )
    assert isinstance(sent, OrderSent), sent
    sell = sent.order
    protection = -(-mid_x2 * 9_950 // 20_000)  # 50 bps under the mid, rounded up to a tick
    assert sell.price == protection
    await wait_until(
        lambda: order_of(kernel, sell.client_order_id).status is OrderStatus.FILLED,
        3,
        "the market sell filled",
    )
    placed = [
        o for o in server.exchange.accounts[key].orders if o.client_order_id == sell.client_order_id
    ]
    assert [(o.type, o.tif, o.price) for o in placed] == [
        ("LIMIT", "IOC", inst.ticks_to_price(protection))
    ]

    def told() -> list:  # the fills pane hears of a fill once its record is on disk
        return [f for f in kernel.views.fills.items if f.client_order_id == sell.client_order_id]

    await wait_until(told, 3, "the fills told")
    assert all(f.price >= protection for f in told())
    assert order_of(kernel, rest.client_order_id).status is OrderStatus.ACCEPTED  # untouched


async def test_native_binance_sends_a_market_order_as_a_limit_ioc_at_its_protection(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        session = LiveSession(server, tmp_path, key, secret)
        kernel = await session.start()
        await sell_at_market_past_a_far_bid(kernel, server, key)
        await session.stop()


async def test_ccxt_sends_a_market_order_as_a_limit_ioc_at_its_protection(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        kernel, _venue, task = await ccxt_kernel(server, tmp_path, key, secret, **REST_ONLY)
        await sell_at_market_past_a_far_bid(kernel, server, key)
        kernel.request_stop()
        await asyncio.wait_for(task, 10)
