"""A venue that does not answer during a reconciliation is retried with backoff within
``oms.reconcile_retry_s``; trading halts only when it stays unreachable past that (issue 12.2)."""

import asyncio

from tests.trading_harness import MID, Harness
from tradeterm.domain.events import ConnectionState, TradingState, VenueStatus
from tradeterm.domain.market import Side


def failing(h: Harness, times: int) -> list[int]:
    """The venue's open_orders answers 503-like errors ``times`` times, then normally."""
    calls = []
    real = h.venue.open_orders

    async def open_orders(instrument=None):
        calls.append(1)
        if len(calls) <= times:
            raise ConnectionError("HTTP 503")
        return await real(instrument)

    h.venue.open_orders = open_orders
    return calls


async def test_a_start_reconciliation_that_meets_503s_retries_and_opens_for_trading():
    h = Harness(oms={"reconcile_retry_s": 5})
    calls = failing(h, 2)
    assert await h.start()
    assert len(calls) == 3
    assert h.desk.killswitch.state is TradingState.ACTIVE
    assert h.desk.reconciliations[-1].clean
    assert h.submit(Side.BUY, 100, MID - 2).client_order_id  # trading


async def test_a_venue_unreachable_past_the_retry_time_halts_and_says_so():
    h = Harness(oms={"reconcile_retry_s": 0.3})
    calls = failing(h, 10**6)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert not await h.start()
    took = loop.time() - started
    assert 0.3 <= took < 2.0 and len(calls) >= 2
    ks = h.desk.killswitch
    assert ks.state is TradingState.HALTED and ks.source == "reconciliation"
    assert "unreachable for 0.3s" in ks.reason and "ConnectionError: HTTP 503" in ks.reason
    assert "did not answer" in h.views.status.trading_state_reason


async def test_a_reconciliation_after_a_reconnect_retries_too():
    h = Harness(oms={"reconcile_retry_s": 5})
    await h.start()
    calls = failing(h, 2)
    now = h.clock.timestamp_ns()
    for state in (
        ConnectionState.CONNECTED,
        ConnectionState.DISCONNECTED,
        ConnectionState.CONNECTED,
    ):
        h.bus.publish("venue.fake", VenueStatus(now, now, "fake", state))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if len(h.desk.reconciliations) == 2:
            break
    assert len(calls) == 3 and h.desk.reconciliations[-1].clean
    assert h.desk.killswitch.state is TradingState.ACTIVE


async def test_a_real_discrepancy_halts_at_once_without_retrying():
    h = Harness(oms={"reconcile_retry_s": 30})
    h.venue.account = {"fake:BTC/USD": 500}  # the venue holds what we never traded
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert not await h.start()
    assert loop.time() - started < 1.0
    assert "the venue's is 0.0500 BTC" in h.desk.killswitch.reason


async def test_an_order_whose_submit_is_still_in_flight_is_left_to_its_answer():
    """Found by the ccxt soak: the quoter submitted during a reconciliation, the venue had not
    processed the POST yet when the reconciliation asked, and the order was closed as never
    received; its fill two seconds later then tripped the kill switch."""
    from tradeterm.domain.orders import OrderStatus

    h = Harness()
    await h.start()
    h.venue.request_window_ns = 5_000_000_000  # Binance's recvWindow: a POST may land this late
    h.venue.auto_ack = False
    order = h.submit(Side.BUY, 100, MID - 2)
    del h.venue.orders[order.client_order_id]  # the POST is on its way: the venue knows nothing
    assert await h.desk.watch.reconcile("fake")
    assert order.status is OrderStatus.SUBMITTED and order.client_order_id in h.desk.oms.working
    h.venue.submit_order(order)  # now it arrives
    h.venue.ack(order.client_order_id)
    h.venue.fill(order.client_order_id, 100)
    assert order.status is OrderStatus.FILLED and h.desk.killswitch.state is TradingState.ACTIVE
