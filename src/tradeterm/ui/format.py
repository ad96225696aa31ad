"""Shared formatting for panes: times, compact numbers, and the colours that mean buy and sell.

The trading palette comes from the active theme (``ui/themes.py``): the colour-blind theme swaps
green/red for blue/orange, so panes never hard-code those colours; they ask ``palette()``.
"""

from __future__ import annotations

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
    """Short numbers for narrow columns: 950, 12.3k, 4.56M (``digits`` significant below 1000)."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.{digits}g}"
