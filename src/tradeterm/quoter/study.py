"""The numerical study of Avellaneda & Stoikov (2008), section 3.3, run with the live model.

Avellaneda, M. & Stoikov, S. (2008), "High-frequency trading in a limit order book",
Quantitative Finance 8(3), 217-224. The experiment, as the paper describes it: the mid-price
starts at s0 = 100 and moves by +/- sigma * sqrt(dt) with equal probability each step; T = 1,
sigma = 2, dt = 0.005 (200 steps), q0 = 0, k = 1.5, A = 140. At each step the agent's quotes are
computed from the current state; the ask is hit with probability lambda(delta_a) * dt (inventory
-1, cash + ask) and the bid with probability lambda(delta_b) * dt (inventory +1, cash - bid),
lambda(delta) = A * exp(-k * delta) with delta the quote's distance from the mid; then the mid
moves. Profit is cash + q_T * s_T. The "inventory" strategy quotes the model's spread around the
reservation price; the "symmetric" strategy quotes the same *average* spread around the mid.

The paper's "with probability lambda * dt" is taken literally (capped at 1). A * dt = 0.7 here,
so this is not the small-probability regime where it equals the Poisson 1 - exp(-lambda dt);
the literal reading is what the paper simulated. Both strategies see the same mid paths (common
random numbers), which sharpens the comparison without changing either strategy's statistics.

Every quote comes from ``model.compute_quotes`` - the function the live quoter calls - applied
to all paths at once with numpy. Prices go through the model in ticks of ``STUDY_TICK`` (the
paper has no tick grid; 0.0001 keeps the rounding-outwards effect below 0.01% of the spread).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tradeterm.quoter.model import MarketState, QuoteParams, compute_quotes

STUDY_TICK = 1e-4
DEFAULT_GAMMAS = (0.01, 0.1, 0.5, 1.0)

# The paper's tables as (average spread, profit, std(profit), final q, std(final q)).
# PUBLISHED: Quantitative Finance 8(3) 2008, Tables 1-3 (gammas 0.1, 0.01, 1); the spread column
# is the time-average of eq. (30). PREPRINT: the 2006 working paper, Tables 1-3 (gammas 0.1,
# 0.01, 0.5); its spread column is only the arrival term (2/gamma) ln(1 + gamma/k).
PAPER_PUBLISHED: dict[float, dict[str, tuple[float, float, float, float, float]]] = {
    0.1: {"inventory": (1.49, 65.0, 6.6, 0.08, 2.9), "symmetric": (1.49, 68.4, 12.7, 0.26, 8.4)},
    0.01: {"inventory": (1.35, 68.6, 8.7, 0.12, 5.1), "symmetric": (1.35, 68.8, 12.8, 0.09, 8.7)},
    1.0: {"inventory": (3.02, 31.4, 5.0, 0.02, 1.7), "symmetric": (3.02, 44.0, 11.0, 0.00, 5.1)},
}
PAPER_PREPRINT: dict[float, dict[str, tuple[float, float, float, float, float]]] = {
    0.1: {
        "inventory": (1.29, 62.94, 5.89, 0.10, 2.80),
        "symmetric": (1.29, 67.21, 13.43, -0.018, 8.66),
    },
    0.01: {
        "inventory": (1.33, 66.78, 8.76, -0.02, 4.70),
        "symmetric": (1.33, 67.36, 13.40, -0.31, 8.65),
    },
    0.5: {
        "inventory": (1.15, 33.92, 4.72, -0.02, 1.88),
        "symmetric": (1.15, 66.20, 14.53, 0.25, 9.06),
    },
}


@dataclass(frozen=True, slots=True)
class StudySetup:
    """The paper's parameters (section 3.3)."""

    s0: float = 100.0
    T: float = 1.0
    sigma: float = 2.0
    dt: float = 0.005
    q0: int = 0
    k: float = 1.5
    A: float = 140.0

    @property
    def steps(self) -> int:
        return round(self.T / self.dt)


@dataclass(frozen=True, slots=True)
class StudyResult:
    gamma: float
    strategy: str  # "inventory" | "symmetric"
    spread: float  # average quoted spread (price units)
    profit_mean: float
    profit_std: float
    q_mean: float
    q_std: float
    profit_kurtosis: float = 3.0  # sample kurtosis (3 for a normal): sets the error of the stds
    q_kurtosis: float = 3.0

    def to_json(self) -> dict[str, float | str]:
        return {
            "gamma": self.gamma,
            "strategy": self.strategy,
            "spread": self.spread,
            "profit_mean": self.profit_mean,
            "profit_std": self.profit_std,
            "q_mean": self.q_mean,
            "q_std": self.q_std,
        }


def run_study(
    gammas: tuple[float, ...] = DEFAULT_GAMMAS,
    paths: int = 1000,
    seed: int = 0,
    setup: StudySetup = StudySetup(),
) -> list[StudyResult]:
    """Both strategies for every gamma. The same seed gives the same numbers, to the bit."""
    if paths < 2:
        raise ValueError("paths must be at least 2 (a standard deviation needs two)")
    results: list[StudyResult] = []
    tick = STUDY_TICK
    for i, gamma in enumerate(gammas):
        if not gamma > 0:
            raise ValueError(f"gamma must be > 0, got {gamma}")
        # the paper's units are price units; in ticks gamma and k scale by the tick, sigma by
        # its inverse, which leaves every formula of the model unchanged
        inventory = QuoteParams(
            model="avellaneda_stoikov",
            gamma=gamma * tick,
            sigma=setup.sigma / tick,
            k=setup.k * tick,
            A=setup.A,
            min_spread_ticks=0.0,
            post_only=False,
        )
        seed_i = np.random.SeedSequence([seed, i])  # the same mid paths for both strategies
        inv = simulate_paths(gamma, "inventory", inventory, paths, seed_i, setup)
        symmetric = QuoteParams(
            model="symmetric",
            symmetric_spread_ticks=inv.spread / tick,
            min_spread_ticks=0.0,
            post_only=False,
        )
        results += [inv, simulate_paths(gamma, "symmetric", symmetric, paths, seed_i, setup)]
    return results


def simulate_paths(
    gamma: float,
    strategy: str,
    params: QuoteParams,
    paths: int,
    seed: np.random.SeedSequence,
    setup: StudySetup,
) -> StudyResult:
    """One strategy on ``paths`` simulated sessions; ``params`` in ticks of ``STUDY_TICK``."""
    rng = np.random.Generator(np.random.PCG64(seed))
    tick = STUDY_TICK
    mid = np.full(paths, setup.s0 / tick)  # ticks
    q = np.full(paths, float(setup.q0))
    cash = np.zeros(paths)  # ticks x units
    step_ticks = setup.sigma * math.sqrt(setup.dt) / tick
    k_tick = setup.k * tick
    spread_sum = 0.0
    for step in range(setup.steps):
        quotes = compute_quotes(MarketState(mid, q, time_left_s=setup.T - step * setup.dt), params)
        spread_sum += float(np.mean(quotes.ask - quotes.bid))
        p_bid = np.minimum(setup.A * np.exp(-k_tick * (mid - quotes.bid)) * setup.dt, 1.0)
        p_ask = np.minimum(setup.A * np.exp(-k_tick * (quotes.ask - mid)) * setup.dt, 1.0)
        u = rng.random((3, paths))
        bought = u[0] < p_bid
        sold = u[1] < p_ask
        q += bought.astype(float) - sold.astype(float)
        cash += np.where(sold, quotes.ask, 0) - np.where(bought, quotes.bid, 0)
        mid += np.where(u[2] < 0.5, step_ticks, -step_ticks)
    profit = (cash + q * mid) * tick
    return StudyResult(
        gamma,
        strategy,
        spread_sum / setup.steps * tick,
        float(profit.mean()),
        float(profit.std(ddof=1)),
        float(q.mean()),
        float(q.std(ddof=1)),
        _kurtosis(profit),
        _kurtosis(q),
    )


def _kurtosis(x: np.ndarray) -> float:
    centred = x - x.mean()
    var = float(np.mean(centred**2))
    return float(np.mean(centred**4)) / (var * var) if var > 0 else 3.0


def std_error_of_std(std: float, kurtosis: float, n: int) -> float:
    """Standard error of a sample standard deviation: std * sqrt((kurtosis - 1) / (4n)).

    (Delta method on Var(s^2) = sigma^4 (kurtosis - 1) / n; a normal sample has kurtosis 3 and
    gives the familiar std / sqrt(2n). The symmetric strategy's profit is fat-tailed, so its
    standard deviation is less precise than the normal rule suggests.)
    """
    return std * math.sqrt(max(kurtosis - 1.0, 0.0) / (4 * n))
