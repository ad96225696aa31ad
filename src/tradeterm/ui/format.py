"""Shared formatting for panes: times, compact numbers, and the colours that mean buy and sell.

The trading palette comes from the active theme (``ui/themes.py``): the colour-blind theme swaps
green/red for blue/orange, so panes never hard-code those colours; they ask ``palette()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True, slots=True)
class Palette:
    buy: str = "#3fb950"
    sell: str = "#f85149"
    last: str = "#d7af00"

    @property
    def bid(self) -> str:
        return self.buy

    @property
    def ask(self) -> str:
        return self.sell


_palette = Palette()


def palette() -> Palette:
    return _palette


def set_palette(new: Palette) -> None:
    global _palette
    _palette = new


def hms(ts_ns: int, millis: bool = False) -> str:
    dt = datetime.fromtimestamp(ts_ns / 1e9, tz=timezone.utc)
    return dt.strftime("%H:%M:%S.%f")[:12] if millis else dt.strftime("%H:%M:%S")


def compact(value: float, digits: int = 4) -> str:
    """Short numbers for narrow columns: 950, 12.3k, 4.56M (``digits`` significant below 1000),
    never in scientific notation (0.00009, not 9e-05)."""
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return _plain(value / limit, 3) + suffix
    return _plain(value, digits)


def _plain(value: float, digits: int) -> str:
    text = f"{value:.{digits}g}"
    if "e" not in text:
        return text
    if abs(value) >= 1:  # a number of thousands of T: all its digits
        return f"{value:.0f}"
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
