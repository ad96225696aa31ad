"""Shared formatting for panes: the colours that mean buy and sell, and the engine's trader
units (``core/display.py``: prices, sizes, money, times, compact numbers), shared, not copied.

The trading palette comes from the active theme (``ui/themes.py``): the colour-blind theme swaps
green/red for blue/orange, so panes never hard-code those colours; they ask ``palette()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradeterm.core.display import compact, hms, money, signed_money  # noqa: F401 (shared)


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
