"""The order emulator on the desk: stops, stop-limits and trailing stops held, triggered by
market data, released through risk; refused while HALTED, cancelled by the kill switch."""

from __future__ import annotations

from tests.held_harness import MID, bracket, denied, held, place, stop, trail
from tests.trading_harness import BTC, Harness
from tradeterm.domain.commands import CancelOrder, ModifyOrder, RearmTrading, TripKillSwitch
from tradeterm.domain.held import HeldOrderChanged, HeldState, TrailRef
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus, OrderType
from tradeterm.risk.codes import MAX_ORDER_NOTIONAL, MIN_NOTIONAL
from tradeterm.trading.results import RequestSent


async def started(**kw) -> Harness:
    h = Harness(**kw)
    await h.start()
    h.trade(BTC, MID)
    return h


async def test_a_stop_is_held_until_its_trigger_then_sent_as_a_market_order_under_its_id():
    h = await started()
    h.venue.ioc_fill = 1.0
    s = place(h, stop(h, Side.SELL, 100, MID - 10))
    assert s.state is HeldState.HELD and h.store.held.load(s.held_id) is not None
    for price in (MID + 5, MID - 9, MID + 20):
        h.trade(BTC, price)
    assert s.state is HeldState.HELD and not h.venue.sent
    h.trade(BTC, MID - 10)
    order = h.venue.sent[-1]
    assert order.client_order_id == s.held_id and order.order_type is OrderType.MARKET
    assert order.qty == 100 and order.side is Side.SELL
    assert s.state is HeldState.DONE and s.filled == 100
    assert h.store.held.load(s.held_id).state is HeldState.DONE
    assert s.held_id not in h.views.held.orders
    states = [e.state for e in h.of(HeldOrderChanged) if e.held_id == s.held_id]
    assert list(dict.fromkeys(states)) == [
        HeldState.HELD,
        HeldState.TRIGGERED,
        HeldState.WORKING,
        HeldState.DONE,
    ]


async def test_a_stop_limit_sends_its_limit():
    h = await started()
    s = place(h, stop(h, Side.BUY, 100, MID + 10, limit=MID + 12))
    h.trade(BTC, MID + 11)
    order = h.venue.sent[-1]
    assert order.order_type is OrderType.LIMIT and order.price == MID + 12
    assert s.state is HeldState.WORKING
    h.venue.fill(s.held_id, 100)
    assert s.state is HeldState.DONE and s.filled == 100


async def test_a_stop_the_market_already_reached_is_refused():
    h = await started()
    assert denied(h, stop(h, Side.SELL, 100, MID + 1)) == "WOULD_TRIGGER"
    assert not h.views.held.orders


async def test_a_trailing_stop_ratchets_and_triggers():
    h = await started()
    t = place(h, trail(h, Side.SELL, 100, 15))
    assert t.trigger_price == MID - 15
    for price in (MID + 30, MID + 20, MID + 16):
        h.trade(BTC, price)
    assert t.trigger_price == MID + 15 and t.state is HeldState.HELD
    h.trade(BTC, MID + 15)
    assert t.state is HeldState.WORKING or t.is_terminal
    assert h.venue.sent[-1].client_order_id == t.held_id


async def test_a_trailing_stop_from_mid_follows_the_book_not_the_trades():
    h = await started()
    t = place(h, trail(h, Side.BUY, 100, 4, ref=TrailRef.MID))
    assert t.trigger_price == MID + 4
    h.trade(BTC, MID + 100)  # a trade does not move a mid trail
    assert t.state is HeldState.HELD
    h.book(BTC, MID - 12, MID - 8)  # mid MID-10
    assert t.trigger_price == MID - 6
    h.book(BTC, MID - 7, MID - 5)  # mid MID-6: reached
    assert t.state is not HeldState.HELD and h.venue.sent[-1].client_order_id == t.held_id


async def test_a_triggered_order_risk_denies_ends_with_the_reason():
    # the position limit depends on the position at release: checked when the stop triggers
    h = await started(risk={"instruments": {"BTC/USD": {"max_position": "0.005"}}})  # 50 lots
    s = place(h, stop(h, Side.SELL, 100, MID - 10))
    h.trade(BTC, MID - 10)
    assert s.state is HeldState.DENIED and s.reason.startswith("MAX_POSITION")
    assert not h.venue.sent and h.views.risk.denied == 1


async def test_held_orders_are_refused_while_halted_and_cancelled_by_the_kill_switch():
    h = await started()
    s = place(h, stop(h, Side.SELL, 100, MID - 10))
    t = place(h, trail(h, Side.SELL, 100, 5))
    h.desk.execute(TripKillSwitch(h.clock.timestamp_ns(), "test", source="key"))
    assert s.state is HeldState.CANCELED and t.state is HeldState.CANCELED
    assert s.reason.startswith("KILL_SWITCH") and not h.views.held.orders
    assert h.store.held.load_open_groups() == []
    assert denied(h, stop(h, Side.SELL, 100, MID - 10)) == "KILL_SWITCH"
    h.trade(BTC, MID - 50)
    assert not h.venue.sent


async def test_nothing_triggers_while_halted_without_cancel():
    h = await started()
    s = place(h, stop(h, Side.SELL, 100, MID - 10))
    h.desk.execute(TripKillSwitch(h.clock.timestamp_ns(), "hangup", source="hangup", cancel=False))
    h.trade(BTC, MID - 20)
    assert s.state is HeldState.HELD and not h.venue.sent


async def test_cancel_and_modify_by_id_like_any_order():
    h = await started()
    s = place(h, stop(h, Side.SELL, 100, MID - 10))
    now = h.clock.timestamp_ns()
    assert h.desk.execute(ModifyOrder(now, s.held_id, BTC.id, MID - 20, 50)) == RequestSent(
        s.held_id
    )
    assert (s.trigger_price, s.qty) == (MID - 20, 50)
    assert h.store.held.load(s.held_id).trigger_price == MID - 20
    h.trade(BTC, MID - 15)
    assert s.state is HeldState.HELD
    assert isinstance(h.desk.execute(CancelOrder(now, s.held_id, BTC.id)), RequestSent)
    assert s.state is HeldState.CANCELED and h.store.held.load(s.held_id).reason == "CANCELED"
    h.trade(BTC, MID - 30)
    assert not h.venue.sent


async def test_held_orders_survive_a_restart_exactly_and_are_armed_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(store_url=url)
    s = place(h, stop(h, Side.SELL, 100, MID - 10))
    t = place(h, trail(h, Side.SELL, 100, 15))
    h.trade(BTC, MID + 40)
    h.desk.stop()
    before = {x.held_id: held(h, x.held_id) for x in (s, t)}
    h.store.close()
    h2 = Harness(store_url=url)
    await h2.start()
    after = dict(h2.views.held.orders)
    assert after.keys() == before.keys()
    for hid, record in before.items():
        assert after[hid] == record
    assert after[t.held_id].trigger_price == MID + 25
    h2.venue.ioc_fill = 1.0
    h2.trade(BTC, MID + 25)
    assert after[t.held_id].state is HeldState.DONE
    assert h2.venue.sent[-1].client_order_id == t.held_id
    assert after[s.held_id].state is HeldState.HELD


async def test_a_released_order_is_never_sent_twice_across_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(store_url=url)
    s = place(h, stop(h, Side.SELL, 100, MID - 10, limit=MID - 12))
    h.trade(BTC, MID - 10)
    assert h.desk.oms.working[s.held_id].status is OrderStatus.ACCEPTED
    h.store.close()  # a crash: no clean stop
    h2 = Harness(store_url=url, venue=None)
    h2.venue.orders = h.venue.orders  # the venue still has it
    await h2.start()
    assert h2.views.held.orders[s.held_id].state is HeldState.WORKING
    assert not h2.venue.sent


async def test_a_held_order_pre_trade_risk_would_refuse_is_refused_when_placed():
    """What risk knows without the market (size and notional limits, tick and lot) refuses a
    held order at once, not when it triggers with the market already moving."""
    h = await started()
    too_big = 50_000  # 5 BTC at ~60,000: over the 250,000 order notional limit
    assert denied(h, stop(h, Side.SELL, too_big, MID - 10)) == MAX_ORDER_NOTIONAL
    # its stop-loss at 5 USD: 0.01 BTC there is under the 5 USD minimum notional
    assert denied(h, bracket(h, Side.BUY, 100, MID, MID + 10, 10)) == MIN_NOTIONAL
    assert not h.views.held.orders and not h.venue.sent
    assert place(h, stop(h, Side.SELL, 100, MID - 10)).state is HeldState.HELD


async def test_a_kill_from_another_shell_with_no_session_cancels_held_orders_at_the_start(
    tmp_path,
):
    """`tradeterm kill` with no session running can only mark the store; the next session
    starts HALTED and cancels the held orders the kill could not reach, so a re-arm does not
    bring them back to life."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(store_url=url)
    s = place(h, stop(h, Side.SELL, 100, MID - 10))
    h.desk.stop()
    h.store.close()
    from tradeterm.cli.kill import mark_store_halted
    from tradeterm.oms.store import Store

    offline = Store(url)
    mark_store_halted(offline, "flat for the night")
    offline.close()
    h2 = Harness(store_url=url)
    await h2.start()
    assert h2.desk.killswitch.halted and not h2.views.held.orders
    record = held(h2, s.held_id)
    assert record.state is HeldState.CANCELED and "flat for the night" in record.reason
    h2.desk.execute(RearmTrading(h2.clock.timestamp_ns(), "morning", source="key"))
    h2.trade(BTC, MID - 20)
    assert not h2.venue.sent


async def test_the_kill_report_counts_the_orders_the_held_orders_cancelled_too():
    """The bracket's entry at the venue is cancelled by the bracket's own cancel, just before
    the desk cancels what works: the HALTED banner still counts it, and the held orders."""
    h = await started()
    parent = place(h, bracket(h, Side.BUY, 100, MID - 2, MID + 40, MID - 20))
    place(h, stop(h, Side.SELL, 100, MID - 10))
    assert len(h.desk.oms.working) == 1  # the entry
    held_rows = len(h.views.held.orders)
    h.desk.execute(TripKillSwitch(h.clock.timestamp_ns(), "test", source="key"))
    trip = h.views.risk.trip
    assert trip.orders_cancelled == 1 and trip.held_cancelled == held_rows >= 2
    assert parent.state is HeldState.CANCELED and not h.views.held.orders
