"""The quoting model: closed forms, rounding direction, limits, post-only, scalar == vector."""

import math

import numpy as np
import pytest

from tradeterm.quoter.model import (
    MarketState,
    QuoteParams,
    compute_quotes,
    glft_skew,
    ladder,
    reservation_and_spread,
)

AS = QuoteParams(
    model="avellaneda_stoikov",
    gamma=0.1,
    sigma=2.0,
    k=1.5,
    A=140.0,
    min_spread_ticks=0.0,
    post_only=False,
)
GLFT = QuoteParams(
    model="glft", gamma=0.1, sigma=2.0, k=1.5, A=140.0, min_spread_ticks=0.0, post_only=False
)


def test_avellaneda_stoikov_closed_form():
    # r = s - q gamma sigma^2 (T-t) = 1000 - 2 * 0.1 * 4 * 0.5; delta = 0.2 + 20 ln(16/15)
    r, spread = reservation_and_spread(2.0, 2.0, 0.5, AS, 1000.0)
    assert r == pytest.approx(999.6, abs=1e-12)
    assert spread == pytest.approx(1.4907704227514234, abs=1e-12)
    # at the horizon the inventory term vanishes and only the arrival term is left
    r, spread = reservation_and_spread(2.0, 2.0, 0.0, AS, 1000.0)
    assert r == 1000.0 and spread == pytest.approx(20 * math.log(16 / 15), abs=1e-12)


def test_inventory_counts_in_clips_of_the_order_size():
    one = compute_quotes(MarketState(1000.0, 2, time_left_s=0.5), AS)
    clips = compute_quotes(
        MarketState(1000.0, 10, time_left_s=0.5), QuoteParams(**{**_fields(AS), "order_lots": 5})
    )
    assert clips.reservation == pytest.approx(one.reservation)


def test_glft_closed_form_matches_the_papers_bid_and_ask_distances():
    q = 3
    c = glft_skew(0.1, 2.0, 1.5, 140.0)
    assert c == pytest.approx(0.051717216121965996, rel=1e-12)
    quotes = compute_quotes(MarketState(1000.0, q), GLFT)
    delta_b = 1000.0 - (quotes.reservation - quotes.spread / 2)
    delta_a = (quotes.reservation + quotes.spread / 2) - 1000.0
    # Gueant-Lehalle-Fernandez-Tapia: (1/g) ln(1 + g/k) + (2q+1)/2 c and ... - (2q-1)/2 c
    assert delta_b == pytest.approx(0.8263954678025925, rel=1e-12)
    assert delta_a == pytest.approx(0.5160921710707966, rel=1e-12)
    assert (quotes.bid, quotes.ask) == (999, 1001)
    flat = compute_quotes(MarketState(1000.0, 0), GLFT)
    assert flat.reservation == 1000.0


def test_long_inventory_skews_both_quotes_down_and_short_up():
    params = QuoteParams(**{**_fields(AS), "gamma": 1.0, "sigma": 3.0})
    flat = compute_quotes(MarketState(1000.0, 0, time_left_s=1.0), params)
    long = compute_quotes(MarketState(1000.0, 2, time_left_s=1.0), params)
    short = compute_quotes(MarketState(1000.0, -2, time_left_s=1.0), params)
    assert long.bid < flat.bid and long.ask < flat.ask
    assert short.bid > flat.bid and short.ask > flat.ask


@pytest.mark.parametrize(
    ("fair", "spread", "bid", "ask"),
    [
        (100.3, 2.0, 99, 102),  # 99.3 -> 99 (down), 101.3 -> 102 (up)
        (100.0, 2.0, 99, 101),  # already on the grid: unchanged
        (100.0, 0.2, 99, 101),  # inside one tick: widened both ways, never crossed
        (100.5, 1.0, 100, 101),
        (0.1 + 0.2 + 99.7, 2.0, 99, 101),  # 100.00000000000001 is still 100 on the grid
    ],
)
def test_bids_round_down_and_asks_round_up(fair, spread, bid, ask):
    params = QuoteParams(
        model="symmetric", symmetric_spread_ticks=spread, min_spread_ticks=0, post_only=False
    )
    quotes = compute_quotes(MarketState(fair, 0), params)
    assert (quotes.bid, quotes.ask) == (bid, ask)
    assert quotes.bid <= fair - spread / 2 + 1e-9 and quotes.ask >= fair + spread / 2 - 1e-9


def test_spread_is_clamped_to_min_and_max_ticks():
    wide = QuoteParams(model="symmetric", symmetric_spread_ticks=40, max_spread_ticks=10)
    narrow = QuoteParams(model="symmetric", symmetric_spread_ticks=1, min_spread_ticks=6)
    assert compute_quotes(MarketState(500.0, 0), wide).spread == 10
    q = compute_quotes(MarketState(500.0, 0), narrow)
    assert (q.bid, q.ask) == (497, 503)


def test_inventory_limit_stops_the_side_that_would_grow_exposure():
    params = QuoteParams(
        model="symmetric", symmetric_spread_ticks=4, order_lots=10, max_position_lots=25
    )
    at_long_limit = compute_quotes(MarketState(100.0, 25), params)
    assert at_long_limit.bid_lots == 0 and at_long_limit.ask_lots == 10
    near = compute_quotes(MarketState(100.0, 19), params)
    assert near.bid_lots == 6 and near.ask_lots == 10  # a full fill lands exactly on the limit
    past_short = compute_quotes(MarketState(100.0, -40), params)
    assert past_short.ask_lots == 0 and past_short.bid_lots == 10
    flat_zero_limit = compute_quotes(
        MarketState(100.0, 0),
        QuoteParams(model="symmetric", symmetric_spread_ticks=4, max_position_lots=0),
    )
    assert flat_zero_limit.bid_lots == 0 and flat_zero_limit.ask_lots == 0


def test_ladder_shares_the_room_under_the_limit_across_levels():
    params = QuoteParams(
        model="symmetric",
        symmetric_spread_ticks=4,
        order_lots=10,
        max_position_lots=25,
        levels=3,
        level_step_ticks=2,
    )
    quotes = compute_quotes(MarketState(100.0, 10), params)
    bids, asks = ladder(quotes, params, 10)
    assert bids == [(98, 10), (96, 5)]  # 10 + 10 + 5 would reach 25 exactly
    assert asks == [(102, 10), (104, 10), (106, 10)]  # 10 - 30 = -20 stays inside -25
    assert sum(lots for _, lots in bids) + 10 <= 25


def test_post_only_never_crosses_the_opposite_best():
    params = QuoteParams(model="symmetric", symmetric_spread_ticks=2, post_only=True)
    quotes = compute_quotes(MarketState(100.0, 0, best_bid=101, best_ask=102), params)
    assert quotes.bid == 99 and quotes.ask == 102  # ask would be 101 = best bid: moved to 102
    quotes = compute_quotes(MarketState(100.0, 0, best_bid=97, best_ask=99), params)
    assert quotes.bid == 98 and quotes.ask == 101
    off = QuoteParams(model="symmetric", symmetric_spread_ticks=2, post_only=False)
    assert compute_quotes(MarketState(100.0, 0, best_bid=97, best_ask=99), off).bid == 99


def test_arrays_give_exactly_the_scalar_answers():
    rng = np.random.default_rng(5)
    fair = rng.uniform(900, 1100, 200)
    inventory = rng.integers(-8, 9, 200).astype(float)
    for params in (
        AS,
        GLFT,
        QuoteParams(**{**_fields(GLFT), "max_position_lots": 5, "min_spread_ticks": 3}),
    ):
        vec = compute_quotes(MarketState(fair, inventory, time_left_s=0.3), params)
        for i in range(200):
            one = compute_quotes(
                MarketState(float(fair[i]), int(inventory[i]), time_left_s=0.3), params
            )
            assert (vec.bid[i], vec.ask[i], vec.bid_lots[i], vec.ask_lots[i]) == (
                one.bid,
                one.ask,
                one.bid_lots,
                one.ask_lots,
            )
            assert vec.reservation[i] == pytest.approx(one.reservation, abs=1e-9)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "bogus"}, "model must be one of"),
        ({"gamma": 0}, "gamma must be > 0"),
        ({"k": -1}, "k must be > 0"),
        ({"A": 0}, "A must be > 0"),
        ({"order_lots": 0}, "order_lots must be >= 1"),
        ({"min_spread_ticks": 5, "max_spread_ticks": 2}, "min_spread_ticks <= max_spread_ticks"),
        ({"model": "symmetric"}, "needs symmetric_spread_ticks > 0"),
    ],
)
def test_bad_parameters_are_refused_with_the_reason(changes, message):
    with pytest.raises(ValueError, match=message):
        QuoteParams(**{**_fields(GLFT), **changes})


def _fields(params):
    return {name: getattr(params, name) for name in params.__dataclass_fields__}


def test_a_level_worth_less_than_the_minimum_notional_is_not_quoted():
    """Issue 13.16: the room left under the limit can make a quote smaller than the venue's
    minimum order value; risk would deny it (MIN_NOTIONAL) and the quoter would back off. Such
    a level is not quoted; its room is not spent."""
    params = QuoteParams(
        model="symmetric",
        symmetric_spread_ticks=4,
        order_lots=10,
        max_position_lots=25,
        levels=2,
        level_step_ticks=2,
        min_notional=600,
    )  # ticks x lots: 6 lots at 100
    quotes = compute_quotes(MarketState(100.0, 19), params)
    bids, asks = ladder(quotes, params, 19)
    assert bids == []  # 6 lots at 98 = 588 < 600, and nothing is left for a second level
    assert asks == [(102, 10), (104, 10)]
    bids, _ = ladder(compute_quotes(MarketState(100.0, 9), params), params, 9)
    assert bids == [(98, 10)]  # the second level would be 6 lots at 96 = 576
