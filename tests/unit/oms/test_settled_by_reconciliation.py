"""Settling orders while the venue is reconciled on a reconnect: listings, positions and records
that raced the news are taken without a stuck order, a double adoption or a false kill-switch
trip (issues 11.9, 12.1, and races the state machine found)."""

import asyncio

from tests.trading_harness import BTC, MID, Harness
from tests.unit.oms.settling import hold_answers, reconnect, settle, started
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.domain.reports import OrderStatusReport

S = OrderStatus


async def test_a_reconnect_while_cancelling_a_never_placed_order_does_not_halt():
    h = await started()
    h.venue.auto_ack = False
    order = h.submit()
    del h.venue.orders[order.client_order_id]
    h.desk.oms.cancel(order.client_order_id)
    reconnect(h)
    await settle(h)
    assert h.desk.killswitch.state is TradingState.ACTIVE, h.desk.killswitch.reason
    assert order.status is S.REJECTED and order.reason == "NOT_RECEIVED"


async def test_an_adopted_external_order_keeps_its_fills_and_status():
    h = Harness()
    h.venue.orders["web-1"] = OrderStatusReport(
        "web-1", "V90", BTC.id, Side.SELL, 100, S.PARTIALLY_FILLED, 30, MID + 10
    )
    h.venue.account = None
    assert await h.start()
    adopted = h.desk.oms.working["web-1"]
    assert adopted.external and adopted.status is S.PARTIALLY_FILLED
    assert adopted.filled_qty == 30 and adopted.leaves_qty == 70
    assert h.desk.oms.exposure(BTC.id)[1] == 70  # risk counts what is left, not the whole


async def test_an_order_placed_elsewhere_that_filled_while_we_looked_is_not_left_working():
    h = Harness()
    h.venue.account = None
    h.venue.orders["web-1"] = OrderStatusReport(
        "web-1", "V90", BTC.id, Side.SELL, 100, S.ACCEPTED, 0, MID + 10
    )
    listing = h.venue.open_orders

    async def then_it_fills(instrument=None):
        listed = await listing(instrument)  # the listing says working...
        h.venue.fill("web-1", 100, publish=False)  # ...and it fills before we adopt it
        return listed

    h.venue.open_orders = then_it_fills
    assert await h.start()
    assert "web-1" not in h.desk.oms.working
    assert h.store.load_order("web-1").status is S.FILLED
    assert h.desk.portfolio.qty(BTC.id) == -100


async def test_a_fill_in_flight_during_a_reconciliation_is_not_a_position_mismatch():
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    positions = h.venue.positions

    async def a_fill_lands_meanwhile():
        h.venue.fill(order.client_order_id, 40, publish=False)  # its event is on its way
        return await positions()

    h.venue.positions = a_fill_lands_meanwhile
    reconnect(h)
    await settle(h)
    assert h.desk.reconciliations[-1].clean, h.desk.reconciliations[-1].problems
    assert h.desk.portfolio.qty(BTC.id) == 40


async def test_two_overlapping_reconciliations_adopt_an_order_once():
    h = await started()
    ours = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(ours.client_order_id, 100, publish=False)  # not listed: each run asks
    h.venue.orders["web-1"] = OrderStatusReport(
        "web-1", "V90", BTC.id, Side.SELL, 100, S.ACCEPTED, 0, MID + 10
    )
    answers = hold_answers(h)
    for _ in range(2):  # the stream drops twice before the first reconciliation is done
        reconnect(h)
        await settle(h)
    for answer in answers:
        answer.set_result(None)
    await settle(h)
    assert all(r.clean for r in h.desk.reconciliations), h.desk.killswitch.reason
    assert "web-1" in h.desk.oms.working and h.desk.killswitch.state is TradingState.ACTIVE


async def test_a_listing_older_than_the_news_that_ended_an_order_is_not_a_mismatch():
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    listing = h.venue.open_orders

    async def then_it_is_canceled(instrument=None):
        listed = await listing(instrument)  # says working...
        h.venue.cancel_at_venue(order.client_order_id)  # ...then the cancel lands, news first
        return listed

    h.venue.open_orders = then_it_is_canceled
    reconnect(h)
    await settle(h)
    assert order.status is S.CANCELED
    assert h.desk.reconciliations[-1].clean, h.desk.reconciliations[-1].problems


async def test_no_record_older_than_another_reconciliations_record_does_not_close_the_order():
    """Reconnects reconcile one at a time, but a reconciliation can still overlap another one
    asked for directly (``VenueWatch.reconcile``): the older run's "no such order" must not
    close what the newer run found working."""
    h = await started(oms={"ack_timeout_ms": 60_000})
    h.venue.auto_ack = False
    order = h.submit()
    record = h.venue.orders.pop(order.client_order_id)  # not at the venue yet
    answers = hold_answers(h)
    first = asyncio.create_task(h.desk.watch.reconcile("fake"))  # asks: "no such order", held
    await settle(h)
    assert answers and not first.done()
    h.venue.orders[order.client_order_id] = record  # it arrives
    assert await h.desk.watch.reconcile("fake")  # the second run finds it listed: ACCEPTED
    assert order.status is S.ACCEPTED
    for answer in answers:
        answer.set_result(None)
    await first
    assert order.status is S.ACCEPTED and h.desk.killswitch.state is TradingState.ACTIVE
