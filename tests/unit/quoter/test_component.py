"""The live quoter driven through the bus, sending through a recording gateway."""

import pytest

from tradeterm.core import topics
from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.events import ConnectionState, OrderDenied, TradingState
from tradeterm.domain.market import Side
from tradeterm.quoter.model import MarketState, compute_quotes

from tests.unit.quoter.fakes import Rig

BID, ASK = 120_000, 120_004  # ticks of 0.5: 60000.0 / 60002.0


def started(**config) -> Rig:
    rig = Rig(**config)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    return rig


def test_quotes_both_sides_post_only_through_the_gateway_at_the_models_prices():
    rig = started()
    submits = rig.gateway.of(SubmitOrder)
    assert [(s.side, s.qty, s.post_only, s.source) for s in submits] == [
        (Side.BUY, 100, True, "quoter"),
        (Side.SELL, 100, True, "quoter"),
    ]
    expected = compute_quotes(
        MarketState((BID + ASK) / 2, 0, best_bid=BID, best_ask=ASK), rig.quoter.setup.live_params()
    )
    assert (submits[0].price, submits[1].price) == (expected.bid, expected.ask)
    view = rig.quoter.view
    assert view.state == "QUOTING" and view.enabled
    assert view.bids == [(expected.bid, 100)] and view.asks == [(expected.ask, 100)]
    assert view.reservation_price == pytest.approx((BID + ASK) / 2)
    assert (view.sigma, view.k, view.A, view.estimated) == (2.0, 0.5, 2.0, "")
    assert all(len(s.client_order_id) <= 36 for s in submits)


def test_stale_data_pulls_every_quote_and_fresh_data_brings_them_back():
    rig = started()
    rig.gateway.take()
    rig.at(4.9)  # timers fire on the way; the book is 4.9 s old: still fine
    assert not rig.gateway.of(CancelOrder)
    rig.at(5.3)
    cancels = rig.gateway.of(CancelOrder)
    assert len(cancels) == 2 and not rig.gateway.working
    assert rig.quoter.view.state == "PULLED" and "stale data" in rig.quoter.view.reason
    rig.gateway.take()
    rig.at(8.0)
    assert not rig.gateway.calls  # still stale: nothing sent
    rig.book_at(8.1, BID, ASK)
    assert len(rig.gateway.of(SubmitOrder)) == 2 and rig.quoter.view.state == "QUOTING"


@pytest.mark.parametrize(
    "state", [ConnectionState.STALE, ConnectionState.DISCONNECTED, ConnectionState.RESYNCING]
)
def test_venue_trouble_pulls_quotes_until_connected_again(state):
    rig = started()
    rig.gateway.take()
    rig.venue(state)
    assert len(rig.gateway.of(CancelOrder)) == 2 and not rig.gateway.working
    assert rig.quoter.view.reason == f"venue {state.value}"
    rig.book_at(1.0, BID + 2, ASK + 2)
    assert not rig.gateway.of(SubmitOrder)
    rig.venue(ConnectionState.CONNECTED)
    rig.book_at(1.1, BID + 2, ASK + 2)
    assert len(rig.gateway.of(SubmitOrder)) == 2


def test_kill_switch_pulls_everything_and_keeps_the_quoter_off_until_switched_on():
    rig = started()
    rig.gateway.take()
    rig.kill("max drawdown")
    assert len(rig.gateway.of(CancelOrder)) == 2 and not rig.gateway.working
    view = rig.quoter.view
    assert not view.enabled and view.state == "OFF" and view.reason == "kill switch: max drawdown"
    rig.trading(TradingState.ACTIVE)  # re-armed by risk: the quoter still waits for the trader
    rig.book_at(1.0, BID + 4, ASK + 4)
    assert not rig.gateway.of(SubmitOrder)
    rig.quoter.enable()
    assert len(rig.gateway.of(SubmitOrder)) == 2 and rig.quoter.view.state == "QUOTING"


@pytest.mark.parametrize("state", [TradingState.HALTED, TradingState.REDUCING])
def test_any_trading_state_but_active_pulls_quotes(state):
    rig = started()
    rig.gateway.take()
    rig.trading(state)
    assert len(rig.gateway.of(CancelOrder)) == 2
    assert rig.quoter.view.reason == f"trading state {state.value}"
    rig.book_at(1.0, BID + 2, ASK + 2)
    assert not rig.gateway.of(SubmitOrder)
    rig.trading(TradingState.ACTIVE)
    assert len(rig.gateway.of(SubmitOrder)) == 2


def test_status_view_trading_state_is_honoured_too():
    rig = started()
    rig.gateway.take()
    rig.views.status.trading_state = TradingState.HALTED
    rig.book_at(1.0, BID + 2, ASK + 2)
    assert len(rig.gateway.of(CancelOrder)) == 2 and not rig.gateway.of(SubmitOrder)


def test_fills_move_inventory_skew_quotes_and_the_limit_stops_the_growing_side():
    rig = started(max_position="0.025", requote_ticks=1)  # 250 lots, clips of 100
    bid_id = rig.gateway.of(SubmitOrder)[0].client_order_id
    before = rig.gateway.resting(Side.SELL)[0][0]
    rig.fill(bid_id, 100)
    assert rig.quoter.inventory == 100
    # long: the reservation price drops, so the ask comes down to sell the inventory off
    assert rig.gateway.resting(Side.SELL)[0][0] < before
    rig.fill(next(c for c, (s, *_rest) in rig.gateway.working.items() if s is Side.BUY), 100)
    assert rig.quoter.inventory == 200
    assert rig.gateway.resting(Side.BUY)[0][1] == 50  # only 50 lots of room left under 250
    rig.fill(next(c for c, (s, *_rest) in rig.gateway.working.items() if s is Side.BUY), 50)
    assert rig.quoter.inventory == 250
    assert rig.gateway.resting(Side.BUY) == []  # at the limit: no bid at all
    assert rig.gateway.resting(Side.SELL)[0][1] == 100
    assert rig.quoter.view.inventory == 250 and rig.quoter.view.bids == []


def test_requote_threshold_and_age():
    rig = started(requote_ticks=3, max_quote_age_s=10.0)
    rig.gateway.take()
    rig.book_at(1.0, BID + 1, ASK + 1)  # the model's quotes move 1 tick: below the threshold
    assert not rig.gateway.of(ModifyOrder)
    rig.book_at(2.0, BID + 3, ASK + 3)
    assert len(rig.gateway.of(ModifyOrder)) == 2
    rig.gateway.take()
    rig.book_at(2.5, BID + 4, ASK + 4)
    assert not rig.gateway.calls
    for second in range(3, 13):  # keep the data fresh; the quotes age past 10 s
        rig.book_at(float(second), BID + 4, ASK + 4)
    assert len(rig.gateway.of(ModifyOrder)) == 2


def test_waits_for_the_answer_before_sending_another_request_for_the_same_order():
    rig = Rig(auto_ack=False)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    assert len(rig.gateway.take()) == 2
    rig.book_at(1.0, BID + 10, ASK + 10)
    assert rig.gateway.calls == []  # both still PENDING_NEW: nothing more goes out
    rig.at(6.5)  # stale: cancels go even for unacknowledged orders
    assert len(rig.gateway.of(CancelOrder)) == 2


def test_a_denied_order_backs_off_then_retries():
    rig = Rig(auto_ack=False, reject_backoff_s=2.0)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    first = rig.gateway.take()
    for cmd in first:
        rig.bus.publish(
            topics.orders("test"),
            OrderDenied(
                rig.now, rig.now, cmd.client_order_id, cmd.instrument, "HALTED", "trading halted"
            ),
        )
    assert rig.quoter.view.rejects == 2 and len(rig.quoter.working) == 0
    rig.gateway.take()  # (the second order was being cancelled when its denial came)
    rig.book_at(1.0, BID + 2, ASK + 2)
    assert rig.gateway.calls == [] and "backing off" in rig.quoter.view.reason
    rig.book_at(2.5, BID + 2, ASK + 2)
    assert len(rig.gateway.of(SubmitOrder)) == 2


def test_order_rate_is_limited_but_cancels_always_go():
    rig = Rig(max_orders_per_s=2.0, levels=3)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    assert len(rig.gateway.of(SubmitOrder)) == 2  # 6 wanted, 2 tokens
    rig.book_at(0.5, BID, ASK + 2)
    assert len(rig.gateway.of(SubmitOrder)) == 3  # half a second buys one more
    rig.kill()
    assert len(rig.gateway.of(CancelOrder)) == 3


def test_parameters_change_while_running_and_bad_values_are_refused():
    rig = started()
    spread_before = rig.quoter.view.spread
    rig.quoter.update_config(gamma=1.0, min_spread_ticks=12)
    assert rig.quoter.view.spread >= 12 > spread_before
    ask = rig.gateway.resting(Side.SELL)[0][0]
    bid = rig.gateway.resting(Side.BUY)[0][0]
    assert ask - bid >= 12
    with pytest.raises(ValueError, match="gamma"):
        rig.quoter.update_config(gamma=-1)
    with pytest.raises(ValueError, match="not a multiple of the lot size"):
        rig.quoter.update_config(order_size="0.00015")
    assert rig.quoter.setup.config.gamma == 1.0


def test_switching_off_pulls_and_on_quotes_again():
    rig = started()
    rig.quoter.disable()
    assert not rig.gateway.working and rig.quoter.view.state == "OFF"
    rig.quoter.enable()
    assert len(rig.gateway.working) == 2


def test_warms_up_from_market_data_when_sigma_k_and_a_are_not_configured():
    rig = Rig(sigma=None, k=None, A=None, warmup_bars=5, warmup_sweeps=5, bar_seconds=1.0)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    assert rig.quoter.view.state == "WARMING_UP" and not rig.gateway.calls
    assert "sigma" in rig.quoter.view.reason and "k and A" in rig.quoter.view.reason
    mid_moves = [0, 2, -2, 4, 0, -4, 2, 6, 2, 0, -2]
    for i, move in enumerate(mid_moves):
        rig.book_at(i + 0.5, BID + move, ASK + move)
        rig.trade_at(i + 0.6, ASK + move, Side.BUY)
        rig.trade_at(i + 0.7, BID + move - 1, Side.SELL)  # one tick through the bid
    rig.at(len(mid_moves) + 0.5)
    rig.book_at(len(mid_moves) + 0.6, BID, ASK)
    view = rig.quoter.view
    assert view.state == "QUOTING", view.reason
    assert view.estimated == "sigma,k,A" and view.sigma > 0 and view.k > 0 and view.A > 0
    assert len(rig.gateway.of(SubmitOrder)) == 2


def test_never_adds_exposure_before_a_shrink_in_flight_has_landed():
    from tradeterm.domain.events import OrderAccepted, OrderModified

    rig = Rig(auto_ack=False, levels=2, max_position="0.025", requote_ticks=50)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    for cmd in rig.gateway.take():
        rig.bus.publish(
            topics.orders("test"),
            OrderAccepted(rig.now, rig.now, cmd.client_order_id, cmd.instrument, "v"),
        )
    asks = sorted((p, c) for c, (s, p, _q) in rig.gateway.working.items() if s is Side.SELL)
    rig.fill(asks[0][1], 100)  # short 100: room to sell is 150, the other ask still shows 100
    calls = rig.gateway.take()
    shrink = [c for c in calls if isinstance(c, ModifyOrder)]
    assert [(c.client_order_id, c.qty) for c in shrink] == [(asks[1][1], 50)]
    assert not [c for c in calls if isinstance(c, SubmitOrder) and c.side is Side.SELL]
    rig.bus.publish(
        topics.orders("test"),
        OrderModified(rig.now, rig.now, asks[1][1], shrink[0].instrument, shrink[0].price, 50),
    )
    rig.settle()
    new = [c for c in rig.gateway.take() if isinstance(c, SubmitOrder) and c.side is Side.SELL]
    assert [c.qty for c in new] == [100]  # 100 + 50 working = the 150 of room, no more


@pytest.mark.parametrize("source", ["micro", "vamp"])
def test_fair_price_leans_to_the_thin_side_of_the_book(source):
    rig = started(fair_price=source, vamp_depth_clips=2)
    mid = (BID + ASK) / 2
    rig.book_at(1.0, BID, ASK, bid_size=2000, ask_size=100)  # buyers rest 20x the sellers' size
    assert rig.quoter.view.fair_price > mid
    rig.book_at(2.0, BID, ASK, bid_size=100, ask_size=2000)
    assert rig.quoter.view.fair_price < mid


def test_a_parameter_change_keeps_what_the_estimators_learnt():
    rig = Rig(sigma=None, warmup_bars=3)
    rig.book_at(0.0, BID, ASK)
    rig.quoter.start()
    for i in range(6):
        rig.book_at(i + 0.5, BID + (i % 3), ASK + (i % 3))
    rig.at(6.5)
    assert rig.quoter.view.sigma is not None
    bars = rig.quoter.setup.vol.bars
    rig.quoter.update_config(gamma=0.3)
    assert rig.quoter.setup.vol.bars == bars and rig.quoter.view.sigma is not None
    rig.quoter.update_config(bar_seconds=2.0)  # a new bar length: the estimator starts again
    assert rig.quoter.setup.vol.bars == 0 and rig.quoter.view.state == "WARMING_UP"


def test_the_views_figures_of_quotes_and_book_are_those_of_when_they_are_read():
    rig = started(fair_price="mid")
    view = rig.quoter.view
    assert view.micro_price == pytest.approx(BID + 2) and view.imbalance == pytest.approx(0)
    rig.book.set_bid(BID, 900)  # the book changes under the quoter: no update, no requote
    rig.book.set_ask(ASK, 100)
    assert view.micro_price == pytest.approx(BID + 0.9 * 4)  # it shows the book now
    assert view.imbalance == pytest.approx(0.8)
    assert len(view.bids) == 1
    rig.quoter.working.remove(rig.gateway.of(SubmitOrder)[0].client_order_id)
    assert view.bids == []  # and the working quotes now
