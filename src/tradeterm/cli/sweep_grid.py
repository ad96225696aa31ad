"""The cells of a backtest sweep: parameter points (``--grid`` or ``--random N``) x recordings.

A parameter is any ``[quoter]`` or ``[paper]`` key (``quoter.gamma``, ``paper.latency_ms``). On
a grid its values are a list (``quoter.gamma=0.05,0.1,0.2``); with ``--random N`` a list is
sampled from, and a range ``lo..hi`` is drawn uniformly (seeded: the same seed, the same
points). Each cell is checked against the config's own validation before any runs, so a bad
key or value is refused in one line.
"""

from __future__ import annotations

import glob
import hashlib
import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tradeterm.cli.errors import UsageError
from tradeterm.config import ConfigError
from tradeterm.config.quoter import QuoterConfig
from tradeterm.config.sim import PaperConfig

SECTIONS: dict[str, type[BaseModel]] = {"quoter": QuoterConfig, "paper": PaperConfig}


@dataclass(frozen=True)
class Axis:
    key: str  # "quoter.gamma"
    values: tuple[str, ...] = ()  # a list
    low: float | None = None  # or a range (--random only)
    high: float | None = None


@dataclass(frozen=True)
class Cell:
    """One replay: a parameter point on one recording, with the run's seed and bound."""

    params: tuple[tuple[str, str], ...]  # (key, value as given) in the order of --grid
    recording: str
    seed: int
    seconds: float | None
    skip_damaged: bool = False  # replay around damaged blocks (not in the id: else refused)

    @property
    def id(self) -> str:
        """Stable across runs and machines: the name a finished cell is found by."""
        text = json.dumps([list(self.params), self.recording, self.seed, self.seconds])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def values(self) -> tuple[tuple[str, Any], ...]:
        """The parameters as the config reads them (numbers as float64 for the table)."""
        return typed(self.params)

    def overrides(self) -> dict[str, dict[str, Any]]:
        """The cell's parameters as settings flags by section: ``{"quoter": {"gamma": ...}}``."""
        flags: dict[str, dict[str, Any]] = {}
        for key, value in self.params:
            section, name = key.split(".", 1)
            flags.setdefault(section, {})[name] = value
        return flags


def parse_axis(text: str) -> Axis:
    """``section.key=v1,v2`` or ``section.key=lo..hi``; refused in one line."""
    key, eq, spec = text.partition("=")
    key = key.strip()
    section, dot, name = key.partition(".")
    if not eq or not spec.strip():
        raise UsageError(f"--grid {text}: expected KEY=V1,V2,... (e.g. quoter.gamma=0.05,0.1)")
    model = SECTIONS.get(section)
    if not dot or model is None:
        raise UsageError(f"--grid {key}: the key must be quoter.<key> or paper.<key>")
    if name not in model.model_fields:
        known = ", ".join(sorted(model.model_fields))
        raise UsageError(f"--grid {key}: [{section}] has no key {name!r}; its keys: {known}")
    low, dots, high = spec.partition("..")
    if dots:
        try:
            lo, hi = float(low), float(high)
        except ValueError:
            raise UsageError(f"--grid {text}: a range is two numbers, lo..hi") from None
        if not lo < hi:
            raise UsageError(f"--grid {text}: a range needs lo < hi")
        return Axis(key, low=lo, high=hi)
    values = tuple(v.strip() for v in spec.split(",") if v.strip())
    return Axis(key, values=values)


def points(axes: list[Axis], random_n: int | None, seed: int) -> list[tuple[tuple[str, str], ...]]:
    """The parameter points: the grid's product, or ``random_n`` seeded draws."""
    if random_n is None:
        ranged = [a.key for a in axes if a.low is not None]
        if ranged:
            raise UsageError(f"--grid {ranged[0]}: a range lo..hi needs --random N")
        return [
            tuple(zip([a.key for a in axes], combo))
            for combo in itertools.product(*(a.values for a in axes))
        ]
    rng = random.Random(seed)
    drawn = []
    for _ in range(random_n):
        point = []
        for a in axes:
            if a.low is not None and a.high is not None:
                point.append((a.key, repr(round(rng.uniform(a.low, a.high), 12))))
            else:
                point.append((a.key, rng.choice(a.values)))
        drawn.append(tuple(point))
    return drawn


def typed(point: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Any], ...]:
    """The point's values as its sections validate them (a bad value: one line)."""
    out = []
    for key, value in point:
        section, name = key.split(".", 1)
        try:
            model = SECTIONS[section].model_validate({name: value})
        except ValueError as exc:
            first = str(exc).splitlines()
            why = first[2].strip() if len(first) > 2 else first[0]
            raise UsageError(f"--grid {key}={value}: {why}") from None
        checked = getattr(model, name)
        out.append((key, checked if isinstance(checked, bool | int | str) else float(checked)))
    return tuple(out)


def partitions(recording: str) -> tuple[tuple[str, str], ...]:
    """The ``key=value`` folders a recording lies in (a hive tree of recordings:
    ``venue=binance/date=2024-08-08/session.ttj``), outermost first; the cell's row gets them
    as ``recording.KEY`` columns, to group a sweep's rows by."""
    found = []
    for folder in Path(recording).parent.parts:
        key, eq, value = folder.partition("=")
        if eq and key:
            found.append((key, value))
    return tuple(found)


def recordings(patterns: list[str]) -> list[str]:
    """Paths, globs (``recordings/*.ttj``) and directories (every ``*.ttj`` under them: a hive
    tree of recordings too, whose ``key=value`` folders each row then holds, ``partitions``)."""
    found: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            matches = sorted(str(p) for p in path.rglob("*.ttj"))
        elif any(c in pattern for c in "*?["):
            matches = sorted(glob.glob(pattern, recursive=True))
        else:
            matches = [pattern] if path.is_file() else []
        if not matches:
            raise UsageError(f"no recording matches {pattern}")
        found += [m for m in matches if m not in found]
    return found


def plan(
    axes: list[Axis],
    paths: list[str],
    random_n: int | None,
    seed: int,
    seconds: float | None,
    skip_damaged: bool = False,
) -> list[Cell]:
    """Every cell, parameters outer and recordings inner, each point validated once."""
    cells = []
    for point in points(axes, random_n, seed):
        checked = typed(point)
        try:
            for section, model in SECTIONS.items():
                model.model_validate(dict(_section(point, section)))
        except (ValueError, ConfigError) as exc:
            raise UsageError(f"--grid point {dict(checked)}: {str(exc).splitlines()[-1]}") from None
        cells += [Cell(point, p, seed, seconds, skip_damaged) for p in paths]
    return cells


def _section(point: tuple[tuple[str, str], ...], section: str) -> list[tuple[str, str]]:
    return [(k.split(".", 1)[1], v) for k, v in point if k.startswith(section + ".")]
