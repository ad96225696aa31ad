"""Scenario tests, one or more per order type and exchange feature."""

from decimal import Decimal

from tests.helpers import BTC
from tests.unit.matching.recorder import BUY, SELL, make, queue_ids
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import SimClock
from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.market import Side
from tradeterm.matching import MatchingEngine, MatchingRules
from tradeterm.matching.orders import (
    FOK,
    GTD,
    LIMIT,
    MARKET,
    STOP_LIMIT,
    STOP_MARKET,
    STP_CANCEL_AGGRESSING,
    STP_CANCEL_BOTH,
    STP_CANCEL_RESTING,
    STP_NONE,
)
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.reports import OrderReports
from tradeterm.matching.rules import FeeSchedule


# --- FOK -------------------------------------------------------------------------------------
def test_fok_fills_completely_or_not_at_all():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 100, 3)
    eng.submit_limit(2, 1, SELL, 101, 3)
    assert eng.submit(3, 2, BUY, 7, LIMIT, 101, FOK) == 0
    assert rec.events[-1] == ("canceled", 3, 7, "FOK") and not rec.fills
    assert eng.level_size[1] == {100: 3, 101: 3}
    assert eng.submit(4, 2, BUY, 6, LIMIT, 101, FOK) == 6
    assert eng.best_ask is None and 4 not in eng.orders


def test_fok_counts_hidden_iceberg_quantity():
    eng, rec = make()
    eng.submit(1, 1, SELL, 10, LIMIT, 100, display=2)
    assert eng.submit(2, 2, BUY, 10, LIMIT, 100, FOK) == 10 and not eng.orders


def test_fok_market_order():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 100, 3)
    assert eng.submit(2, 2, BUY, 4, MARKET, None, FOK) == 0
    assert eng.submit(3, 2, BUY, 3, MARKET, None, FOK) == 3


# --- post-only -------------------------------------------------------------------------------
def test_post_only_rejects_when_it_would_take():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 100, 3)
    assert eng.submit(2, 2, BUY, 1, LIMIT, 100, post_only=True) == 0
    assert rec.reasons(2) == ["POST_ONLY_WOULD_TAKE"] and not rec.fills
    eng.submit(3, 2, BUY, 1, LIMIT, 99, post_only=True)
    assert queue_ids(eng, BUY, 99) == [3]


def test_post_only_slides_one_tick_inside_when_configured():
    eng, rec = make(post_only_slide=True)
    eng.submit_limit(1, 1, SELL, 100, 3)
    eng.submit(2, 2, BUY, 1, LIMIT, 105, post_only=True)
    assert rec.events[-1] == ("accepted", 2, 99, 1) and queue_ids(eng, BUY, 99) == [2]
    assert not rec.fills


# --- iceberg ---------------------------------------------------------------------------------
def test_iceberg_shows_display_and_refill_loses_priority():
    eng, rec = make()
    eng.submit(1, 1, SELL, 10, LIMIT, 100, display=3)
    eng.submit_limit(2, 2, SELL, 100, 4)
    assert eng.level_size[1][100] == 7  # 3 shown + 4
    eng.submit_limit(3, 3, BUY, 100, 3)  # takes the shown slice: the iceberg refills behind 2
    assert queue_ids(eng, SELL, 100) == [2, 1] and eng.orders[1].visible == 3
    assert eng.level_size[1][100] == 7 and eng.orders[1].leaves == 7
    eng.submit_limit(4, 3, BUY, 100, 5)  # 4 from order 2, then 1 from the iceberg
    assert [(f[0], f[5]) for f in rec.fills[1:]] == [(2, 4), (1, 1)]
    assert eng.orders[1].visible == 2 and eng.level_size[1][100] == 2


def test_iceberg_sweep_takes_refills_in_one_order():
    eng, rec = make()
    eng.submit(1, 1, SELL, 9, LIMIT, 100, display=2)
    assert eng.submit_limit(2, 2, BUY, 100, 9) == 9
    assert [f[5] for f in rec.fills] == [2, 2, 2, 2, 1] and not eng.orders


# --- GTD -------------------------------------------------------------------------------------
def test_gtd_expires_on_the_clock():
    clock = SimClock(1_000)
    eng, rec = make(clock=clock)
    eng.submit(1, 1, BUY, 5, LIMIT, 100, GTD, expire_ns=5_000)
    eng.submit(2, 1, BUY, 5, LIMIT, 100, GTD, expire_ns=9_000)
    clock.advance_to(4_999)
    assert set(eng.orders) == {1, 2}
    clock.advance_to(5_000)
    assert ("expired", 1, 5) in rec.events and set(eng.orders) == {2}
    assert eng.level_size[0][100] == 5
    clock.advance_to(10_000)
    assert not eng.orders and eng.level_changes[0][100] == 0


def test_gtd_partially_filled_expires_its_leaves():
    eng, rec = make()
    eng.submit(1, 1, SELL, 5, LIMIT, 100, GTD, expire_ns=50)
    eng.submit_limit(2, 2, BUY, 100, 2)
    assert eng.expire_due(49) == 0 and eng.expire_due(50) == 1
    assert rec.events[-1] == ("expired", 1, 3)


# --- stops -----------------------------------------------------------------------------------
def _market_at(eng, price):
    """Print a trade at ``price`` between owners 90 and 91."""
    eng.submit_limit(900 + price, 90, SELL, price, 1)
    eng.submit_limit(9000 + price, 91, BUY, price, 1)


def test_stop_market_triggers_on_trade_at_or_through_its_price():
    eng, rec = make()
    _market_at(eng, 100)
    eng.submit_limit(1, 1, SELL, 103, 5)
    eng.submit(2, 2, BUY, 3, STOP_MARKET, trigger=102)
    assert 2 in eng.stops and not rec.of("triggered")
    _market_at(eng, 101)
    assert 2 in eng.stops
    _market_at(eng, 102)
    assert ("triggered", 2, 102) in rec.events and 2 not in eng.stops
    assert rec.fills[-1][:1] + rec.fills[-1][2:] == (1, 2, 2, 103, 3)


def test_stop_limit_becomes_a_resting_limit():
    eng, rec = make()
    _market_at(eng, 100)
    eng.submit(2, 2, SELL, 3, STOP_LIMIT, 97, trigger=98)
    _market_at(eng, 98)
    assert ("triggered", 2, 98) in rec.events and queue_ids(eng, SELL, 97) == [2]


def test_stop_triggered_by_a_sweep_runs_after_the_sweeping_order_and_cascades():
    eng, rec = make()
    _market_at(eng, 100)
    eng.submit_limit(1, 1, SELL, 101, 1)
    eng.submit_limit(2, 1, SELL, 102, 1)
    eng.submit_limit(3, 1, SELL, 104, 5)
    eng.submit(10, 5, BUY, 1, STOP_MARKET, trigger=102)  # triggers on the sweep
    eng.submit(11, 6, BUY, 1, STOP_MARKET, trigger=104)  # triggers on stop 10's trade
    eng.submit_limit(20, 7, BUY, 102, 2)
    kinds = [(e[0], e[1]) for e in rec.events if e[0] in ("triggered", "fill")][-5:]
    assert kinds == [("fill", 2), ("triggered", 10), ("fill", 3), ("triggered", 11), ("fill", 3)]
    assert eng.orders[3].leaves == 3 and not eng.stops


def test_stop_that_would_trigger_at_once_is_rejected():
    eng, rec = make()
    _market_at(eng, 100)
    eng.submit(1, 2, BUY, 1, STOP_MARKET, trigger=100)
    eng.submit(2, 2, SELL, 1, STOP_MARKET, trigger=101)
    assert rec.reasons(1) == rec.reasons(2) == ["WOULD_TRIGGER_IMMEDIATELY"]


# --- reduce-only -----------------------------------------------------------------------------
def test_reduce_only_needs_a_position_and_is_clamped_to_it():
    eng, rec = make()
    eng.track_position(5)
    eng.submit(1, 5, SELL, 2, LIMIT, 100, reduce_only=True)
    assert rec.reasons(1) == ["REDUCE_ONLY_WOULD_INCREASE"]
    eng.submit_limit(2, 1, SELL, 100, 4)
    eng.submit_limit(3, 5, BUY, 100, 4)  # owner 5 is now long 4
    assert eng.positions[5] == 4 and eng.positions.get(1) is None
    eng.submit(4, 5, BUY, 1, LIMIT, 90, reduce_only=True)
    assert rec.reasons(4) == ["REDUCE_ONLY_WOULD_INCREASE"]
    eng.submit(5, 5, SELL, 10, LIMIT, 110, reduce_only=True)
    assert rec.events[-1] == ("accepted", 5, 110, 4) and eng.orders[5].leaves == 4


def test_resting_reduce_only_order_shrinks_and_cancels_with_the_position():
    eng, rec = make()
    eng.track_position(5, 4)
    eng.submit(1, 5, SELL, 4, LIMIT, 110, reduce_only=True)
    eng.submit_limit(2, 1, BUY, 95, 3)
    eng.submit_limit(3, 5, SELL, 95, 3)  # position 4 -> 1: the reduce-only order is cut to 1
    assert eng.positions[5] == 1 and eng.orders[1].leaves == 1
    assert ("modified", 1, 110, 1, 1) in rec.events and eng.level_size[1][110] == 1
    eng.submit_limit(4, 1, BUY, 95, 1)
    eng.submit_limit(5, 5, SELL, 95, 1)  # flat: the reduce-only order is cancelled
    assert 1 not in eng.orders and rec.reasons(1) == ["REDUCE_ONLY"]


# --- modify ----------------------------------------------------------------------------------
def test_modify_size_down_keeps_priority_size_up_and_price_lose_it():
    eng, rec = make()
    for i in (1, 2, 3):
        eng.submit_limit(i, i, BUY, 100, 5)
    assert eng.modify(1, qty=3)
    assert queue_ids(eng, BUY, 100) == [1, 2, 3] and eng.level_size[0][100] == 13
    assert eng.modify(2, qty=6)
    assert queue_ids(eng, BUY, 100) == [1, 3, 2] and eng.level_size[0][100] == 14
    assert eng.modify(1, price=99) and eng.modify(1, price=100)
    assert queue_ids(eng, BUY, 100) == [3, 2, 1]
    assert rec.of("modified")[0] == ("modified", 1, 100, 3, 3)


def test_modify_into_the_spread_trades_as_aggressor():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 101, 2)
    eng.submit_limit(2, 2, BUY, 100, 5)
    assert eng.modify(2, price=101)
    assert rec.fills == [(1, 1, 2, 2, 101, 2)] and eng.orders[2].leaves == 3
    assert eng.best_bid == 101 and eng.best_ask is None


def test_modify_keeps_filled_quantity_and_rejects_below_it():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 100, 10)
    eng.submit_limit(2, 2, BUY, 100, 4)
    assert not eng.modify(1, qty=4)
    assert rec.reasons(1) == ["INVALID_QUANTITY"]
    assert eng.modify(1, qty=5) and eng.orders[1].leaves == 1
    assert not eng.modify(77, qty=5) and rec.reasons(77) == ["UNKNOWN_ORDER"]


def test_modify_stop_trigger_and_limit():
    eng, rec = make()
    _market_at(eng, 100)
    eng.submit(1, 2, BUY, 3, STOP_LIMIT, 106, trigger=105)
    assert eng.modify(1, price=104, trigger=103)
    _market_at(eng, 103)
    assert ("triggered", 1, 103) in rec.events and queue_ids(eng, BUY, 104) == [1]


# --- self-trade prevention -------------------------------------------------------------------
def _stp_book(mode):
    eng, rec = make(stp=mode)
    eng.submit_limit(1, 9, SELL, 100, 2)  # owner 9
    eng.submit_limit(2, 8, SELL, 100, 2)
    return eng, rec


def test_stp_cancel_resting():
    eng, rec = _stp_book(STP_CANCEL_RESTING)
    assert eng.submit_limit(3, 9, BUY, 100, 3) == 2
    assert rec.reasons(1) == ["SELF_TRADE"] and rec.fills == [(2, 8, 3, 9, 100, 2)]
    assert queue_ids(eng, BUY, 100) == [3] and eng.orders[3].leaves == 1


def test_stp_cancel_aggressing():
    eng, rec = _stp_book(STP_CANCEL_AGGRESSING)
    assert eng.submit_limit(3, 9, BUY, 100, 3) == 0
    assert rec.reasons(3) == ["SELF_TRADE"] and not rec.fills and 1 in eng.orders


def test_stp_cancel_both():
    eng, rec = _stp_book(STP_CANCEL_BOTH)
    assert eng.submit_limit(3, 9, BUY, 100, 3) == 0
    assert rec.reasons(1) == rec.reasons(3) == ["SELF_TRADE"] and queue_ids(eng, SELL, 100) == [2]


def test_stp_none_allows_a_wash_and_per_order_mode_overrides():
    eng, rec = _stp_book(STP_NONE)
    assert eng.submit_limit(3, 9, BUY, 100, 1) == 1
    assert eng.submit(4, 9, BUY, 1, LIMIT, 100, stp=STP_CANCEL_AGGRESSING) == 0
    assert rec.reasons(4) == ["SELF_TRADE"]


# --- pro-rata --------------------------------------------------------------------------------
def test_pro_rata_allocates_by_size_with_the_remainder_in_time_order():
    eng, rec = make(pro_rata=True)
    eng.submit_limit(1, 1, SELL, 100, 10)
    eng.submit_limit(2, 2, SELL, 100, 30)
    eng.submit_limit(3, 3, SELL, 100, 60)
    eng.submit_limit(4, 4, BUY, 100, 11)  # 1.1 / 3.3 / 6.6 -> 1/3/6, 1 left -> order 1
    assert {f[0]: f[5] for f in rec.fills} == {1: 2, 2: 3, 3: 6}
    assert eng.level_size[1][100] == 89 and queue_ids(eng, SELL, 100) == [1, 2, 3]
    eng.submit_limit(5, 4, BUY, 101, 200)
    assert eng.best_ask is None and eng.orders[5].leaves == 111


# --- fees ------------------------------------------------------------------------------------
def test_fills_report_maker_and_taker_fees_from_the_schedule():
    bus, clock = MessageBus(), SimClock(0)
    rules = MatchingRules.for_instrument(BTC)
    events = []
    bus.subscribe("order.test", events.append)
    reports = OrderReports(bus, clock, "order.test", BTC, rules.fees, owner=0)

    class Own(MatchListener):
        def on_fill(self, maker, taker_id, taker_owner, price, qty, taker_leaves, trade_id):
            if maker.owner == 0:
                reports.fill(maker.order_id, price, qty, True, trade_id)
            if taker_owner == 0:
                reports.fill(taker_id, price, qty, False, trade_id)

    eng = MatchingEngine(Own(), rules)
    reports.track(1, "mine-1", Side.SELL, 1000)
    eng.submit_limit(1, 0, SELL, 123600, 1000)  # 0.1 BTC at 61800
    eng.submit_limit(2, 5, BUY, 123600, 1000)
    reports.track(3, "mine-2", Side.BUY, 500)
    eng.submit_limit(4, 5, SELL, 123600, 500)
    eng.submit_limit(3, 0, BUY, 123600, 500)
    maker, taker = [e for e in events if isinstance(e, OrderFilled)]
    assert maker.liquidity is Liquidity.MAKER and maker.fee == Decimal("0.618")  # 6180 * 1bp
    assert taker.liquidity is Liquidity.TAKER and taker.fee == Decimal("1.236")  # 3090 * 4bp
    assert maker.leaves_qty == 0 and maker.trade_id == "1"


def test_per_owner_fee_override():
    fees = FeeSchedule(Decimal("0.001"), Decimal("0.002"), {7: (Decimal("-0.0001"), Decimal(0))})
    assert fees.fee(BTC, 2, 10000, True, owner=7) == Decimal("-0.0001")
    assert fees.fee(BTC, 2, 10000, False, owner=1) == Decimal("0.002")


def test_reports_announce_a_post_only_slide_as_a_modify():
    from tradeterm.domain.events import OrderAccepted, OrderModified

    bus, clock = MessageBus(), SimClock(0)
    events = []
    bus.subscribe("order.test", events.append)
    reports = OrderReports(bus, clock, "order.test", BTC, FeeSchedule(), owner=0)
    reports.track(7, "mine", Side.BUY, 5, price=105)
    reports.accepted(7, 99, 5)
    assert [type(e) for e in events] == [OrderAccepted, OrderModified]
    assert events[1].price == 99
