"""Exact position accounting: average cost, realized and unrealized PnL, fees, flips."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from tradeterm.portfolio.position import Position

BUY, SELL = 1, -1


def test_open_add_reduce_close():
    p = Position("x").with_fill(BUY, 100, 10).with_fill(BUY, 110, 10)
    assert (p.qty, p.cost) == (20, 2100) and p.avg_price_ticks() == Decimal("105")
    p = p.with_fill(SELL, 120, 5)
    assert p.qty == 15 and p.realized == 5 * 15  # sold 5 at 120 against an average of 105
    assert p.cost == 2100 - 525
    p = p.with_fill(SELL, 100, 15)
    assert p.qty == 0 and p.cost == 0 and p.realized == 75 - 75
    assert p.avg_price_ticks() is None and p.fills == 4 and p.volume == 40


def test_short_side_and_flip():
    p = Position("x").with_fill(SELL, 200, 10)
    assert (p.qty, p.cost) == (-10, -2000)
    p = p.with_fill(BUY, 190, 4)  # cover 4 at a profit of 10 each
    assert p.qty == -6 and p.realized == 40
    p = p.with_fill(BUY, 180, 10)  # cover 6 more (+120) and go long 4 at 180
    assert p.qty == 4 and p.realized == 160 and p.cost == 720


def test_rounding_stays_in_the_basis_and_is_released_when_flat():
    p = Position("x").with_fill(BUY, 10, 3)  # cost 30 over 3 lots
    p = p.with_fill(BUY, 11, 4)  # cost 74 over 7 lots: 10.571... per lot
    p = p.with_fill(SELL, 12, 2)  # removes 74*2/7 = 21.14 -> 21 (toward zero)
    assert p.cost == 53 and p.realized == 24 - 21
    p = p.with_fill(SELL, 12, 5)
    assert p.qty == 0 and p.cost == 0 and p.realized == 84 - 74  # cash flow exactly


def test_fees_are_exact_decimals_and_rebates_subtract():
    p = (
        Position("x")
        .with_fill(BUY, 1, 1, Decimal("0.000000001"))
        .with_fill(SELL, 1, 1, Decimal("-0.0000000005"))
    )
    assert p.fees == Decimal("0.0000000005")


def test_zero_or_negative_quantity_is_refused():
    with pytest.raises(ValueError):
        Position("x").with_fill(BUY, 100, 0)


def reconcile_random_fills(n: int, seed: int) -> None:
    """Random fills: position == signed sum; realized - cost == cash flow; total PnL at any
    mark == cash + qty * mark; fees exact; average cost matches a Fraction reference."""
    rng = random.Random(seed)
    pos = Position("x")
    qty = cash = 0
    fees = Decimal(0)
    ref_cost = Fraction(0)  # average-cost reference with exact fractions
    ref_realized = Fraction(0)
    for i in range(n):
        side = BUY if rng.random() < 0.5 + 0.3 * (qty < -500) - 0.3 * (qty > 500) else SELL
        price = rng.randint(90_000, 110_000)
        lots = rng.randint(1, 400)
        fee = Decimal(rng.randint(-50, 5_000)).scaleb(-9)
        # reference
        if qty == 0 or (qty > 0) == (side > 0):
            ref_cost += side * price * lots
        else:
            close = min(lots, abs(qty))
            removed = ref_cost * close / abs(qty)
            ref_realized += (1 if qty > 0 else -1) * close * price - removed
            ref_cost -= removed
            if lots > close:
                ref_cost = Fraction(side * price * (lots - close))
        pos = pos.with_fill(side, price, lots, fee, i)
        qty += side * lots
        cash -= side * price * lots
        fees += fee
        assert pos.qty == qty
        assert pos.realized - pos.cost == cash
        if qty == 0:
            assert pos.cost == 0 and pos.realized == cash
            assert ref_realized == cash
        if i % 997 == 0:
            mark2 = 2 * rng.randint(90_000, 110_000) + rng.randint(0, 1)
            assert 2 * pos.realized + pos.unrealized_x2(mark2) == 2 * cash + qty * mark2
    assert pos.fees == fees and pos.fills == n
    # integer average cost drifts from the exact one by less than one unit per reduction
    assert abs(Fraction(pos.realized) - ref_realized) == abs(Fraction(pos.cost) - ref_cost)
    assert abs(Fraction(pos.cost) - ref_cost) < n


def test_fifty_thousand_random_fills_reconcile_exactly():
    reconcile_random_fills(50_000, seed=1)


@pytest.mark.slow
def test_a_million_random_fills_reconcile_exactly():
    reconcile_random_fills(1_000_000, seed=2)
