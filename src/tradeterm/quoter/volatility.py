"""Volatility estimators over time bars built from a price stream (the mid or trade prints).

``BarBuilder`` turns prices into fixed-length bars in O(1) per price. A bar opens at the price
that prevailed when it began (the previous close), so a continuously observed price has no gaps
between bars; a stretch with no prices produces flat bars (the price did not move), at most
``max_gap_bars`` of them.

``VolatilityEstimators`` keeps five estimators current, O(1) per bar (running sums over a
rolling window of ``window`` bars, re-summed exactly once per window so rounding cannot drift):

* ``ewma``            exponentially weighted mean of squared close-to-close log returns
                      (RiskMetrics), half-life in bars;
* ``parkinson``       (ln H/L)^2 / (4 ln 2)                         Parkinson (1980)
* ``garman_klass``    0.5 (ln H/L)^2 - (2 ln 2 - 1) (ln C/O)^2       Garman & Klass (1980)
* ``rogers_satchell`` ln(H/C) ln(H/O) + ln(L/C) ln(L/O)             Rogers & Satchell (1991)
* ``yang_zhang``      s_o^2 + k s_c^2 + (1 - k) RS, k = 0.34 / (1.34 + (n+1)/(n-1))
                      Yang & Zhang (2000): overnight (open vs previous close) and open-to-close
                      sample variances plus Rogers-Satchell; drift-independent.

All give the variance of the log price per bar; ``sigma(name)`` converts to per sqrt(second).
Multiply by the price in ticks for ticks per sqrt(second), the quoting model's unit. Bars from
trade prints include the bid-ask bounce, which inflates every estimator; bars from the mid don't.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

NS = 1_000_000_000
ESTIMATORS = ("ewma", "parkinson", "garman_klass", "rogers_satchell", "yang_zhang")
_LN2 = math.log(2.0)


@dataclass(slots=True)
class Bar:
    start_ns: int
    open: float
    high: float
    low: float
    close: float
    prints: int  # prices seen in the bar (0 for a flat bar over a silent stretch)


class BarBuilder:
    """Fixed-length bars from a price stream. Prices must be positive."""

    __slots__ = ("bar_ns", "on_bar", "max_gap_bars", "_index", "_bar", "last")

    def __init__(
        self, bar_seconds: float, on_bar: Callable[[Bar], None], max_gap_bars: int = 60
    ) -> None:
        if not bar_seconds > 0:
            raise ValueError("bar_seconds must be positive")
        self.bar_ns = int(bar_seconds * NS)
        self.on_bar = on_bar
        self.max_gap_bars = max_gap_bars
        self._index = -1  # index (start_ns // bar_ns) of the open bar; -1 before any price
        self._bar: Bar | None = None
        self.last: float | None = None

    def update(self, ts_ns: int, price: float) -> None:
        index = ts_ns // self.bar_ns
        if index != self._index:
            if index < self._index:
                index = self._index  # late price: counts in the open bar
            else:
                self._advance(index)
        bar = self._bar
        if bar is None:
            bar = self._bar = Bar(index * self.bar_ns, price, price, price, price, 0)
        if price > bar.high:
            bar.high = price
        elif price < bar.low:
            bar.low = price
        bar.close = price
        bar.prints += 1
        self.last = price

    def roll(self, ts_ns: int) -> None:
        """Close the bars that ended before ``ts_ns`` (call from a timer when prices are sparse)."""
        index = ts_ns // self.bar_ns
        if index > self._index >= 0:
            self._advance(index)

    def _advance(self, index: int) -> None:
        """Close the open bar, emit flat bars for the silent ones, open bar ``index``."""
        bar = self._bar
        if bar is not None:
            self.on_bar(bar)
            close = bar.close
            for i in range(max(self._index + 1, index - self.max_gap_bars), index):
                self.on_bar(Bar(i * self.bar_ns, close, close, close, close, 0))  # silent bars
            self._bar = Bar(index * self.bar_ns, close, close, close, close, 0)
        self._index = index


class VolatilityEstimators:
    """The five estimators over the bars it is fed (``on_bar``), O(1) per bar."""

    __slots__ = (
        "bar_seconds",
        "window",
        "ewma_lambda",
        "bars",
        "ewma_var",
        "ewma_weight",
        "_terms",
        "_sums",
        "_since_resum",
        "_prev_close",
    )

    def __init__(
        self,
        bar_seconds: float,
        window: int = 300,
        ewma_halflife_bars: float = 60.0,
    ) -> None:
        if window < 2:
            raise ValueError("window must be at least 2 bars")
        self.bar_seconds = bar_seconds
        self.window = window
        self.ewma_lambda = 0.5 ** (1.0 / ewma_halflife_bars)
        self.bars = 0  # bars seen
        self.ewma_var = 0.0
        self.ewma_weight = 0.0  # sum of EWMA weights so far (bias correction while warming up)
        self._terms: deque[tuple[float, float, float, float, float]] = deque()
        self._sums = [0.0] * 7  # parkinson, gk, rs, o, o^2, c, c^2
        self._since_resum = 0
        self._prev_close: float | None = None

    def on_bar(self, bar: Bar) -> None:
        prev = self._prev_close
        self._prev_close = bar.close
        if prev is None or bar.low <= 0:
            return
        o, h, lo, c = bar.open, bar.high, bar.low, bar.close
        u, d, oc = math.log(h / o), math.log(lo / o), math.log(c / o)
        hl2 = (u - d) ** 2
        terms = (
            hl2 / (4.0 * _LN2),
            0.5 * hl2 - (2.0 * _LN2 - 1.0) * oc * oc,
            u * (u - oc) + d * (d - oc),
            math.log(o / prev),
            oc,
        )
        ret = math.log(c / prev)
        lam = self.ewma_lambda
        self.ewma_var = lam * self.ewma_var + (1.0 - lam) * ret * ret
        self.ewma_weight = lam * self.ewma_weight + (1.0 - lam)
        self.bars += 1
        self._push(terms)

    def _push(self, terms: tuple[float, float, float, float, float]) -> None:
        sums = self._sums
        self._terms.append(terms)
        _add(sums, terms, 1.0)
        if len(self._terms) > self.window:
            _add(sums, self._terms.popleft(), -1.0)
        self._since_resum += 1
        if self._since_resum >= self.window:  # exact re-sum once per window: O(1) amortised
            self._since_resum = 0
            self._sums = [0.0] * 7
            for t in self._terms:
                _add(self._sums, t, 1.0)

    def variance_per_bar(self, name: str) -> float | None:
        """Variance of the log price over one bar, or None before enough bars."""
        n = len(self._terms)
        if name == "ewma":
            return self.ewma_var / self.ewma_weight if self.ewma_weight > 0 else None
        if n < 2:
            return None
        park, gk, rs, o, o2, c, c2 = self._sums
        if name == "parkinson":
            return park / n
        if name == "garman_klass":
            return max(gk / n, 0.0)
        if name == "rogers_satchell":
            return max(rs / n, 0.0)
        if name == "yang_zhang":
            var_o = max((o2 - o * o / n) / (n - 1), 0.0)
            var_c = max((c2 - c * c / n) / (n - 1), 0.0)
            k = 0.34 / (1.34 + (n + 1) / (n - 1))
            return var_o + k * var_c + (1.0 - k) * max(rs / n, 0.0)
        raise ValueError(f"unknown estimator {name!r}; choose from {', '.join(ESTIMATORS)}")

    def sigma(self, name: str) -> float | None:
        """Volatility of the log price per sqrt(second)."""
        var = self.variance_per_bar(name)
        return None if var is None else math.sqrt(var / self.bar_seconds)

    @property
    def window_bars(self) -> int:
        return len(self._terms)


def _add(sums: list[float], terms: tuple[float, float, float, float, float], sign: float) -> None:
    park, gk, rs, o, c = terms
    sums[0] += sign * park
    sums[1] += sign * gk
    sums[2] += sign * rs
    sums[3] += sign * o
    sums[4] += sign * o * o
    sums[5] += sign * c
    sums[6] += sign * c * c
