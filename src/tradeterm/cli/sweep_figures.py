"""The text of a sweep's figures in ``tradeterm report SWEEP.parquet``: what a trader reads, never
scientific notation (``0.0000001``, not ``1E-7``; ``0.000012``, not ``1.2e-05``).

* Money columns (PnL, fees, drawdown, inventory value) in the sweep's currency precision,
  grouped like the rest of the CLI (``core/display.money``): ``-1,234.57``; an amount that is
  not zero but would round to zero keeps three significant digits (``0.0000123``).
* Counts grouped: ``12,345``.
* Other metrics (Sharpe, markouts in bps, run time) fixed point with two decimals, grouped;
  a value that would read as zero keeps three significant digits.
* Parameters as the sweep was given them, every digit, never in exponent form (``0.00001``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from tradeterm.core.display import money, money_places

MONEY = frozenset({"pnl", "realized", "fees", "max_drawdown", "max_inventory_value"})
METRIC_PLACES = 2
SIGNIFICANT = 3


def figure(column: str, value: Any, currency: str = "") -> str:
    """The text of ``value`` in the ``column`` of a sweep whose money is in ``currency``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if column in MONEY:
        return money(_decimal(value, money_places(currency)), currency, unit=False)
    if isinstance(value, int):
        return f"{value:,}"
    return _metric(value)


def parameter(value: Any) -> str:
    """A parameter's value as given: every digit of a float, in plain form."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{Decimal(repr(value)):f}"
    return str(value)


def _decimal(value: int | float, places: int) -> Decimal:
    """The float's shortest repr as a Decimal, cut to ``SIGNIFICANT`` digits when it would round
    to zero at the currency's ``places`` (money() would keep every digit of binary noise)."""
    if isinstance(value, int):
        return Decimal(value)
    if value and abs(value) < 0.5 * 10.0**-places:
        return Decimal(f"{value:.{SIGNIFICANT}g}")
    return Decimal(repr(value))


def _metric(value: float) -> str:
    rounded = round(value, METRIC_PLACES)
    if value and not rounded:  # would read as zero: its significant digits
        return f"{Decimal(f'{value:.{SIGNIFICANT}g}'):f}"
    return f"{rounded:,.{METRIC_PLACES}f}"
