"""The Avellaneda & Stoikov (2008) study, run with the live quoting function."""

import math

import pytest

from tradeterm.quoter import study
from tradeterm.quoter.study import (
    DEFAULT_GAMMAS,
    PAPER_PUBLISHED,
    StudySetup,
    run_study,
    std_error_of_std,
)

PATHS = 1000
SEED = 20080301


@pytest.fixture(scope="module")
def results():
    return {(r.gamma, r.strategy): r for r in run_study(DEFAULT_GAMMAS, PATHS, SEED)}


def test_inventory_strategy_has_less_risk_than_symmetric_at_every_gamma(results):
    for gamma in DEFAULT_GAMMAS:
        inv, sym = results[gamma, "inventory"], results[gamma, "symmetric"]
        assert inv.profit_std < sym.profit_std, gamma
        assert inv.q_std < sym.q_std, gamma
        assert sym.spread == pytest.approx(inv.spread, abs=2 * study.STUDY_TICK)


def test_average_spread_is_the_time_average_of_the_closed_form(results):
    setup = StudySetup()
    for gamma in DEFAULT_GAMMAS:
        time_left = [setup.T - i * setup.dt for i in range(setup.steps)]
        expected = gamma * setup.sigma**2 * sum(time_left) / setup.steps + 2 / gamma * math.log1p(
            gamma / setup.k
        )
        # rounding outwards to the study's tick widens each quote by less than one tick
        assert expected <= results[gamma, "inventory"].spread <= expected + 2 * study.STUDY_TICK


def test_matches_the_published_tables_within_monte_carlo_error(results):
    """Both numbers are estimates from 1000 paths; the tolerance is 4 combined standard errors.

    SE(mean) = std / sqrt(n); SE(std) = std sqrt((kurtosis - 1) / 4n), with the kurtosis of our
    sample standing in for the paper's (it does not print one). The paper
    prints one or two decimals, so half a unit of its last digit is added. Its average spread is
    the integral over [0, T]; ours averages the 200 quoting times t = 0, dt, ..., T - dt, which is
    larger by gamma sigma^2 dt / 2.
    """
    n_paper = 1000
    setup = StudySetup()
    for gamma, table in PAPER_PUBLISHED.items():
        for strategy, (spread, profit, profit_std, q_mean, q_std) in table.items():
            ours = results[gamma, strategy]
            grid = gamma * setup.sigma**2 * setup.dt / 2
            assert ours.spread == pytest.approx(spread + grid, abs=0.005 + 2 * study.STUDY_TICK)
            se_mean = math.sqrt(ours.profit_std**2 / PATHS + profit_std**2 / n_paper)
            assert abs(ours.profit_mean - profit) < 4 * se_mean + 0.05, (gamma, strategy)
            se_std = math.hypot(
                std_error_of_std(ours.profit_std, ours.profit_kurtosis, PATHS),
                std_error_of_std(profit_std, ours.profit_kurtosis, n_paper),
            )
            assert abs(ours.profit_std - profit_std) < 4 * se_std + 0.05, (gamma, strategy)
            se_q = math.sqrt(ours.q_std**2 / PATHS + q_std**2 / n_paper)
            assert abs(ours.q_mean - q_mean) < 4 * se_q + 0.005, (gamma, strategy)
            se_q_std = math.hypot(
                std_error_of_std(ours.q_std, ours.q_kurtosis, PATHS),
                std_error_of_std(q_std, ours.q_kurtosis, n_paper),
            )
            assert abs(ours.q_std - q_std) < 4 * se_q_std + 0.05, (gamma, strategy)


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = run_study((0.1,), 200, seed=7)
    b = run_study((0.1,), 200, seed=7)
    c = run_study((0.1,), 200, seed=8)
    assert a == b
    assert a != c


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="paths must be at least 2"):
        run_study((0.1,), 1)
    with pytest.raises(ValueError, match="gamma must be > 0"):
        run_study((0.0,), 10)
