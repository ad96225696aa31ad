"""The benchmark registry: every figure ``tradeterm bench`` reports, measured beside its
reference in the same run.

A benchmark module registers functions with ``@benchmark("area.figure")``; each returns one
``Figure``. ``ratio`` is value / reference_value for rates (higher is better) and
reference_value / value for costs (latencies, bytes: ``higher_is_better=False``), so a ratio of
1.0 always means "as good as the reference". Modules are listed in ``bench.MODULES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Figure:
    name: str
    value: float
    unit: str
    reference: str  # what the reference is, in words ("bare dict+deque+heap book, same process")
    reference_value: float | None
    target: str = ""  # e.g. ">= 1,000,000 ops/s and ratio >= 0.75"
    higher_is_better: bool = True
    note: str = ""
    ratio: float | None = field(default=None)

    def __post_init__(self) -> None:
        if self.ratio is None and self.reference_value and self.value:
            self.ratio = (
                self.value / self.reference_value
                if self.higher_is_better
                else self.reference_value / self.value
            )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["better"] = "higher" if out.pop("higher_is_better") else "lower"
        return out


BenchFn = Callable[[bool], Figure]  # argument: quick (small sizes, for tests)
REGISTRY: dict[str, BenchFn] = {}


def benchmark(name: str) -> Callable[[BenchFn], BenchFn]:
    def register(fn: BenchFn) -> BenchFn:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name} registered twice")
        REGISTRY[name] = fn
        return fn

    return register
