"""The OMS: track before send, idempotency, exactly-once events, in-flight resolution by query,
cancels and modifies."""

import asyncio

from tests.trading_harness import BTC, ETH, MID, Harness
from tradeterm.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderModified,
    OrderRejected,
    TradingState,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.trading.results import Denied, OrderSent, RequestSent

S = OrderStatus


async def started(**kw) -> Harness:
    h = Harness(**kw)
    await h.start()
    return h


async def settle(h: Harness, seconds: float = 0.0) -> None:
    """Advance the clock, then let the OMS's query tasks run."""
    if seconds:
        h.advance(seconds)
    for _ in range(20):
        await asyncio.sleep(0)


async def test_order_is_durable_before_the_venue_sees_it():
    h = await started()
    seen = []

    def probe(order):
        stored = h.store.load_order(order.client_order_id)
        seen.append(stored.status if stored else None)

    h.venue.on_submit = probe
    order = h.submit()
    assert seen == [S.SUBMITTED]
    assert order.status is S.ACCEPTED and order.venue_order_id == "V1"


async def test_resubmitting_a_client_id_never_creates_a_second_order(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = Harness(url, risk={"duplicate_window_ms": 0})
    await h.start()
    cmd = h.order()
    first = h.desk.execute(cmd)
    again = h.desk.execute(cmd)
    assert isinstance(first, OrderSent) and isinstance(again, OrderSent)
    assert again.order is first.order and len(h.venue.sent) == 1
    assert h.desk.oms.duplicates_ignored == 1
    h.store.close()
    restarted = Harness(url, risk={"duplicate_window_ms": 0})
    restarted.venue.orders = h.venue.orders
    await restarted.start()
    result = restarted.desk.execute(cmd)  # the same command after a restart
    assert isinstance(result, OrderSent) and result.order.client_order_id == cmd.client_order_id
    assert restarted.venue.sent == []


async def test_repeated_acks_cancels_and_fills_apply_once():
    h = await started()
    order = h.submit(Side.BUY, 100)
    h.venue.ack(order.client_order_id)  # a repeated ack changes nothing
    assert order.status is S.ACCEPTED
    fill = h.venue.fill(order.client_order_id, 40)
    h.bus.publish(h.venue.topic, fill)  # the same trade again
    h.desk.oms.apply_fill(fill)
    assert order.filled_qty == 40 and h.desk.portfolio.qty(BTC.id) == 40
    assert len(h.store.load_fills()) == 1
    h.desk.oms.cancel(order.client_order_id)
    assert order.status is S.CANCELED and order.filled_qty == 40
    h.bus.publish(h.venue.topic, OrderCanceled(0, 0, order.client_order_id, BTC.id))
    assert order.status is S.CANCELED
    assert order.client_order_id not in h.views.orders.orders


async def test_a_fill_seen_before_a_restart_is_not_applied_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = Harness(url)
    await h.start()
    order = h.submit(Side.SELL, 100, MID + 2)
    fill = h.venue.fill(order.client_order_id, 100)
    h.store.close()
    again = Harness(url)
    await again.start()
    assert again.desk.portfolio.qty(BTC.id) == -100
    assert not again.desk.oms.apply_fill(fill)
    assert again.desk.portfolio.qty(BTC.id) == -100 and len(again.store.load_fills()) == 1


async def test_reject_is_terminal_and_an_illegal_event_is_ignored(caplog):
    h = await started()
    h.venue.auto_ack = False
    order = h.submit()
    h.venue.reject(order.client_order_id)
    assert order.status is S.REJECTED and order.reason == "INSUFFICIENT_BALANCE"
    accepted = h.submit(Side.BUY, 100, MID - 4)
    h.venue.ack(accepted.client_order_id)
    h.bus.publish(h.venue.topic, OrderRejected(0, 0, accepted.client_order_id, BTC.id, "LATE"))
    assert accepted.status is S.ACCEPTED  # ACCEPTED -> REJECTED is not a legal move
    assert "illegal transition ACCEPTED -> REJECTED" in caplog.text


async def test_a_fill_for_an_unknown_order_still_moves_the_position():
    h = await started()
    from tradeterm.domain.reports import OrderStatusReport

    h.venue.orders["elsewhere-1"] = OrderStatusReport(
        "elsewhere-1", "V9", BTC.id, Side.BUY, 50, S.ACCEPTED, 0, MID
    )
    h.venue.fill("elsewhere-1", 50)
    assert h.desk.portfolio.qty(BTC.id) == 50


async def test_no_ack_in_time_is_resolved_by_a_query():
    h = await started(oms={"ack_timeout_ms": 1000})
    h.venue.auto_ack = False
    order = h.submit()
    await settle(h, 0.5)
    assert order.status is S.SUBMITTED and not h.venue.queries
    await settle(h, 1.0)
    assert h.venue.queries == [order.client_order_id]
    assert order.status is S.ACCEPTED and not order.uncertain
    assert order.venue_order_id == "V1"


async def test_query_finds_fills_we_missed():
    h = await started(oms={"ack_timeout_ms": 1000})
    h.venue.auto_ack = False
    order = h.submit(Side.BUY, 100)
    h.venue.fill(order.client_order_id, 60, publish=False)
    h.venue.fill(order.client_order_id, 40, publish=False)
    await settle(h, 1.5)
    assert order.status is S.FILLED and order.filled_qty == 100
    assert h.desk.portfolio.qty(BTC.id) == 100 and len(h.store.load_fills()) == 2


async def test_an_order_the_venue_never_received_is_closed_not_guessed():
    h = await started(oms={"ack_timeout_ms": 1000})
    h.venue.auto_ack = False
    order = h.submit()
    del h.venue.orders[order.client_order_id]  # lost on the way
    await settle(h, 1.5)
    assert order.status is S.REJECTED and order.reason == "NOT_RECEIVED"
    assert h.store.load_order(order.client_order_id).status is S.REJECTED


async def test_unanswered_queries_trip_the_kill_switch_but_keep_asking():
    h = await started(oms={"ack_timeout_ms": 1000, "max_query_attempts": 3, "query_retry_ms": 1})
    h.venue.auto_ack = False
    order = h.submit()
    h.venue.fail_queries = 5
    await settle(h, 1.5)
    for _ in range(10):  # retries follow the engine's clock
        await settle(h, 0.001)
        if len(h.venue.queries) == 6:
            break
    assert h.desk.killswitch.state is TradingState.HALTED
    assert "unknown after 3 queries" in h.desk.killswitch.reason
    # the halt asked to cancel it; the 6th query found it still working: cancel sent again
    assert len(h.venue.queries) == 6 and h.venue.cancels == [order.client_order_id] * 2
    assert order.status is S.PENDING_CANCEL and not order.uncertain


async def test_a_refused_cancel_asks_the_venue_what_happened():
    h = await started()
    order = h.submit(Side.BUY, 100)
    h.venue.fill(order.client_order_id, 100, publish=False)  # filled, news not here yet
    h.desk.oms.cancel(order.client_order_id)  # venue: NOT_WORKING
    await settle(h)
    assert order.status is S.FILLED and h.desk.portfolio.qty(BTC.id) == 100


async def test_cancel_by_id_instrument_side_and_all():
    h = await started(risk={"duplicate_window_ms": 0})
    orders = {
        (inst.symbol, side): h.submit(side, 100, price, inst=inst)
        for inst, bid, ask in ((BTC, MID - 2, MID + 2), (ETH, 59_999, 60_001))
        for side, price in ((Side.BUY, bid), (Side.SELL, ask))
    }
    assert h.desk.oms.working_count() == 4
    assert h.desk.oms.cancel(orders["BTC/USD", Side.BUY].client_order_id)
    assert h.venue.cancels == [orders["BTC/USD", Side.BUY].client_order_id]
    assert h.desk.oms.cancel_all(side=Side.SELL, instrument=ETH.id) == 1
    assert h.desk.oms.cancel_all(instrument=BTC.id) == 1
    assert h.desk.oms.cancel_all() == 1
    assert h.desk.oms.working_count() == 0
    assert not h.desk.oms.cancel(orders["BTC/USD", Side.BUY].client_order_id)  # already done


async def test_native_modify():
    h = await started(modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    from tradeterm.domain.commands import ModifyOrder

    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)
    ) == RequestSent(order.client_order_id)
    assert order.status is S.PENDING_UPDATE and h.venue.modifies == [
        (order.client_order_id, MID - 6, 80)
    ]
    h.bus.publish(h.venue.topic, OrderModified(0, 0, order.client_order_id, BTC.id, MID - 6, 80))
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)


async def test_native_modify_answered_from_inside_the_call_is_not_left_pending():
    """An in-process venue (sim, paper without latency) publishes OrderModified while its
    modify_order runs; outside a bus handler that answer is delivered at once."""
    h = await started(modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    from tradeterm.domain.commands import ModifyOrder

    native = h.venue.modify_order

    def answer_at_once(o, price, qty):
        native(o, price, qty)
        h.bus.publish(h.venue.topic, OrderModified(0, 0, o.client_order_id, BTC.id, price, qty))
        return True

    h.venue.modify_order = answer_at_once
    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 6, 80)
    ) == RequestSent(order.client_order_id)
    assert order.status is S.ACCEPTED and (order.price, order.qty) == (MID - 6, 80)
    assert order.client_order_id not in h.desk.oms.inflight
    await settle(h, 5.0)  # past the ack timeout: nothing to ask the venue about
    assert h.venue.queries == []


async def test_cancel_replace_sizes_the_replacement_to_what_is_left():
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(order.client_order_id, 30)
    from tradeterm.domain.commands import ModifyOrder

    assert h.desk.execute(
        ModifyOrder(0, order.client_order_id, BTC.id, MID - 8, 100)
    ) == RequestSent(order.client_order_id)
    assert order.status is S.CANCELED
    replacement = h.venue.sent[-1]
    assert replacement.client_order_id != order.client_order_id
    assert (replacement.price, replacement.qty, replacement.side) == (MID - 8, 70, Side.BUY)
    assert h.desk.oms.working[replacement.client_order_id].status is S.ACCEPTED


async def test_modify_is_risk_checked():
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    from tradeterm.domain.commands import ModifyOrder

    result = h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID * 2, None))
    assert isinstance(result, Denied) and result.denial.reason == "PRICE_BAND"
    assert order.status is S.ACCEPTED
    assert h.venue.cancels == []


async def test_client_order_ids_are_unique_and_sortable_across_restarts(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    ids = []
    for _ in range(3):
        h = Harness(url)
        ids += [h.desk.ids.next() for _ in range(5)]
        h.store.close()
    assert len(set(ids)) == 15 and ids == sorted(ids)
    assert all(h.desk.ids.is_ours(i) for i in ids) and not h.desk.ids.is_ours("abc")


async def test_accept_events_reach_the_view():
    h = await started()
    version = h.views.orders.version
    order = h.submit()
    assert h.views.orders.orders[order.client_order_id] is order
    assert h.views.orders.version > version
    assert any(isinstance(e, OrderAccepted) for e in h.events)


async def test_the_same_trade_id_on_two_instruments_is_two_fills(tmp_path):
    """Venues number trades per instrument (Binance does): the dedupe key includes it, so a
    real fill is never dropped as a 'duplicate' of another instrument's trade."""
    h = await started(store_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    btc = h.submit(Side.BUY, 100)
    eth = h.submit(Side.BUY, 100, price=60_000, inst=ETH)
    h.venue.fill(btc.client_order_id, 40, trade_id="42")
    h.venue.fill(eth.client_order_id, 30, trade_id="42")
    assert btc.filled_qty == 40 and eth.filled_qty == 30
    assert h.desk.portfolio.qty(BTC.id) == 40 and h.desk.portfolio.qty(ETH.id) == 30
    assert len(h.store.load_fills()) == 2
