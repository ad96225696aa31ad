"""Long run against a loopback exchange that misbehaves on a schedule (``-m slow``)."""

import asyncio

import pytest

from tests.loopback_session import (
    COUNTERPARTY_KEY,
    TRADER_KEY,
    TRADER_SECRET,
    Session,
    loopback_settings,
)
from tradeterm.domain.events import OrderAccepted, OrderFilled, OrderRejected
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.venues.binance_rest import Credentials
from tradeterm.venues.loopback import LoopbackServer

FAULTS = "drop=9,gap=4,stale=13:1.5,shutdown=17,delay=15,dup=0.05,5xx=0.05,timeout=0.03:1"


@pytest.mark.slow
async def test_every_fault_survived_for_a_minute():
    settings = loopback_settings(faults=FAULTS, events_per_second=1500)
    async with LoopbackServer(settings.exchange) as server:
        session = await Session(
            server,
            credentials=Credentials(TRADER_KEY, TRADER_SECRET),
            stale_after_s=0.5,
            request_timeout_s=0.5,
        ).start()
        inst = session.instrument()
        market = server.exchange.market.symbols["BTCUSDT"]
        counterparty = server.exchange.accounts[COUNTERPARTY_KEY]
        for i in range(60):
            await asyncio.sleep(1.0)
            bid = market.book.best_bid
            session.venue.submit_order(
                Order(f"soak-{i}", inst.id, Side.BUY, inst.qty_to_lots("0.001"), price=bid)
            )
            if i % 3 == 0:
                server.exchange.new_order(
                    counterparty,
                    {
                        "symbol": "BTCUSDT",
                        "side": "SELL",
                        "type": "LIMIT",
                        "timeInForce": "IOC",
                        "quantity": "0.05",
                        "price": market.price_str(bid),
                    },
                )
        await asyncio.sleep(3)  # let uncertain orders settle
        await session.wait_connected(10)
        await session.settle()
        assert session.book_matches_exchange("BTC/USDT")
        assert session.book_matches_exchange("ETH/USDT")
        assert session.crossed_shown == 0
        counts = server.injector.counts
        assert {"drop", "gap", "stale", "shutdown"} <= set(counts), counts
        # every order has exactly one outcome story and no order exists twice at the exchange
        ours = server.exchange.accounts[TRADER_KEY].orders
        assert len({o.client_order_id for o in ours}) == len(ours)
        for i in range(60):
            kinds = [type(e) for e in session.orders if e.client_order_id == f"soak-{i}"]
            assert kinds.count(OrderAccepted) <= 1 and kinds.count(OrderRejected) <= 1
            placed = [o for o in ours if o.client_order_id == f"soak-{i}"]
            if placed:
                fills = [
                    e
                    for e in session.orders
                    if e.client_order_id == f"soak-{i}" and isinstance(e, OrderFilled)
                ]
                assert sum(f.qty for f in fills) == inst.qty_to_lots(placed[0].executed), i
            else:
                assert OrderRejected in kinds or not kinds, i
        await session.stop()
