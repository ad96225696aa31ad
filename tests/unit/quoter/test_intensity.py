"""The arrival-intensity fit recovers known A and k within its statistical tolerance."""

import math

import numpy as np
import pytest

from tradeterm.quoter.intensity import NS, ArrivalIntensity

K = 0.7  # per tick
RATE = 2.0  # sweeps per second per side at the touch
BID, ASK = 1000, 1002  # two-tick spread: h = 1 tick
A = RATE * math.exp(K * 1.0)


def feed(est, rng, seconds, k=K, rate=RATE, start_ns=0):
    """Poisson sweeps on both sides; each prints 1..3 trades per level it takes."""
    t = start_ns / NS
    end = t + seconds
    while True:
        t += rng.exponential(1 / (2 * rate))
        if t >= end:
            return
        side = 1 if rng.random() < 0.5 else -1
        excess = rng.geometric(1 - math.exp(-k)) - 1  # P(X >= j) = exp(-k j)
        best = ASK if side > 0 else BID
        ts = int(t * NS)
        for level in range(excess + 1):
            for _ in range(rng.integers(1, 4)):
                est.on_trade(ts, best + side * level, side, BID, ASK)


def test_recovers_k_and_A_within_four_standard_errors():
    rng = np.random.default_rng(2)
    est = ArrivalIntensity()
    est.start(0)
    feed(est, rng, 2000.0)
    k, a = est.estimate(2000 * NS)
    se_k, se_ln_a = est.standard_errors()
    assert abs(k - K) < 4 * se_k, (k, se_k)
    assert abs(math.log(a) - math.log(A)) < 4 * se_ln_a, (a, se_ln_a)
    assert 4 * se_k < 0.08 * K and 4 * se_ln_a < 0.08  # sharp enough to catch an 8% error
    # and the standard error itself is right: it matches the spread over independent replications
    ks = []
    for seed in range(30):
        rep = ArrivalIntensity()
        rep.start(0)
        feed(rep, np.random.default_rng(100 + seed), 300.0)
        ks.append(rep.estimate(300 * NS)[0])
    rep_se = rep.standard_errors()[0]
    assert np.std(ks, ddof=1) == pytest.approx(rep_se, rel=0.35)


def test_prints_of_one_sweep_count_once_and_the_deepest_sets_the_depth():
    est = ArrivalIntensity()
    est.start(0)
    for price in (1002, 1002, 1003, 1005):  # one buy sweep through to 3 ticks past the ask
        est.on_trade(NS, price, 1, BID, ASK)
    est.on_trade(NS, 1000, -1, BID, ASK)  # same time, other side: a second sweep
    est.on_trade(2 * NS, 1001, 1, BID, ASK)  # inside the spread: depth 0, not negative
    est.estimate(4 * NS)
    assert est.n == 3
    assert est.sum_excess == 3
    assert est.observed_s == 4.0


def test_paused_time_is_not_counted_and_untrusted_books_are_skipped():
    est = ArrivalIntensity()
    est.start(0)
    est.on_trade(NS, 1002, 1, BID, ASK)
    est.pause(2 * NS)
    est.on_trade(3 * NS, 1002, 1, BID, ASK)  # while paused: ignored
    est.start(10 * NS)
    est.on_trade(11 * NS, 1002, 1, None, ASK)  # no bid: mid unknown, skipped
    est.on_trade(11 * NS + 1, 1002, 1, 1003, ASK)  # crossed book: skipped
    k, _ = est.estimate(12 * NS)
    assert est.n == 1 and est.observed_s == pytest.approx(4.0)
    assert k == est.max_k  # never past the touch: as steep as allowed


def test_halflife_follows_a_change_in_the_market():
    rng = np.random.default_rng(9)
    est = ArrivalIntensity(halflife_s=60.0)
    est.start(0)
    feed(est, rng, 600.0, k=0.3, rate=1.0)
    feed(est, rng, 600.0, k=1.2, rate=4.0, start_ns=600 * NS)  # ten half-lives later
    k, a = est.estimate(1200 * NS)
    se_k, se_ln_a = est.standard_errors()  # from the effective (weighted) number of sweeps
    assert abs(k - 1.2) < 4 * se_k
    assert abs(math.log(a) - math.log(4.0 * math.exp(1.2))) < 4 * se_ln_a
    assert 4 * se_k < 0.25 * 1.2


def test_nothing_to_say_before_the_first_sweep():
    est = ArrivalIntensity()
    assert est.estimate() is None and est.standard_errors() is None
    est.on_trade(NS, 1002, 1, BID, ASK)  # not started: ignored
    assert est.n == 0
