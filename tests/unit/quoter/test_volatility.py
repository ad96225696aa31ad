"""Volatility estimators recover a known sigma within their own statistical tolerance.

The synthetic price is a driftless Brownian motion of the log price, sampled on a fine grid, and
between two grid points the exact maximum and minimum of the Brownian bridge are sampled too
(max = (x0 + x1 + sqrt((x1 - x0)^2 - 2 s^2 h ln U)) / 2). The bars therefore see the true
continuous high and low, and the range estimators are exactly unbiased: any miss beyond the
tolerance is a bug, not discretisation.
"""

import math

import numpy as np
import pytest

from tradeterm.quoter.volatility import (
    ESTIMATORS,
    NS,
    Bar,
    BarBuilder,
    VolatilityEstimators,
)

SIGMA = 2e-4  # 2 bps per sqrt(second)
BAR_S = 1.0
STEPS_PER_BAR = 20
BARS = 3000


def brownian_prints(sigma, bars, seed, price0=60000.0):
    """(ts_ns, price) with the exact bridge extremes of every fine step."""
    rng = np.random.default_rng(seed)
    h = BAR_S / STEPS_PER_BAR
    n = bars * STEPS_PER_BAR
    x = np.concatenate([[0.0], np.cumsum(rng.normal(0, sigma * math.sqrt(h), n))])
    x0, x1 = x[:-1], x[1:]
    jump = (x1 - x0) ** 2
    hi = (x0 + x1 + np.sqrt(jump - 2 * sigma**2 * h * np.log(rng.random(n)))) / 2
    lo = (x0 + x1 - np.sqrt(jump - 2 * sigma**2 * h * np.log(rng.random(n)))) / 2
    step_ns = int(h * NS)
    prints = []
    for i in range(n):
        t0 = i * step_ns
        prints += [
            (t0 + step_ns // 3, price0 * math.exp(hi[i])),
            (t0 + 2 * step_ns // 3, price0 * math.exp(lo[i])),
            (t0 + step_ns - 1, price0 * math.exp(x1[i])),
        ]
    return prints


@pytest.fixture(scope="module")
def fed():
    bars = []
    est = VolatilityEstimators(BAR_S, window=BARS, ewma_halflife_bars=400)
    builder = BarBuilder(BAR_S, lambda b: (bars.append(b), est.on_bar(b)))
    for ts, price in brownian_prints(SIGMA, BARS + 1, seed=11):
        builder.update(ts, price)
    builder.roll((BARS + 1) * NS)
    return est, bars


def per_bar_terms(bars):
    o = np.array([b.open for b in bars[1:]])
    h = np.array([b.high for b in bars[1:]])
    lo = np.array([b.low for b in bars[1:]])
    c = np.array([b.close for b in bars[1:]])
    u, d, oc = np.log(h / o), np.log(lo / o), np.log(c / o)
    ln2 = math.log(2)
    return {
        "parkinson": (u - d) ** 2 / (4 * ln2),
        "garman_klass": 0.5 * (u - d) ** 2 - (2 * ln2 - 1) * oc**2,
        "rogers_satchell": u * (u - oc) + d * (d - oc),
        # Yang-Zhang with no overnight gap: k s_c^2 + (1 - k) RS, a mean of per-bar terms too
        "yang_zhang": None,
    }


@pytest.mark.parametrize("name", ["parkinson", "garman_klass", "rogers_satchell", "yang_zhang"])
def test_range_estimators_recover_sigma(fed, name):
    est, bars = fed
    terms = per_bar_terms(bars)
    if name == "yang_zhang":
        n = len(bars) - 1
        k = 0.34 / (1.34 + (n + 1) / (n - 1))
        oc = np.log(np.array([b.close / b.open for b in bars[1:]]))
        terms[name] = k * (oc - oc.mean()) ** 2 * n / (n - 1) + (1 - k) * terms["rogers_satchell"]
    z = terms[name]
    # tolerance from the data: SE of a mean of per-bar terms, then the delta method for sqrt
    se_var = z.std(ddof=1) / math.sqrt(len(z))
    se_sigma = se_var / (2 * SIGMA * SIGMA * BAR_S) * SIGMA
    sigma = est.sigma(name)
    assert abs(sigma - SIGMA) < 4 * se_sigma, (name, sigma, se_sigma)
    assert 4 * se_sigma < 0.05 * SIGMA  # the check is sharp enough to catch a 5% error
    assert np.mean(z) == pytest.approx(est.variance_per_bar(name), rel=1e-9)


def test_ewma_recovers_sigma_within_its_effective_sample_error(fed):
    est, _ = fed
    lam = est.ewma_lambda
    # Var(EWMA of r^2) = 2 sigma^4 (1 - lam) / (1 + lam) for normal returns, then delta method
    se_sigma = SIGMA * math.sqrt((1 - lam) / (2 * (1 + lam)))
    assert abs(est.sigma("ewma") - SIGMA) < 4 * se_sigma
    assert 4 * se_sigma < 0.15 * SIGMA


def test_a_different_sigma_is_told_apart():
    est = VolatilityEstimators(BAR_S, window=1000)
    builder = BarBuilder(BAR_S, est.on_bar)
    for ts, price in brownian_prints(2 * SIGMA, 1001, seed=3):
        builder.update(ts, price)
    builder.roll(1002 * NS)
    for name in ESTIMATORS:
        assert est.sigma(name) == pytest.approx(2 * SIGMA, rel=0.2), name
        assert est.sigma(name) > 1.5 * SIGMA


def test_bars_open_at_the_previous_close_and_silent_stretches_are_flat():
    bars: list[Bar] = []
    builder = BarBuilder(1.0, bars.append, max_gap_bars=3)
    builder.update(100, 10.0)
    builder.update(200, 12.0)
    builder.update(300, 9.0)
    builder.update(NS + 5, 11.0)  # next bar
    builder.update(10 * NS + 1, 10.5)  # 8 silent bars: only the last 3 are emitted, flat
    assert [(b.open, b.high, b.low, b.close) for b in bars[:2]] == [
        (10.0, 12.0, 9.0, 9.0),
        (9.0, 11.0, 9.0, 11.0),
    ]
    assert [b.start_ns for b in bars[2:]] == [7 * NS, 8 * NS, 9 * NS]
    assert all(
        (b.open, b.high, b.low, b.close, b.prints) == (11.0, 11.0, 11.0, 11.0, 0) for b in bars[2:]
    )
    builder.roll(11 * NS)
    assert bars[-1].start_ns == 10 * NS and bars[-1].close == 10.5
    builder.update(5 * NS, 20.0)  # late: counts in the open bar, time does not go back
    builder.roll(12 * NS)
    assert bars[-1].start_ns == 11 * NS and bars[-1].high == 20.0


def test_estimators_need_enough_bars_and_reject_unknown_names():
    est = VolatilityEstimators(1.0, window=10)
    assert all(est.sigma(n) is None for n in ESTIMATORS)
    with pytest.raises(ValueError, match="unknown estimator"):
        est.on_bar(Bar(0, 1.0, 1.0, 1.0, 1.0, 1))
        est.on_bar(Bar(1, 1.0, 1.1, 0.9, 1.0, 1))
        est.on_bar(Bar(2, 1.0, 1.1, 0.9, 1.0, 1))
        est.sigma("bogus")


def test_window_is_rolling_and_resummed_exactly():
    est = VolatilityEstimators(1.0, window=5)
    est.on_bar(Bar(0, 100.0, 100.0, 100.0, 100.0, 1))
    for i in range(23):
        wide = 1.0 + (0.01 if i < 18 else 0.001)
        est.on_bar(Bar(i + 1, 100.0, 100.0 * wide, 100.0 / wide, 100.0, 1))
    assert est.window_bars == 5
    expected = (2 * math.log(1.001)) ** 2 / (4 * math.log(2))  # only the last 5 (narrow) bars
    assert est.variance_per_bar("parkinson") == pytest.approx(expected, rel=1e-9)
