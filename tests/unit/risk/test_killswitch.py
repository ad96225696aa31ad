"""The kill switch: HALT cancels everything, persists, needs a reasoned re-arm; flattening;
feed loss and hangup policies."""

from tests.trading_harness import BTC, ETH, MID, Harness
from tradeterm.domain.events import (
    ConnectionState,
    KillSwitchTripped,
    TradingState,
    TradingStateChanged,
    VenueStatus,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus, TimeInForce
from tradeterm.trading.results import KillSwitchTrip, RearmRefused, Rearmed

S = OrderStatus


async def started(url: str = "sqlite://", **kw) -> Harness:
    h = Harness(url, **kw)
    await h.start()
    return h


async def test_trip_halts_cancels_every_working_order_and_is_announced():
    h = await started(risk={"duplicate_window_ms": 0})
    orders = [
        h.submit(Side.BUY, 100, MID - 2),
        h.submit(Side.SELL, 100, MID + 2),
        h.submit(Side.BUY, 10, 59_990, inst=ETH),
    ]
    assert h.desk.kill.trip("trader hit the key", "key") == KillSwitchTrip(changed=True)
    assert h.desk.killswitch.state is TradingState.HALTED
    assert sorted(h.venue.cancels) == sorted(o.client_order_id for o in orders)
    assert all(o.status is S.CANCELED for o in orders) and not h.views.orders.orders
    tripped = h.of(KillSwitchTripped)
    assert [(t.reason, t.source) for t in tripped] == [("trader hit the key", "key")]
    assert h.of(TradingStateChanged)[-1].state is TradingState.HALTED
    assert h.views.status.trading_state is TradingState.HALTED
    assert h.views.status.trading_state_reason == "trader hit the key"
    assert [a.kind for a in h.store.controls.load_audit("kill_switch")] == ["kill_switch.trip"]
    assert h.submit().reason == "KILL_SWITCH"


async def test_halt_without_cancel_lets_cancels_through():
    h = await started()
    order = h.submit()
    h.desk.kill.trip("hangup", "hangup", cancel=False)
    assert order.status is S.ACCEPTED
    assert h.desk.oms.cancel(order.client_order_id) and order.status is S.CANCELED


async def test_halt_survives_a_restart_and_rearm_needs_a_reason(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    h.desk.kill.trip("end of day", "cli")
    h.desk.stop()
    h.store.close()
    again = await started(url)
    assert again.desk.killswitch.state is TradingState.HALTED
    assert again.views.status.trading_state is TradingState.HALTED
    assert again.submit().reason == "KILL_SWITCH"
    refused = again.desk.kill.rearm("  ")
    assert isinstance(refused, RearmRefused) and "reason is required" in refused.reason
    assert again.desk.kill.rearm("checked the book, resuming") == Rearmed(TradingState.ACTIVE)
    assert isinstance(again.submit(), Order)
    kinds = [a.kind for a in again.store.controls.load_audit("kill_switch")]
    assert kinds == ["kill_switch.trip", "kill_switch.rearm"]


async def test_rearm_to_active_is_refused_while_a_limit_is_breached():
    h = await started(risk={"daily_loss_limit": "50"})
    buy = h.submit(Side.BUY, 1_000, MID - 2)
    h.venue.fill(buy.client_order_id, 1_000)
    h.book(BTC, MID - 1_202, MID - 1_198)  # -600 USD a BTC: -60 USD
    h.advance(0.3)
    assert h.desk.killswitch.source == "limit:DAILY_LOSS"
    refused = h.desk.kill.rearm("try again")
    assert isinstance(refused, RearmRefused) and "daily loss" in refused.reason
    assert h.desk.killswitch.halted
    assert h.desk.kill.rearm("wind down", TradingState.REDUCING) == Rearmed(TradingState.REDUCING)
    assert isinstance(h.submit(Side.SELL, 500, MID - 1_198), Order)
    assert h.submit(Side.BUY, 10, MID - 1_202).reason == "REDUCING_ONLY"


async def test_daily_loss_trips_by_itself():
    h = await started(risk={"daily_loss_limit": "100"})
    buy = h.submit(Side.BUY, 1_000, MID - 2)
    h.venue.fill(buy.client_order_id, 1_000)
    resting = h.submit(Side.SELL, 100, MID + 400)
    h.book(BTC, MID - 1_802, MID - 1_798)  # 0.1 BTC * -900 USD = -90: not yet
    h.advance(0.3)
    assert h.desk.killswitch.state is TradingState.ACTIVE
    h.book(BTC, MID - 2_202, MID - 2_198)  # -110: breached
    h.advance(0.3)
    assert h.desk.killswitch.state is TradingState.HALTED
    assert h.desk.killswitch.source == "limit:DAILY_LOSS"
    assert resting.status is S.CANCELED


async def test_max_drawdown_trips_by_itself():
    h = await started(risk={"max_drawdown": "50", "daily_loss_limit": "100000"})
    buy = h.submit(Side.BUY, 1_000, MID - 2)
    h.venue.fill(buy.client_order_id, 1_000)
    h.book(BTC, MID + 1_998, MID + 2_002)  # +100: a new peak
    h.advance(0.3)
    h.book(BTC, MID + 1_098, MID + 1_102)  # -45 from the peak
    h.advance(0.3)
    assert h.desk.killswitch.state is TradingState.ACTIVE
    h.book(BTC, MID + 898, MID + 902)  # -55 from the peak, still up on the day
    h.advance(0.3)
    assert h.desk.killswitch.source == "limit:MAX_DRAWDOWN"
    assert h.views.portfolio.day_pnl > 0


async def test_position_breach_trips_by_itself():
    h = await started(risk={"instruments": {"BTC/USD": {"max_position": "0.01"}}})
    from tradeterm.domain.reports import OrderStatusReport

    # an order placed elsewhere on the account fills beyond our limit
    h.venue.orders["web-1"] = OrderStatusReport(
        "web-1", "V5", BTC.id, Side.BUY, 150, S.ACCEPTED, 0, MID
    )
    h.venue.fill("web-1", 150)
    assert h.desk.killswitch.source == "limit:POSITION_BREACH"
    assert "over the limit 0.0100" in h.desk.killswitch.reason


async def test_flatten_closes_positions_with_reduce_only_ioc_orders():
    h = await started(risk={"duplicate_window_ms": 0})
    for inst, side, qty, price in ((BTC, Side.BUY, 300, MID - 2), (ETH, Side.SELL, 40, 60_001)):
        order = h.submit(side, qty, price, inst=inst)
        h.venue.fill(order.client_order_id, qty)
    h.venue.ioc_fill = 1.0
    h.desk.kill.trip("flatten everything", "cli", flatten=True)
    flat = [o for o in h.venue.sent if o.source == "flatten"]
    assert {(o.instrument, o.side, o.qty) for o in flat} == {
        (BTC.id, Side.SELL, 300),
        (ETH.id, Side.BUY, 40),
    }
    assert all(o.reduce_only and o.tif is TimeInForce.IOC for o in flat)
    assert h.desk.portfolio.qty(BTC.id) == 0 and h.desk.portfolio.qty(ETH.id) == 0
    h.advance(0.6)
    assert h.desk.flattener.result == "flat"
    assert h.desk.killswitch.halted


async def test_flatten_retries_then_gives_up_at_the_limit():
    h = await started(risk={"flatten_max_attempts": 3})
    order = h.submit(Side.BUY, 1000, MID - 2)
    h.venue.fill(order.client_order_id, 1000)
    h.venue.ioc_fill = 0.5
    h.desk.kill.trip("flatten", "cli", flatten=True)
    for _ in range(5):
        h.advance(0.6)
    flat = [o for o in h.venue.sent if o.source == "flatten"]
    assert [o.qty for o in flat] == [1000, 500, 250]
    assert h.desk.portfolio.qty(BTC.id) == 125
    assert h.desk.flattener.result.startswith("gave up after 3 attempts")


async def test_a_manual_order_calling_itself_flatten_is_still_denied():
    h = await started()
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(order.client_order_id, 100)
    h.desk.kill.trip("halt", "key")
    sneaky = h.order(
        Side.SELL, 100, MID - 2, reduce_only=True, tif=TimeInForce.IOC, source="flatten"
    )
    assert h.send(sneaky).reason == "KILL_SWITCH"


async def test_feed_loss_policy_trips_after_the_grace_period_and_reconciles_on_return():
    h = await started(risk={"feed_loss_grace_s": 2})
    now = h.clock.timestamp_ns()
    h.bus.publish("venue.fake", VenueStatus(now, now, "fake", ConnectionState.CONNECTED))
    h.bus.publish("venue.fake", VenueStatus(now, now, "fake", ConnectionState.DISCONNECTED))
    h.advance(1.5)
    assert h.desk.killswitch.state is TradingState.ACTIVE
    h.advance(1.0)
    assert h.desk.killswitch.source == "feed_loss"
    h.bus.publish("venue.fake", VenueStatus(now, now, "fake", ConnectionState.CONNECTED))
    import asyncio

    for _ in range(10):
        await asyncio.sleep(0)
    assert len(h.desk.reconciliations) == 2


async def test_a_short_feed_gap_does_not_trip():
    h = await started(risk={"feed_loss_grace_s": 2})
    now = h.clock.timestamp_ns()
    h.bus.publish("venue.fake", VenueStatus(now, now, "fake", ConnectionState.STALE))
    h.advance(1)
    h.bus.publish("venue.fake", VenueStatus(now, now, "fake", ConnectionState.CONNECTED))
    h.advance(5)
    assert h.desk.killswitch.state is TradingState.ACTIVE


async def test_hangup_policies():
    for policy, state, canceled in (
        ("keep", TradingState.ACTIVE, False),
        ("halt", TradingState.HALTED, False),
        ("halt_cancel", TradingState.HALTED, True),
    ):
        h = await started(session={"on_hangup": policy})
        order = h.submit()
        h.desk.kill.hangup()
        assert h.desk.killswitch.state is state, policy
        assert (order.status is S.CANCELED) is canceled, policy
