"""The alert triggers (trading/alert_rules.py): crossing from either side, exact Decimal levels
through ticks and half-ticks, once vs repeating, PnL and drawdown thresholds."""

from decimal import Decimal

import pytest

from tradeterm.domain.alerts import AlertOp
from tradeterm.trading.alert_rules import Edge, Happening, PriceLevel, Threshold

TICK = Decimal("0.5")


def level(op: AlertOp, price: str, repeat: bool = False, tick: Decimal = TICK) -> PriceLevel:
    return PriceLevel.at(op, Decimal(price), tick, repeat)


def ticks(price: str, tick: Decimal = TICK) -> int:
    """A last-trade price as the watch sees it: twice its ticks."""
    return 2 * int(Decimal(price) / tick)


def run(trigger: PriceLevel, prices: list[str]) -> list[bool]:
    return [trigger.update(ticks(p)) for p in prices]


def test_above_fires_once_when_the_price_goes_over_the_level():
    trigger = level(AlertOp.ABOVE, "62000")
    assert run(trigger, ["61999.5", "62000", "62000.5", "61999", "62001"]) == [
        False,
        False,  # at the level is not above it
        True,
        False,
        False,  # spent: set it again to re-arm
    ]


def test_above_repeating_fires_again_after_going_back_to_or_under_the_level():
    trigger = level(AlertOp.ABOVE, "62000", repeat=True)
    prices = ["62000.5", "62001", "62000", "62000.5", "61000", "62003"]
    assert run(trigger, prices) == [True, False, False, True, False, True]


def test_above_fires_at_the_first_price_when_already_over():
    assert run(level(AlertOp.ABOVE, "100"), ["150"]) == [True]


def test_below_fires_when_under_and_not_at():
    trigger = level(AlertOp.BELOW, "61000", repeat=True)
    assert run(trigger, ["61000.5", "61000", "60999.5", "60999", "61000", "60000"]) == [
        False,
        False,
        True,
        False,
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("prices", "fires"),
    [
        (["2649", "2649.5", "2650"], [False, False, True]),  # from below, reaching it
        (["2652", "2651", "2649.5"], [False, False, True]),  # from above, passing it
        (["2650", "2650.5", "2649.5"], [False, False, True]),  # starting at it: side unknown
    ],
)
def test_crosses_fires_from_either_side(prices, fires):
    assert run(level(AlertOp.CROSSES, "2650"), prices) == fires


def test_crosses_first_price_only_says_the_side():
    trigger = level(AlertOp.CROSSES, "100")
    assert run(trigger, ["150", "160"]) == [False, False]


def test_crosses_repeating_fires_at_each_crossing():
    trigger = level(AlertOp.CROSSES, "100", repeat=True)
    prices = ["99", "101", "102", "99.5", "100", "101", "99"]
    # reaching the level from below is a crossing; it then counts as above, so 101 is not one
    assert run(trigger, prices) == [False, True, False, True, True, False, True]


def test_crosses_once_is_spent():
    trigger = level(AlertOp.CROSSES, "100")
    assert run(trigger, ["99", "101", "99", "101"]) == [False, True, False, False]


def test_a_level_off_the_tick_grid_is_compared_exactly():
    # tick 0.01: 61000.005 lies between two ticks; 61000.00 is under it, 61000.01 over it
    tick = Decimal("0.01")
    trigger = PriceLevel.at(AlertOp.ABOVE, Decimal("61000.005"), tick, False)
    assert trigger.side_of(ticks("61000.00", tick)) == -1
    assert trigger.side_of(ticks("61000.01", tick)) == 1
    assert not trigger.update(ticks("61000.00", tick))
    assert trigger.update(ticks("61000.01", tick))


def test_a_mid_between_two_ticks_is_exact():
    # bid 61999.5, ask 62000.5 at tick 0.5: the mid is exactly 62000 = bid + ask in half-ticks
    bid, ask = int(Decimal("61999.5") / TICK), int(Decimal("62000.5") / TICK)
    trigger = level(AlertOp.ABOVE, "62000")
    assert trigger.side_of(bid + ask) == 0
    assert not trigger.update(bid + ask)
    assert trigger.update(bid + ask + 1)  # mid 62000.25


def test_a_level_with_many_digits_keeps_them_all():
    tick = Decimal("0.00000001")
    trigger = PriceLevel.at(AlertOp.BELOW, Decimal("0.12345678"), tick, False)
    assert trigger.side_of(2 * 12345678) == 0
    assert trigger.side_of(2 * 12345677) == -1


def test_pnl_threshold_fires_when_the_loss_passes_it():
    trigger = Threshold(AlertOp.BELOW, Decimal("-500"), Edge(False))
    values = ["-100", "-500", "-500.01", "-600", "-400", "-700"]
    assert [trigger.update(Decimal(v)) for v in values] == [
        False,
        False,
        True,
        False,
        False,
        False,
    ]


def test_pnl_threshold_repeating():
    trigger = Threshold(AlertOp.ABOVE, Decimal("1000"), Edge(True))
    values = ["999.99", "1000.01", "1200", "1000", "1000.001"]
    assert [trigger.update(Decimal(v)) for v in values] == [False, True, False, False, True]


def test_drawdown_percent_compares_against_the_peak_exactly():
    # drawdown > 2% of a 100 000 peak: 2 000.00 is not over it, 2 000.01 is
    trigger = Threshold(AlertOp.ABOVE, Decimal("2"), Edge(False))
    peak = Decimal("100000")
    assert not trigger.update(Decimal("2000.00") * 100, peak)
    assert trigger.update(Decimal("2000.01") * 100, peak)


def test_a_happening_fires_once_or_every_time():
    once, every = Happening(Edge(False)), Happening(Edge(True))
    assert [once.update() for _ in range(3)] == [True, False, False]
    assert [every.update() for _ in range(3)] == [True, True, True]
