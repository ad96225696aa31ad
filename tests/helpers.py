"""Shared test builders."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tradeterm.config import load_settings
from tradeterm.domain.instruments import Instrument
from tradeterm.runtime.kernel import Kernel, RunOptions

BTC = Instrument(
    "test",
    "BTC/USD",
    "BTC",
    "USD",
    Decimal("0.5"),
    Decimal("0.0001"),
    Decimal(5),
    Decimal("0.0001"),
    Decimal("0.0004"),
)


def fast_kernel(seed: int = 7, seconds: float = 10.0, record: bool = False, **sim) -> Kernel:
    """A seeded --fast kernel; not recording unless asked (journals are tested in
    tests/*/record)."""
    settings = load_settings(sim={"seed": seed, **sim})
    return Kernel(settings, RunOptions(mode="paper", fast=True, seconds=seconds, record=record))


def run_fast(seed: int = 7, seconds: float = 10.0, record: bool = False, **sim) -> Kernel:
    kernel = fast_kernel(seed, seconds, record, **sim)
    asyncio.run(kernel.run())
    return kernel
