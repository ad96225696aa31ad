"""Fault injection: the loopback exchange misbehaving on purpose, the way real venues do.

Faults come two ways: a *plan* (``--faults`` / ``exchange.faults``) that fires them on a schedule
or at random, and one-shot *triggers* (tests, ``POST /loopback/fault/<kind>``). Kinds:

=========  ==========================================================================
drop       close every websocket connection abruptly (no close frame)
gap        skip one depth update on every market connection (a gap in update ids)
stale      stop sending market data for N seconds (what was not sent is lost)
shutdown   send ``serverShutdown`` on every market connection, then close it
delay      hold every stream message back by N ms (order kept)
5xx        answer the next REST call(s) with HTTP 503 (optionally after processing it)
timeout    process the next REST call(s) but hold the answer back for N seconds
dup        send the next execution report with a fill twice (and, with a rate, any
           stream message twice)
weight     enforce a request weight limit a minute per IP: 429 (-1003) over it, 418 (a ban)
           when a caller keeps asking (``limits.py``); off unless set
=========  ==========================================================================

Plan syntax: comma-separated ``kind=value``; ``drop=30`` every 30 s, ``gap=45``, ``shutdown=600``,
``stale=60:5`` (every 60 s for 5 s), ``delay=50`` (ms), ``5xx=0.05`` (share of REST calls),
``timeout=0.02:10`` (share, seconds held), ``dup=0.1`` (share of stream messages),
``weight=1200:120`` (weight a minute, seconds a ban lasts).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field


MAX_VALUE = 86_400  # a day (in seconds), or 86 s of delay in ms: more is not a fault plan


class FaultSpecError(ValueError):
    """A ``--faults`` specification that cannot be read, phrased for the user."""


@dataclass(slots=True)
class FaultPlan:
    drop_every_s: float | None = None
    gap_every_s: float | None = None
    shutdown_every_s: float | None = None
    stale_every_s: float | None = None
    stale_for_s: float = 5.0
    delay_ms: float = 0.0
    rest_5xx_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_hold_s: float = 10.0
    duplicate_rate: float = 0.0
    weight_limit: int = 0  # request weight a minute per IP (0: not enforced)
    ban_s: float = 120.0  # how long an IP that ignored a 429 is banned (418)

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        plan = cls()
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            kind, sep, value = part.partition("=")
            if not sep:
                raise FaultSpecError(f"fault {part!r} has no value; write kind=value, e.g. drop=30")
            first, _, second = value.partition(":")
            a = _number(kind, first)
            b = _number(kind, second) if second else None
            if kind == "drop":
                plan.drop_every_s = _period(kind, a)
            elif kind == "gap":
                plan.gap_every_s = _period(kind, a)
            elif kind == "shutdown":
                plan.shutdown_every_s = _period(kind, a)
            elif kind == "stale":
                plan.stale_every_s = _period(kind, a)
                if b is not None:
                    plan.stale_for_s = _period(kind, b)
            elif kind == "delay":
                plan.delay_ms = max(0.0, a)
            elif kind == "5xx":
                plan.rest_5xx_rate = _share(kind, a)
            elif kind == "timeout":
                plan.timeout_rate = _share(kind, a)
                if b is not None:
                    plan.timeout_hold_s = _period(kind, b)
            elif kind == "dup":
                plan.duplicate_rate = _share(kind, a)
            elif kind == "weight":
                plan.weight_limit = int(_period(kind, a))
                if b is not None:
                    plan.ban_s = _period(kind, b)
            else:
                raise FaultSpecError(
                    f"unknown fault {kind!r}; known: drop, gap, shutdown, stale, "
                    "delay, 5xx, timeout, dup, weight"
                )
        return plan


def _number(kind: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"fault {kind}: {text!r} is not a number") from None
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        raise FaultSpecError(f"fault {kind}: {text!r} is not a number from 0 to {MAX_VALUE:,}")
    return value


def _period(kind: str, value: float) -> float:
    if value <= 0:
        raise FaultSpecError(f"fault {kind}: seconds must be greater than 0")
    return value


def _share(kind: str, value: float) -> float:
    if not 0 <= value <= 1:
        raise FaultSpecError(f"fault {kind}: a share between 0 and 1, got {value}")
    return value


@dataclass(slots=True)
class RestFault:
    status: int = 503
    processed: bool = False  # run the request before answering with the error
    hold_s: float = 0.0  # > 0: answer normally, but only after this long
    path: str | None = None  # only requests to this path (None: any)
    method: str | None = None


@dataclass
class FaultInjector:
    """Current fault state, consulted by the REST layer and the stream connections."""

    plan: FaultPlan = field(default_factory=FaultPlan)
    rng: random.Random = field(default_factory=random.Random)
    stale_until: float = 0.0  # monotonic time
    rest_queue: list[RestFault] = field(default_factory=list)
    duplicate_fills: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    hub: object | None = None  # the StreamHub, set by the server

    # --- one-shot triggers -------------------------------------------------------------------
    def drop_connections(self) -> int:
        self._count("drop")
        return self.hub.drop_all() if self.hub is not None else 0  # type: ignore[attr-defined]

    def gap(self, symbol: str | None = None) -> None:
        self._count("gap")
        if self.hub is not None:
            self.hub.mark_gap(symbol)  # type: ignore[attr-defined]

    def go_stale(self, seconds: float) -> None:
        self._count("stale")
        self.stale_until = time.monotonic() + seconds

    def server_shutdown(self) -> None:
        self._count("shutdown")
        if self.hub is not None:
            self.hub.shutdown_all()  # type: ignore[attr-defined]

    def fail_rest(
        self,
        count: int = 1,
        status: int = 503,
        processed: bool = False,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        self.rest_queue.extend(
            RestFault(status, processed, 0.0, path, method) for _ in range(count)
        )

    def hold_rest(
        self, seconds: float, count: int = 1, path: str | None = None, method: str | None = None
    ) -> None:
        self.rest_queue.extend(RestFault(200, True, seconds, path, method) for _ in range(count))

    def duplicate_next_fill(self, count: int = 1) -> None:
        self.duplicate_fills += count

    # --- queries -------------------------------------------------------------------------------
    @property
    def stale(self) -> bool:
        return time.monotonic() < self.stale_until

    def rest_fault_for(self, method: str, path: str) -> RestFault | None:
        for i, fault in enumerate(self.rest_queue):
            if (fault.path is None or fault.path == path) and (
                fault.method is None or fault.method == method
            ):
                del self.rest_queue[i]
                self._count("timeout" if fault.hold_s else "5xx")
                return fault
        plan = self.plan
        if plan.rest_5xx_rate and self.rng.random() < plan.rest_5xx_rate:
            self._count("5xx")
            return RestFault(503, processed=self.rng.random() < 0.5)
        if plan.timeout_rate and self.rng.random() < plan.timeout_rate:
            self._count("timeout")
            return RestFault(200, True, plan.timeout_hold_s)
        return None

    def take_duplicate_fill(self) -> bool:
        if self.duplicate_fills > 0:
            self.duplicate_fills -= 1
            self._count("dup")
            return True
        return False

    def duplicate_message(self) -> bool:
        return bool(self.plan.duplicate_rate) and self.rng.random() < self.plan.duplicate_rate

    def _count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
