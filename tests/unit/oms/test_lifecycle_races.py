"""The races a real venue runs every day: a modify or cancel before the ack, a reject while
cancelling, a fill after the cancel, an answer that never comes. Each one was a crash, a stuck
order or a false kill-switch trip (issues 11.1, 11.3, 11.8, 11.9, 12.1)."""

import asyncio
import logging

import msgspec

from tests.trading_harness import BTC, MID, Harness
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import (
    OrderCanceled, OrderModified, OrderUpdateRejected, TradingState,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import TRANSITIONS, OrderStatus
from tradeterm.domain.reports import OrderStatusReport

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


# --- 11.1: modify before the ack ---------------------------------------------------------------
async def test_native_modify_before_the_ack_waits_for_the_venue_instead_of_crashing():
    h = await started(modify=True)
    h.venue.auto_ack = False
    order = h.submit(Side.BUY, 100, MID - 2)
    assert order.status is S.SUBMITTED
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)) is True
    assert order.status is S.PENDING_UPDATE
    assert h.venue.modifies == [(order.client_order_id, MID - 6, 80)]
    h.venue.ack(order.client_order_id)  # the ack overtakes nothing: the modify is still pending
    assert order.status is S.PENDING_UPDATE and order.venue_order_id == "V1"
    publish(h, OrderModified(0, 0, order.client_order_id, BTC.id, MID - 6, 80))
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)


async def test_cancel_replace_before_the_ack_replaces_once_the_cancel_is_confirmed():
    h = await started()
    h.venue.auto_ack = False
    order = h.submit(Side.BUY, 100, MID - 2)
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 8, None)) is True
    assert order.status is S.PENDING_CANCEL and h.venue.cancels == [order.client_order_id]
    h.venue.cancel_at_venue(order.client_order_id)
    assert order.status is S.CANCELED
    replacement = h.venue.sent[-1]
    assert (replacement.price, replacement.qty) == (MID - 8, 100)


async def test_a_refused_modify_of_an_unacknowledged_order_keeps_it_unacknowledged():
    h = await started(modify=True)
    h.venue.auto_ack = False
    order = h.submit(Side.BUY, 100, MID - 2)
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, None))
    publish(h, OrderUpdateRejected(0, 0, order.client_order_id, BTC.id, "modify", "TOO_LATE"))
    assert order.status is S.SUBMITTED  # not ACCEPTED: nobody acknowledged it yet
    await settle(h)  # the refusal makes the OMS ask: the venue has it working
    assert order.status is S.ACCEPTED and not order.uncertain


async def test_a_venue_that_raises_on_modify_leaves_the_order_being_resolved(caplog):
    h = await started(modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)

    def broken(*_args):
        raise ConnectionError("socket closed")

    h.venue.modify_order = broken
    result = h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, None))
    assert result is True  # sent, outcome unknown: the venue is asked, nothing is guessed
    await settle(h)
    assert order.status is S.ACCEPTED and order.price == MID - 2 and not order.uncertain
    assert h.desk.killswitch.state is TradingState.ACTIVE


# --- the state table: a reject is a reject in any pending state (12.1) -----------------------
async def test_a_reject_while_cancelling_is_a_reject(caplog):
    h = await started()
    h.venue.auto_ack = False
    order = h.submit()
    assert h.desk.oms.cancel(order.client_order_id)
    assert order.status is S.PENDING_CANCEL
    h.venue.reject(order.client_order_id, "POST_ONLY_WOULD_TAKE")
    assert order.status is S.REJECTED and order.reason == "POST_ONLY_WOULD_TAKE"
    assert "illegal transition" not in caplog.text
    assert order.client_order_id not in h.views.orders.orders


async def test_a_reject_while_modifying_is_a_reject():
    h = await started(modify=True)
    h.venue.auto_ack = False
    order = h.submit()
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, None))
    h.venue.reject(order.client_order_id)
    assert order.status is S.REJECTED


# --- late fills (11.8, second half) -----------------------------------------------------------
async def test_a_fill_after_the_cancel_is_applied_and_reconciled_without_a_halt(caplog):
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    fill = h.venue.fill(order.client_order_id, 30, publish=False)  # it traded...
    h.venue.cancel_at_venue(order.client_order_id)  # ...then the cancel; the fill comes late
    assert order.status is S.CANCELED
    with caplog.at_level(logging.WARNING):
        publish(h, fill)
    assert order.filled_qty == 30 and h.desk.portfolio.qty(BTC.id) == 30
    assert h.desk.killswitch.state is TradingState.ACTIVE
    assert "late fill" in caplog.text
    await settle(h)  # asked the venue: canceled, 30 filled
    assert order.status is S.CANCELED and order.filled_qty == 30 and not order.uncertain
    assert order.client_order_id not in h.views.orders.orders
    assert h.store.load_order(order.client_order_id).filled_qty == 30


async def test_a_late_fill_that_completes_a_canceled_order_fills_it():
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    fill = h.venue.fill(order.client_order_id, 100, publish=False)
    publish(h, OrderCanceled(0, 0, order.client_order_id, BTC.id, "CANCELED"))
    publish(h, fill)
    assert order.status is S.FILLED and h.desk.portfolio.qty(BTC.id) == 100
    assert h.desk.killswitch.state is TradingState.ACTIVE


async def test_a_fill_beyond_the_order_still_trips_the_kill_switch():
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(order.client_order_id, 100)
    r = h.venue.orders[order.client_order_id]
    h.venue.orders[order.client_order_id] = replace(r, qty=200, status=S.ACCEPTED)
    h.venue.fill(order.client_order_id, 10)  # an overfill: something is really wrong
    assert h.desk.portfolio.qty(BTC.id) == 110
    assert h.desk.killswitch.state is TradingState.HALTED


# --- 11.3: every pending state is settled by a query, with the venue's terms -----------------
async def test_a_lost_modify_answer_is_settled_with_the_venues_price_and_quantity():
    h = await started(modify=True, oms={"ack_timeout_ms": 1000})
    order = h.submit(Side.BUY, 100, MID - 2)
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80))
    r = h.venue.orders[order.client_order_id]  # the venue applied it; the answer was lost
    h.venue.orders[order.client_order_id] = replace(r, price=MID - 6, qty=80)
    await settle(h, 1.5)
    assert h.venue.queries == [order.client_order_id]
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)
    assert not order.uncertain
    assert h.store.load_order(order.client_order_id).price == MID - 6
    # and it can be modified again
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 4, None)) is True


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
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 8, None))
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
    from tradeterm.core import topics
    from tradeterm.domain.events import ConnectionState, VenueStatus

    now = h.clock.timestamp_ns()
    for state in (ConnectionState.DISCONNECTED, ConnectionState.CONNECTED):
        h.bus.publish(topics.venue_status("fake"), VenueStatus(now, now, "fake", state))
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


def test_the_table_has_the_edges_real_venues_need():
    for pending in (S.PENDING_CANCEL, S.PENDING_UPDATE):
        assert pending in TRANSITIONS[S.SUBMITTED]
        assert S.REJECTED in TRANSITIONS[pending]
    for done in (S.CANCELED, S.EXPIRED):
        assert {S.FILLED, S.PARTIALLY_FILLED} <= TRANSITIONS[done]
    assert S.REJECTED not in TRANSITIONS[S.ACCEPTED]
    assert not TRANSITIONS[S.FILLED] and not TRANSITIONS[S.REJECTED]


# --- found by the state machine: fills racing a modify that raises the quantity ---------------
async def test_a_fill_before_the_answer_to_a_larger_modify_does_not_finish_the_order():
    h = await started(modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 2, 200))
    r = h.venue.orders[order.client_order_id]  # the venue took the modify; its answer is late
    h.venue.orders[order.client_order_id] = replace(r, qty=200)
    h.venue.fill(order.client_order_id, 100)  # the old quantity, filled
    assert order.status is S.PENDING_UPDATE and order.filled_qty == 100  # not FILLED
    publish(h, OrderModified(0, 0, order.client_order_id, BTC.id, MID - 2, 200))
    assert order.status is S.PARTIALLY_FILLED and order.leaves_qty == 100
    h.venue.fill(order.client_order_id, 100)
    assert order.status is S.FILLED and h.desk.killswitch.state is TradingState.ACTIVE


async def test_a_fill_beyond_the_old_quantity_proves_the_modify_went_through():
    h = await started(modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 2, 200))
    r = h.venue.orders[order.client_order_id]
    h.venue.orders[order.client_order_id] = replace(r, qty=200)
    h.venue.fill(order.client_order_id, 150)
    assert order.qty == 200 and order.filled_qty == 150
    assert h.desk.killswitch.state is TradingState.ACTIVE  # not an "overfill"
    assert order.status is S.PENDING_UPDATE  # the answer is still due


async def test_a_refused_larger_modify_after_the_old_quantity_filled_is_filled():
    h = await started(modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 2, 200))
    h.venue.fill(order.client_order_id, 100)
    assert order.status is S.PENDING_UPDATE
    publish(h, OrderUpdateRejected(0, 0, order.client_order_id, BTC.id, "modify", "FILLED"))
    assert order.status is S.FILLED


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
    assert h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80))
    r = h.venue.orders[order.client_order_id]  # the venue took it; the answer is lost
    h.venue.orders[order.client_order_id] = replace(r, price=MID - 6, qty=80)
    answers[0].set_result(None)
    await settle(h)
    assert order.status is S.PENDING_UPDATE and (order.price, order.qty) == (MID - 2, 100)
    h.venue.query_order = ask
    await settle(h, 0.2)  # asked again
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)
    assert not order.uncertain and order.client_order_id not in h.desk.oms.inflight


async def test_a_cancel_that_overtook_the_answer_to_a_larger_modify_keeps_the_late_fill_open():
    h = await started(modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 2, 200))
    r = h.venue.orders[order.client_order_id]
    h.venue.orders[order.client_order_id] = replace(r, qty=200)
    fill = h.venue.fill(order.client_order_id, 100, publish=False)
    h.venue.cancel_at_venue(order.client_order_id)  # arrives first
    assert order.status is S.CANCELED
    publish(h, OrderModified(0, 0, order.client_order_id, BTC.id, MID - 2, 200))
    assert order.qty == 200  # the venue did change it before it was canceled
    publish(h, fill)  # a late fill of 100 of 200: not FILLED
    assert order.status is S.PARTIALLY_FILLED and order.filled_qty == 100
    await settle(h)
    assert order.status is S.CANCELED and order.filled_qty == 100
    assert h.desk.killswitch.state is TradingState.ACTIVE


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
    from tradeterm.core import topics
    from tradeterm.domain.events import ConnectionState, VenueStatus

    now = h.clock.timestamp_ns()
    for state in (ConnectionState.DISCONNECTED, ConnectionState.CONNECTED):
        h.bus.publish(topics.venue_status("fake"), VenueStatus(now, now, "fake", state))
    await settle(h)
    assert h.desk.reconciliations[-1].clean, h.desk.reconciliations[-1].problems
    assert h.desk.portfolio.qty(BTC.id) == 40
