"""The bounds are sane, not only finite (issue 12.9): a session with every number of the
trading sections at its upper bound, or at its lower bound, runs without a single handler error
(``quoter.stale_after_s = inf`` used to fail on every book update)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import annotated_types as at
import pytest

from tests.config_tree import LEAVES
from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions

SECTIONS = ("quoter", "risk", "oms", "portfolio", "record")
# sizes depend on the instrument's lot grid (refused with the reason when off it); the per-venue
# throttle is unset in the sim
SKIP = {
    "quoter.order_size",
    "quoter.max_position",
    "risk.venue_orders_per_second",
    "risk.venue_order_burst",
}
FAST_WARMUP = {
    "warmup_bars": 2,
    "warmup_sweeps": 1,
    "vol_window_bars": 10,
    "bar_seconds": 1.0,
    "refresh_ms": 250,
    "sigma": None,
    "k": None,
    "A": None,
}


def extremes(which: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, tp, meta in LEAVES:
        section, *rest = key.split(".")
        if section not in SECTIONS or len(rest) != 1 or key in SKIP:
            continue
        low = next(m for m in meta if isinstance(m, at.Ge | at.Gt))
        high = next(m for m in meta if isinstance(m, at.Le | at.Lt))
        step = 1 if tp is int else 1e-6
        if which == "high":
            v = high.le if isinstance(high, at.Le) else high.lt - step
        else:
            v = low.ge if isinstance(low, at.Ge) else low.gt + step
        out.setdefault(section, {})[rest[0]] = Decimal(str(v)) if tp is Decimal else tp(v)
    out["quoter"]["enabled"] = True
    out["quoter"]["warmup_bars"] = min(
        out["quoter"]["warmup_bars"], out["quoter"]["vol_window_bars"]
    )
    out["oms"]["database_url"] = "sqlite://"
    return out


@pytest.mark.parametrize("case", ["high", "low", "high, quoting"])
def test_a_session_at_the_bounds_runs_without_a_handler_error(case):
    values = extremes(case.split(",")[0])
    if case.endswith("quoting"):
        values["quoter"].update(FAST_WARMUP)
    kernel = Kernel(
        load_settings(sim={"seed": 1}, **values), RunOptions(fast=True, seconds=10, record=False)
    )
    errors: list[tuple[str, str]] = []
    kernel.bus.on_handler_error = lambda topic, msg, exc: errors.append((topic, repr(exc)))
    asyncio.run(kernel.run())
    assert errors == []
    if case.endswith("quoting"):  # the extreme parameters were really used to quote
        assert all(q.view.submits > 0 for q in kernel.quoters.values())
