"""Order-arrival intensity lambda(delta) = A * exp(-k * delta), fitted from trade prints.

lambda(delta) is the rate (per second, per side) at which aggressive orders reach a quote resting
delta ticks from the mid: the rate at which a quote there would be hit. An aggressive order
(a *sweep*) prints one trade per level it takes; the prints of one sweep share the timestamp and
the aggressor side, and the deepest one says how far it reached. With the best price of the
touched side at half-spread h from the mid, the sweep's excess depth X = (deepest print - best)
in whole ticks >= 0 has, under the exponential model on a tick grid, P(X >= j) = exp(-k j): X is
geometric with ratio theta = exp(-k). So:

* k  = ln(1 + 1 / mean(X))                       (maximum likelihood, geometric)
* Lambda = sweeps / (2 * observed seconds)        (arrival rate at the touch, per side)
* A  = Lambda * exp(k * mean(h))                  (so that lambda(h) = Lambda)

Standard errors (Fisher information): se(k) = (1 - theta) / sqrt(n theta) and
se(ln A) = sqrt(1/n + mean(h)^2 se(k)^2). With ``halflife_s`` the counts and the observed time
are weighted by exp(-ln 2 * age / halflife), so the fit follows a changing market; the effective
n is then the sum of the weights. O(1) per print.

What it does not model: queue position (a quote joining the best level is filled only once the
queue ahead of it is gone) and hidden liquidity (prints inside the spread count as depth 0).
"""

from __future__ import annotations

import math

NS = 1_000_000_000


class ArrivalIntensity:
    __slots__ = (
        "alpha",
        "max_k",
        "n",
        "sum_excess",
        "sum_half_spread",
        "observed_s",
        "_t_last",
        "_sweep_ts",
        "_sweep_side",
        "_sweep_best",
        "_sweep_excess",
        "_sweep_half",
    )

    def __init__(self, halflife_s: float | None = None, max_k: float = 20.0) -> None:
        self.alpha = 0.0 if halflife_s is None else math.log(2.0) / halflife_s
        self.max_k = max_k  # k when no sweep ever went past the best price
        self.n = 0.0  # (weighted) sweeps
        self.sum_excess = 0.0  # (weighted) sum of excess depths, ticks
        self.sum_half_spread = 0.0
        self.observed_s = 0.0  # (weighted) seconds of observation
        self._t_last: int | None = None
        self._sweep_ts = -1
        self._sweep_side = 0
        self._sweep_best = 0
        self._sweep_excess = -1  # -1: no sweep open
        self._sweep_half = 0.0

    def start(self, ts_ns: int) -> None:
        """Begin (or resume after a data gap) counting observed time at ``ts_ns``."""
        self.flush()
        self._t_last = ts_ns

    def pause(self, ts_ns: int) -> None:
        """Stop counting time (stale data, disconnect): silence then is not 'no arrivals'."""
        self._advance(ts_ns)
        self.flush()
        self._t_last = None

    def on_trade(
        self, ts_ns: int, price: int, aggressor: int, best_bid: int | None, best_ask: int | None
    ) -> None:
        """One print. ``best_bid``/``best_ask`` are the book *before* the sweep (ticks)."""
        if self._t_last is None:
            return  # not observing
        if ts_ns == self._sweep_ts and aggressor == self._sweep_side:
            excess = (price - self._sweep_best) * aggressor
            if excess > self._sweep_excess:
                self._sweep_excess = excess
            return
        self.flush()
        self._advance(ts_ns)
        if best_bid is None or best_ask is None or best_ask <= best_bid:
            return
        best = best_ask if aggressor > 0 else best_bid
        self._sweep_ts, self._sweep_side, self._sweep_best = ts_ns, aggressor, best
        self._sweep_excess = max((price - best) * aggressor, 0)
        self._sweep_half = (best_ask - best_bid) / 2.0

    def flush(self) -> None:
        """Count the open sweep (called automatically by the next sweep or by ``estimate``)."""
        if self._sweep_excess < 0:
            return
        self.n += 1.0
        self.sum_excess += self._sweep_excess
        self.sum_half_spread += self._sweep_half
        self._sweep_excess = -1

    def _advance(self, ts_ns: int) -> None:
        last = self._t_last
        if last is None or ts_ns <= last:
            return
        dt = (ts_ns - last) / NS
        if self.alpha:
            decay = math.exp(-self.alpha * dt)
            self.flush()  # the open sweep belongs to the past being decayed
            self.n *= decay
            self.sum_excess *= decay
            self.sum_half_spread *= decay
            self.observed_s = self.observed_s * decay + (1.0 - decay) / self.alpha
        else:
            self.observed_s += dt
        self._t_last = ts_ns

    def estimate(self, now_ns: int | None = None) -> tuple[float, float] | None:
        """(k per tick, A per second) or None before the first sweep."""
        if now_ns is not None:
            self._advance(now_ns)
        self.flush()
        if self.n <= 0 or self.observed_s <= 0:
            return None
        mean_excess = self.sum_excess / self.n
        k = self.max_k if mean_excess <= 0 else min(math.log1p(1.0 / mean_excess), self.max_k)
        rate = self.n / (2.0 * self.observed_s)
        return k, rate * math.exp(k * self.sum_half_spread / self.n)

    def standard_errors(self) -> tuple[float, float] | None:
        """(se of k, se of ln A) from the Fisher information; None before any sweep."""
        self.flush()
        if self.n <= 0 or self.sum_excess <= 0:
            return None
        mean_excess = self.sum_excess / self.n
        theta = mean_excess / (1.0 + mean_excess)
        se_k = (1.0 - theta) / math.sqrt(self.n * theta)
        half = self.sum_half_spread / self.n
        return se_k, math.sqrt(1.0 / self.n + half * half * se_k * se_k)
