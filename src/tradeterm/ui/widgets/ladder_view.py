"""Which prices the ladder shows: its rows, the cursor, and price grouping (no Textual here).

A row is a price on a grid of ``group`` ticks (1, 2, 5, 10, 25 ... ticks a row). Grouping rounds
bids down and asks up, so a row at price P holds the bids in [P, P + group) and the asks in
(P - group, P]; the best bid's row is always below the best ask's. The volume column rounds
trades down like bids; the last-trade mark sits in the row of the side the trade hit (a buy
that lifted the ask in the ask's row). A b / s at a row sends that row's price: the price
printed on the row.

The cursor is a price (a row), not a place on the screen: when the market moves, the cursor
stays at the price the trader chose. It is always on screen: paging moves it with the page, and
when the view follows the market away from it (auto mode), it is released and b / s go back to
the touch (join the best bid / best ask), which the footer line says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GROUPS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000)
FILL = 0.5  # auto grouping: the finest group whose rows near the touch are at least half full
NEAR_LEVELS = 400  # levels a side read to choose the group automatically
WHEEL_ROWS = 3  # rows a notch of the mouse wheel scrolls


def bid_row(price: int, group: int) -> int:
    """The row a bid (or a trade) at ``price`` is shown in: rounded down to the grid."""
    return price // group * group


def ask_row(price: int, group: int) -> int:
    """The row an ask at ``price`` is shown in: rounded up to the grid."""
    return -(-price // group) * group


@dataclass(frozen=True, slots=True)
class Window:
    """The rows of one frame: ``rows`` prices from ``top`` down, ``group`` ticks apart."""

    top: int
    rows: int
    group: int

    @property
    def bottom(self) -> int:
        return self.top - (self.rows - 1) * self.group

    def prices(self) -> range:
        return range(self.top, self.bottom - 1, -self.group)

    def __contains__(self, price: object) -> bool:
        return (
            isinstance(price, int)
            and self.bottom <= price <= self.top
            and (self.top - price) % self.group == 0
        )

    def shows_bid(self, price: int) -> bool:
        return bid_row(price, self.group) in self

    def shows_ask(self, price: int) -> bool:
        return ask_row(price, self.group) in self


def group_sizes(levels: Mapping[int, int], window: Window, asks: bool) -> dict[int, int]:
    """Lots per row of the window, from one side's price -> lots levels. Reads whichever is
    fewer: every tick the window covers, or every level of the book."""
    g = window.group
    if asks:
        lo, hi, row = window.bottom - g + 1, window.top, ask_row
    else:
        lo, hi, row = window.bottom, window.top + g - 1, bid_row
    out: dict[int, int] = {}
    if hi - lo + 1 <= len(levels):
        get = levels.get
        if g == 1:
            for price in range(lo, hi + 1):
                size = get(price)
                if size:
                    out[price] = size
            return out
        for price in range(lo, hi + 1):
            size = get(price)
            if size:
                key = row(price, g)
                out[key] = out.get(key, 0) + size
        return out
    for price, size in levels.items():
        if lo <= price <= hi and size:
            key = row(price, g)
            out[key] = out.get(key, 0) + size
    return out


def occupancy(prices: Iterable[int], touch: int, group: int, rows: int, asks: bool) -> int:
    """How many of the ``rows`` rows from the touch outwards hold at least one level."""
    if asks:
        first = ask_row(touch, group)
        seen = {ask_row(p, group) for p in prices if ask_row(p, group) < first + rows * group}
    else:
        first = bid_row(touch, group)
        seen = {bid_row(p, group) for p in prices if bid_row(p, group) > first - rows * group}
    return len(seen)


def choose_group(bids: list[int], asks: list[int], rows: int) -> int:
    """The finest group for which each side of the book, over ``rows`` rows from the touch,
    is at least ``FILL`` full, or shown whole (a thin book): 1 on a book with a level at every
    tick, coarser on a fine-tick book whose levels are tens of ticks apart (BTCUSDT at 0.01).
    ``bids`` best first (descending), ``asks`` best first (ascending); prices in ticks."""
    sides = [(side, is_ask) for side, is_ask in ((bids, False), (asks, True)) if side]
    if not sides or rows <= 0:
        return 1
    need = max(1, int(rows * FILL))
    for g in GROUPS:
        if all(_readable(side, g, rows, need, is_ask) for side, is_ask in sides):
            return g
    return GROUPS[-1]


def group_is_off(bids: list[int], asks: list[int], group: int, rows: int) -> bool:
    """Whether the book has clearly outgrown ``group`` (hysteresis around ``FILL``, so the rows
    do not flip between two groups): a side under a quarter full that has more levels than
    that to show, or one group finer at least three quarters full on both sides."""
    sides = [(side, is_ask) for side, is_ask in ((bids, False), (asks, True)) if side]
    if not sides or rows <= 0:
        return False
    for side, is_ask in sides:
        filled = occupancy(side, side[0], group, rows, is_ask)
        row = ask_row if is_ask else bid_row
        if filled < rows / 4 and filled < len({row(p, group) for p in side}):
            return True
    finer = GROUPS[GROUPS.index(group) - 1] if group in GROUPS[1:] else None
    return finer is not None and all(
        occupancy(side, side[0], finer, rows, is_ask) >= rows * 3 / 4 for side, is_ask in sides
    )


def _readable(side: list[int], group: int, rows: int, need: int, asks: bool) -> bool:
    filled = occupancy(side, side[0], group, rows, asks)
    if filled >= need:
        return True
    row = ask_row if asks else bid_row
    return filled == len({row(p, group) for p in side})  # every level read is on screen


class LadderView:
    """The ladder's navigation state: auto / manual mode, the cursor, the group."""

    def __init__(self) -> None:
        self.group = 1
        self.auto_group = True  # the group follows the book (chosen when the view re-centres)
        self.regroup = True  # choose the group again before the next frame
        self.centre: int | None = None  # auto mode: the row kept in the middle
        self.manual_top: int | None = None  # manual mode: the top row's price
        self.cursor: int | None = None  # a row price; None: b / s at the touch
        self.released: int | None = None  # the cursor's price when the view left it
        self.window: Window | None = None  # the rows last drawn

    @property
    def manual(self) -> bool:
        return self.manual_top is not None

    def place(self, rows: int, mid: int | None) -> Window | None:
        """The rows to draw now. Auto mode keeps the market near the middle and moves only when
        it drifts out of the middle half, so the ladder does not jitter. Releases a cursor that
        is no longer on screen."""
        g = self.group
        if self.manual_top is not None:
            top = self.manual_top
        elif mid is None:
            return None
        else:
            row = bid_row(mid, g)
            if self.centre is None:
                self.centre = row
            elif abs(row - self.centre) > (rows // 4) * g:
                self.centre = row
                # the view jumps: the book may need another group, but never under a cursor
                # (its price would change without the trader moving it)
                self.regroup = self.auto_group and self.cursor is None
            top = self.centre + (rows // 2) * g
        window = Window(top, rows, g)
        if self.cursor is not None and self.cursor not in window:
            self.released, self.cursor = self.cursor, None
        self.window = window
        return window

    def move_cursor(self, steps: int, rows: int, mid: int | None) -> None:
        """Up / down one row; the first press starts from the middle row. The view scrolls
        (manual mode) to keep the cursor on screen."""
        g = self.group
        window = (
            self.window
            if self.window is not None and self.window.rows == rows
            else (self.place(rows, mid))
        )
        if self.cursor is None:
            start = bid_row(mid, g) if mid is not None else (window.top if window else None)
            if start is None:
                return
            self.cursor = start
        self.cursor += steps * g
        self.released = None
        if window is None or self.cursor not in window:
            self.manual_top = self.cursor + (rows // 2) * g
            self.window = None

    def page(self, direction: int, rows: int, mid: int | None) -> None:
        """Scroll half a screen (manual mode); the cursor moves with the page."""
        self.scroll(direction * (rows // 2), rows, mid)

    def scroll(self, steps: int, rows: int, mid: int | None) -> None:
        """Scroll ``steps`` rows, up to higher prices when positive (manual mode); the cursor
        moves with the view (the mouse wheel: ``WHEEL_ROWS`` a notch)."""
        g = self.group
        window = (
            self.window
            if self.window is not None and self.window.rows == rows
            else (self.place(rows, mid))
        )
        if window is None:
            return
        shift = steps * g
        self.manual_top = window.top + shift
        if self.cursor is not None:
            self.cursor += shift
        self.window = None

    def recentre(self) -> None:
        """Back to auto mode on the market, the cursor back to the touch."""
        self.manual_top = self.centre = self.cursor = self.released = None
        self.window = None
        self.regroup = self.auto_group

    def follow_order(self, ticks: int) -> None:
        """The cursor moves with an order the trader moved from it."""
        if self.cursor is not None:
            self.cursor += ticks
            self.window = None

    def set_group(self, group: int, rows: int, auto: bool) -> None:
        """Another group. The cursor snaps to its row on the new grid; a manual view keeps the
        cursor (or its middle price) in the middle."""
        self.regroup = False
        if group == self.group:
            self.auto_group = auto
            return
        middle = self.cursor
        if middle is None and self.window is not None:
            middle = self.window.top - (rows // 2) * self.group
        self.group = group
        self.auto_group = auto
        self.centre = None
        if self.cursor is not None:
            self.cursor = bid_row(self.cursor, group)
        if self.manual_top is not None and middle is not None:
            self.manual_top = bid_row(middle, group) + (rows // 2) * group
        self.window = None

    def zoom(self, step: int, rows: int) -> None:
        """One group coarser (``step`` 1: more price a row) or finer (-1); leaves auto."""
        i = GROUPS.index(self.group) if self.group in GROUPS else 0
        self.set_group(GROUPS[max(0, min(len(GROUPS) - 1, i + step))], rows, auto=False)

    def group_auto(self) -> None:
        self.auto_group = True
        self.regroup = True
