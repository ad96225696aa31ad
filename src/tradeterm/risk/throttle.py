"""Token buckets for the order-rate throttle (one global, one per venue)."""

from __future__ import annotations

from tradeterm.core.clock import NS


class TokenBucket:
    """``rate`` tokens a second up to ``burst``; one order takes one token.

    Time is the engine clock's, so a simulated run throttles in simulated time.
    """

    __slots__ = ("rate", "burst", "tokens", "ts", "_per_ns")

    def __init__(self, rate: float, burst: int, now_ns: int = 0) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("token bucket rate and burst must be positive")
        self.rate = rate
        self._per_ns = rate / NS
        self.burst = float(burst)
        self.tokens = float(burst)
        self.ts = now_ns

    def available(self, now_ns: int) -> float:
        elapsed = now_ns - self.ts
        if elapsed <= 0:
            return self.tokens
        tokens = self.tokens + elapsed * self._per_ns
        return tokens if tokens < self.burst else self.burst

    def take(self, now_ns: int) -> None:
        """Take one token (call after ``available(now) >= 1``)."""
        self.tokens = self.available(now_ns) - 1.0
        if now_ns > self.ts:
            self.ts = now_ns
