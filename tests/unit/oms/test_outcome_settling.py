"""Settling orders whose answers were lost, crossed or died with the process: a query, a
restart or a reconnect brings the venue's record, and the OMS takes it without a stuck order
or a false kill-switch trip (issues 11.3, 11.9, 12.1, and races the state machine found)."""

import asyncio

import msgspec

from tests.trading_harness import BTC, MID, Harness
from tradeterm.core import topics
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import (
    ConnectionState, OrderUpdateRejected, TradingState, VenueStatus,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.trading.results import RequestSent

S = OrderStatus


async def started(url: str = "sqlite://", **kw) -> Harness:
    h = Harness(url, **kw)
    await h.start()
    return h


async def settle(h: Harness, seconds: float = 0.0) -> None:
    if seconds:
        h.advance(seconds)
    for _ in range(30):
        await asyncio.sleep(0)


def replace(report: OrderStatusReport, **changes) -> OrderStatusReport:
    return msgspec.structs.replace(report, **changes)


def publish(h: Harness, event) -> None:
    h.bus.publish(h.venue.topic, event)


def reconnect(h: Harness) -> None:
    """The venue's stream drops and comes back: the desk reconciles."""
    now = h.clock.timestamp_ns()
    for state in (ConnectionState.CONNECTED, ConnectionState.DISCONNECTED,
                  ConnectionState.CONNECTED):
        h.bus.publish(topics.venue_status("fake"), VenueStatus(now, now, "fake", state))


# --- 11.3: every pending state is settled by a query, with the venue's terms -----------------
async def test_a_lost_modify_answer_is_settled_with_the_venues_price_and_quantity():
    h = await started(modify=True, oms={"ack_timeout_ms": 1000})
    order = h.submit(Side.BUY, 100, MID - 2)
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)) == \
        RequestSent(order.client_order_id)
    r = h.venue.orders[order.client_order_id]  # the venue applied it; the answer was lost
    h.venue.orders[order.client_order_id] = replace(r, price=MID - 6, qty=80)
    await settle(h, 1.5)
    assert h.venue.queries == [order.client_order_id]
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)
    assert not order.uncertain
    assert h.store.load_order(order.client_order_id).price == MID - 6
    # and it can be modified again
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 4, None)) == \
        RequestSent(order.client_order_id)


async def test_a_lost_modify_request_is_settled_with_the_terms_the_venue_kept():
    h = await started(modify=True, oms={"ack_timeout_ms": 1000})
    order = h.submit(Side.BUY, 100, MID - 2)
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80))
    await settle(h, 1.5)  # the venue never saw the modify
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 2, 100)


async def test_a_lost_cancel_answer_of_a_cancel_replace_still_sends_the_replacement():
    h = await started(oms={"ack_timeout_ms": 1000})
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.auto_ack = False
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 8, None)) == \
        RequestSent(order.client_order_id)
    h.venue.cancel_at_venue(order.client_order_id, publish=False)  # canceled, answer lost
    h.venue.auto_ack = True
    await settle(h, 1.5)
    assert order.status is S.CANCELED
    replacement = h.venue.sent[-1]
    assert replacement.client_order_id != order.client_order_id
    assert (replacement.price, replacement.qty) == (MID - 8, 100)


async def test_a_refused_cancel_of_an_unacknowledged_order_keeps_it_unacknowledged():
    h = await started()
    h.venue.auto_ack = False
    order = h.submit()
    h.desk.oms.cancel(order.client_order_id)
    publish(h, OrderUpdateRejected(0, 0, order.client_order_id, BTC.id, "cancel", "UNKNOWN"))
    assert order.status is S.SUBMITTED


# --- 12.1: never taken is never placed, not "acknowledged but no record" ---------------------
async def test_an_order_cancelled_before_a_venue_that_never_got_it_is_not_placed(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    h.venue.auto_ack = False
    order = h.submit()
    del h.venue.orders[order.client_order_id]  # the POST died with a 503: never placed
    h.desk.oms.cancel(order.client_order_id)  # e.g. the kill switch, before any answer
    assert order.status is S.PENDING_CANCEL
    h.store.close()
    again = Harness(url)
    again.venue.orders = h.venue.orders
    again.clock.advance_to(h.clock.timestamp_ns() + 10**9)
    assert await again.start(), again.desk.killswitch.reason
    stored = again.desk.oms.get(order.client_order_id)
    assert stored.status is S.REJECTED and stored.reason == "NOT_RECEIVED"
    assert again.desk.killswitch.state is TradingState.ACTIVE


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


async def test_an_acknowledged_order_the_venue_forgot_is_still_a_problem(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    order = h.submit()
    h.venue.auto_ack = False
    h.desk.oms.cancel(order.client_order_id)
    assert order.status is S.PENDING_CANCEL and order.venue_order_id == "V1"
    h.store.close()
    del h.venue.orders[order.client_order_id]
    again = Harness(url)
    again.venue.orders = h.venue.orders
    assert not await again.start()
    assert "has no record of it" in again.desk.killswitch.reason


async def test_a_cancel_pending_at_a_restart_is_settled_by_reconciliation(tmp_path):
    """The pending status is stored; what it was before is not. The restart must still settle
    it, and carry out the cancel the trader asked for (it used to raise inside reconciliation
    and HALT as 'venue did not answer')."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(order.client_order_id, 40)
    h.venue.auto_ack = False
    h.desk.oms.cancel(order.client_order_id)  # the cancel never reached the venue
    h.store.close()
    again = Harness(url)
    again.venue.orders = h.venue.orders
    again.venue.fill_log = h.venue.fill_log
    again.venue.account = h.venue.account
    again.venue.auto_ack = False
    assert await again.start(), again.desk.killswitch.reason
    resumed = again.desk.oms.get(order.client_order_id)
    assert resumed.status is S.PENDING_CANCEL and resumed.filled_qty == 40
    assert again.venue.cancels == [order.client_order_id]  # sent again: it was still working
    again.venue.cancel_at_venue(order.client_order_id)
    assert resumed.status is S.CANCELED and again.desk.portfolio.qty(BTC.id) == 40


# --- 11.9: an adopted order keeps what it already filled --------------------------------------
async def test_an_adopted_external_order_keeps_its_fills_and_status():
    h = Harness()
    h.venue.orders["web-1"] = OrderStatusReport("web-1", "V90", BTC.id, Side.SELL, 100,
                                                S.PARTIALLY_FILLED, 30, MID + 10)
    h.venue.account = None
    assert await h.start()
    adopted = h.desk.oms.working["web-1"]
    assert adopted.external and adopted.status is S.PARTIALLY_FILLED
    assert adopted.filled_qty == 30 and adopted.leaves_qty == 70
    assert h.desk.oms.exposure(BTC.id)[1] == 70  # risk counts what is left, not the whole


# --- found by the state machine ---------------------------------------------------------------
async def test_an_answer_that_crossed_a_new_modify_does_not_settle_it():
    """A query's answer is what the venue had when it answered; a modify sent while it was on
    its way is not in it. Taking it would close the modify with the old terms."""
    h = await started(modify=True, oms={"query_retry_ms": 100})
    order = h.submit(Side.BUY, 100, MID - 2)
    answers: list[asyncio.Future] = []
    ask = h.venue.query_order

    async def slow_query(coid, instrument):
        report = await ask(coid, instrument)  # the venue's record now...
        answers.append(asyncio.get_running_loop().create_future())
        await answers[-1]  # ...arrives later
        return report

    h.venue.query_order = slow_query
    publish(h, OrderUpdateRejected(0, 0, order.client_order_id, BTC.id, "cancel", "BUSY"))
    await settle(h)  # asking
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)) == \
        RequestSent(order.client_order_id)
    r = h.venue.orders[order.client_order_id]  # the venue took it; the answer is lost
    h.venue.orders[order.client_order_id] = replace(r, price=MID - 6, qty=80)
    answers[0].set_result(None)
    await settle(h)
    assert order.status is S.PENDING_UPDATE and (order.price, order.qty) == (MID - 2, 100)
    h.venue.query_order = ask
    await settle(h, 0.2)  # asked again
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)
    assert not order.uncertain and order.client_order_id not in h.desk.oms.inflight


async def test_a_crash_that_lost_a_pending_modify_does_not_fill_the_order_at_restart(tmp_path):
    """The modify's PENDING_UPDATE was only buffered when the process died; the venue took
    it (100 -> 200) and filled 100. The restart must not call the order FILLED from its old
    quantity (it then HALTed: 'FILLED here but working at the venue')."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url, modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.store.flush()
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 2, 200))
    r = h.venue.orders[order.client_order_id]
    h.venue.orders[order.client_order_id] = replace(r, qty=200)
    h.venue.fill(order.client_order_id, 100, publish=False)
    h.store.conn.close()  # killed: the buffered PENDING_UPDATE is gone
    again = Harness(url, modify=True)
    for name in ("orders", "fill_log", "account"):
        setattr(again.venue, name, getattr(h.venue, name))
    assert await again.start(), again.desk.killswitch.reason
    resumed = again.desk.oms.get(order.client_order_id)
    assert resumed.status is S.PARTIALLY_FILLED and (resumed.qty, resumed.filled_qty) == (200, 100)


async def test_an_order_placed_elsewhere_that_filled_while_we_looked_is_not_left_working():
    h = Harness()
    h.venue.account = None
    h.venue.orders["web-1"] = OrderStatusReport("web-1", "V90", BTC.id, Side.SELL, 100,
                                                S.ACCEPTED, 0, MID + 10)
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


def hold_answers(h: Harness) -> list[asyncio.Future]:
    """Queries answer with the venue's record as it was when asked, but only when released."""
    answers: list[asyncio.Future] = []
    ask = h.venue.query_order

    async def slow_query(coid, instrument):
        report = await ask(coid, instrument)
        answers.append(asyncio.get_running_loop().create_future())
        await answers[-1]
        return report

    h.venue.query_order = slow_query
    return answers


async def test_no_record_asked_for_before_the_ack_does_not_close_an_acknowledged_order():
    h = await started(oms={"ack_timeout_ms": 1000})
    h.venue.auto_ack = False
    answers = hold_answers(h)
    order = h.submit()
    record = h.venue.orders.pop(order.client_order_id)  # not there yet when we ask...
    await settle(h, 1.5)
    h.venue.orders[order.client_order_id] = record  # ...then it arrives, and so does the ack
    h.venue.ack(order.client_order_id)
    answers[0].set_result(None)  # "no such order": older than the ack
    await settle(h)
    assert order.status is S.ACCEPTED and h.desk.killswitch.state is TradingState.ACTIVE


async def test_no_record_asked_for_inside_the_request_window_proves_nothing():
    h = await started(oms={"ack_timeout_ms": 1000, "query_retry_ms": 100})
    h.venue.request_window_ns = 1_200_000_000
    h.venue.auto_ack = False
    answers = hold_answers(h)
    order = h.submit()
    record = h.venue.orders.pop(order.client_order_id)
    await settle(h, 1.1)  # asked at 1.1 s: the POST could still be carried out until 1.2 s
    h.advance(1.0)
    answers[0].set_result(None)  # evaluated at 2.1 s, but it speaks of 1.1 s
    await settle(h)
    assert order.status is S.SUBMITTED and order.uncertain
    h.venue.orders[order.client_order_id] = record  # it did arrive, at 1.15 s
    h.venue.query_order = h.venue.__class__.query_order.__get__(h.venue)
    await settle(h, 0.2)
    assert order.status is S.ACCEPTED


async def test_two_overlapping_reconciliations_adopt_an_order_once():
    h = await started()
    ours = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(ours.client_order_id, 100, publish=False)  # not listed: each run asks
    h.venue.orders["web-1"] = OrderStatusReport("web-1", "V90", BTC.id, Side.SELL, 100,
                                                S.ACCEPTED, 0, MID + 10)
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


async def test_a_late_fill_for_an_order_that_ended_before_a_restart_updates_its_record(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(order.client_order_id, 30, publish=False)  # traded; the news is late...
    h.desk.oms.cancel(order.client_order_id)  # ...and the cancel's answer came first
    assert order.status is S.CANCELED and order.filled_qty == 0
    h.store.close()  # then the process stopped: the fill's event was never seen
    again = Harness(url)
    for name in ("orders", "fill_log", "account"):
        setattr(again.venue, name, getattr(h.venue, name))
    again.venue._trade = h.venue._trade
    assert await again.start(), again.desk.killswitch.reason
    await settle(again)
    stored = again.store.load_order(order.client_order_id)
    assert (stored.status, stored.filled_qty) == (S.CANCELED, 30)
    assert again.desk.portfolio.qty(BTC.id) == 30


async def test_a_paper_order_still_in_its_simulated_latency_is_not_closed_as_never_placed():
    h = await started(keeps_state=False, oms={"ack_timeout_ms": 1000, "query_retry_ms": 500})
    h.venue.request_window_ns = 3 * 10**9  # e.g. paper.latency_ms = 3000
    h.venue.auto_ack = False
    order = h.submit()
    record = h.venue.orders.pop(order.client_order_id)
    await settle(h, 1.5)
    assert order.status is S.SUBMITTED and order.uncertain  # asked: not there yet
    h.venue.orders[order.client_order_id] = record  # arrives after 2 s of latency
    await settle(h, 0.6)
    assert order.status is S.ACCEPTED
