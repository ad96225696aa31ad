"""Settling orders whose answers were lost or crossed: a query brings the venue's record, and
the OMS takes it with the venue's terms, but never an answer older than what it settles (issue
11.3, and races the state machine found)."""

import asyncio

from tests.trading_harness import BTC, MID
from tests.unit.oms.settling import hold_answers, publish, replace, settle, started
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import OrderUpdateRejected, TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.trading.results import RequestSent

S = OrderStatus


async def test_a_lost_modify_answer_is_settled_with_the_venues_price_and_quantity():
    h = await started(modify=True, oms={"ack_timeout_ms": 1000})
    order = h.submit(Side.BUY, 100, MID - 2)
    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)
    ) == RequestSent(order.client_order_id)
    r = h.venue.orders[order.client_order_id]  # the venue applied it; the answer was lost
    h.venue.orders[order.client_order_id] = replace(r, price=MID - 6, qty=80)
    await settle(h, 1.5)
    assert h.venue.queries == [order.client_order_id]
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)
    assert not order.uncertain
    assert h.store.load_order(order.client_order_id).price == MID - 6
    # and it can be modified again
    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 4, None)
    ) == RequestSent(order.client_order_id)


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
    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 8, None)
    ) == RequestSent(order.client_order_id)
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
    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)
    ) == RequestSent(order.client_order_id)
    r = h.venue.orders[order.client_order_id]  # the venue took it; the answer is lost
    h.venue.orders[order.client_order_id] = replace(r, price=MID - 6, qty=80)
    answers[0].set_result(None)
    await settle(h)
    assert order.status is S.PENDING_UPDATE and (order.price, order.qty) == (MID - 2, 100)
    h.venue.query_order = ask
    await settle(h, 0.2)  # asked again
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)
    assert not order.uncertain and order.client_order_id not in h.desk.oms.inflight


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


async def test_a_query_about_an_order_the_oms_no_longer_knows_ends_quietly(caplog):
    """A replay's rewind forgets every order (``OrderManager.forget``) while a refusal marked one
    uncertain: the query has no venue to ask and ends with a log line (before: KeyError('') in
    a task nobody awaited, "Task exception was never retrieved")."""
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    await settle(h)
    loop = asyncio.get_running_loop()
    problems: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: problems.append(context))
    resolver = h.desk.oms.resolver
    resolver.mark_uncertain(order)  # the task starts on the next turn
    h.desk.oms.forget()
    with caplog.at_level("WARNING", logger="tradeterm.oms"):
        await settle(h)
    tasks = list(resolver._tasks)
    assert tasks == [] and problems == [], problems
    assert h.venue.queries == [] and order.client_order_id not in resolver.inflight
    assert any("no longer knows" in r.getMessage() for r in caplog.records)
