"""When a held order triggers, and how a trailing stop follows the market: exact ticks."""

from tradeterm.domain.held import HeldKind, HeldOrder, TrailUnit
from tradeterm.domain.market import Side
from tradeterm.oms.held_triggers import follow, mid, reached, trail_trigger


def test_a_sell_stop_triggers_at_or_below_and_a_buy_stop_at_or_above():
    sell = HeldOrder("s", "x", HeldKind.STOP, Side.SELL, 1, trigger_price=100)
    buy = HeldOrder("b", "x", HeldKind.STOP, Side.BUY, 1, trigger_price=100)
    assert [reached(sell, p) for p in (101, 100, 99)] == [False, True, True]
    assert [reached(buy, p) for p in (99, 100, 101)] == [False, True, True]


def test_mid_between_two_ticks_rounds_toward_the_stop_side():
    assert mid(100, 103, Side.SELL) == 101 and mid(100, 103, Side.BUY) == 102
    assert mid(100, 102, Side.SELL) == mid(100, 102, Side.BUY) == 101
    assert mid(None, 102, Side.SELL) is None


def test_a_trail_in_bps_is_exact_and_rounds_away_from_the_market():
    # 10 bps of 123457 ticks = 123.457 ticks: a sell's trigger 123333.543 -> 123333
    assert trail_trigger(Side.SELL, 123_457, 10, TrailUnit.BPS) == 123_333
    assert trail_trigger(Side.BUY, 123_457, 10, TrailUnit.BPS) == 123_581  # 123580.457 up
    assert trail_trigger(Side.SELL, 100_000, 15, TrailUnit.TICKS) == 99_985
    assert trail_trigger(Side.BUY, 100_000, 15, TrailUnit.TICKS) == 100_015


def test_a_trailing_trigger_only_ratchets_in_the_favourable_direction():
    h = HeldOrder("t", "x", HeldKind.TRAIL, Side.SELL, 1, trail=15)
    assert follow(h, 1_000) and h.trigger_price == 985
    assert follow(h, 1_010) and h.trigger_price == 995
    assert not follow(h, 1_003) and h.trigger_price == 995 and h.extreme == 1_010
    assert not follow(h, 990) and h.trigger_price == 995
    assert reached(h, 995) and not reached(h, 996)
    b = HeldOrder("t", "x", HeldKind.TRAIL, Side.BUY, 1, trail=5)
    assert follow(b, 1_000) and b.trigger_price == 1_005
    assert not follow(b, 1_002) and b.trigger_price == 1_005
    assert follow(b, 990) and b.trigger_price == 995
