"""The races a real venue runs every day: a modify or cancel before the ack, a reject while
cancelling, a fill after the cancel, fills racing a modify. Each one was a crash, a wrong
status or a false kill-switch trip (issues 11.1, 11.8, 12.1; answers that never come are in
test_settled_by_query.py)."""

import asyncio
import logging

import msgspec

from tests.trading_harness import BTC, MID, Harness
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import (
    OrderCanceled,
    OrderModified,
    OrderUpdateRejected,
    TradingState,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import TRANSITIONS, OrderStatus
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


# --- 11.1: modify before the ack ---------------------------------------------------------------
async def test_native_modify_before_the_ack_waits_for_the_venue_instead_of_crashing():
    h = await started(modify=True)
    h.venue.auto_ack = False
    order = h.submit(Side.BUY, 100, MID - 2)
    assert order.status is S.SUBMITTED
    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)
    ) == RequestSent(order.client_order_id)
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
    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 8, None)
    ) == RequestSent(order.client_order_id)
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
    # sent, outcome unknown: the venue is asked, nothing is guessed
    assert result == RequestSent(order.client_order_id)
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
