"""Runs the registered benchmarks: ``run(names, quick)`` -> figures, and their two renderings
(the JSON document and a text table). Used by ``tradeterm bench`` and ``benchmarks/run.py``."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable

from tradeterm.bench import MODULES
from tradeterm.bench.registry import REGISTRY, Figure


class UnknownBenchmark(ValueError):
    pass


def load() -> dict[str, object]:
    for module in MODULES:
        importlib.import_module(module)
    return dict(REGISTRY)


def select(names: Iterable[str] | None) -> list[str]:
    """Registered names, in registration order, matching ``names`` (exact names or an area
    prefix such as ``matching``); all when ``names`` is None."""
    available = list(load())
    if names is None:
        return available
    chosen: list[str] = []
    for wanted in names:
        hits = [n for n in available if n == wanted or n.startswith(wanted.rstrip(".") + ".")]
        if not hits:
            raise UnknownBenchmark(
                f"no benchmark named {wanted!r}; available: {', '.join(available)}"
            )
        chosen += [h for h in hits if h not in chosen]
    return chosen


def run(names: Iterable[str] | None = None, quick: bool = False) -> list[Figure]:
    return [REGISTRY[name](quick) for name in select(names)]


def to_json(figures: list[Figure]) -> str:
    return json.dumps({"benchmarks": [f.to_json() for f in figures]}, indent=2)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"  # 1.95 s, not "2"


def to_table(figures: list[Figure]) -> str:
    rows = [("benchmark", "value", "unit", "reference", "ratio", "target")]
    for f in figures:
        rows.append(
            (
                f.name,
                _number(f.value),
                f.unit,
                "-" if f.reference_value is None else _number(f.reference_value),
                "-" if f.ratio is None else f"{f.ratio:.2f}",
                f.target,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in (1, 3, 4) else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    for f in figures:
        lines.append(f"{f.name}: reference = {f.reference}")
        if f.note:
            lines.append(f"  {f.note}")
    return "\n".join(lines)
