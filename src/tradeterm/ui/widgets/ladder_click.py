"""Where a click on the ladder lands and what it means (no Textual here).

``Drawn`` is the frame the widget last drew: its layout and the prices of its rows, top down,
exactly as painted (``Ladder.ladder_rows`` records it with the rows it hands to the screen), so
a click never lands on a price other than the one shown. ``hit`` maps a cell of the pane's
content to (column, price); a cell that is not on a price row (the header, the position line,
the footer, below the rows) or not in a column that acts (the volume) is no hit at all.

``Gesture`` turns a press and a release of the left button into what the trader meant: in the
bid column a buy at the row's price, in the ask column a sell, on the price re-centre, on one of
our orders (the orders column) cancel it; pressed on one of our orders and released on another
row, move it there (a drag). A right click (or ctrl+click) on one of our orders picks it up, and
the next left click on a price row moves it there; a click anywhere else drops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from tradeterm.ui.widgets.ladder_rows import Layout


class Column(Enum):
    BID = "bid"
    PRICE = "price"
    ASK = "ask"
    OWN = "own"  # our orders: both sides, or in a split layout the buys (left) or sells (right)


@dataclass(frozen=True, slots=True)
class Span:
    column: Column
    start: int  # first cell
    end: int  # one past the last
    side: int = 0  # of an own column: 1 buys, -1 sells, 0 both


def spans(lay: Layout) -> tuple[Span, ...]:
    """The cells of each column that acts, left to right, as ``RowPainter.row`` paints them:
    the bid bar and size, the cursor mark + price + last-trade mark, the ask size and bar, our
    orders (on both sides in a split layout). The volume column does not act."""
    out: list[Span] = []
    x = 0
    if lay.split:
        out.append(Span(Column.OWN, 0, lay.own, 1))
        x = lay.own + 1
    bid = lay.bar + lay.size + 2
    out.append(Span(Column.BID, x, x + bid))
    x += bid
    out.append(Span(Column.PRICE, x, x + lay.price + 2))
    x += lay.price + 2
    ask = lay.size + 2 + lay.bar
    out.append(Span(Column.ASK, x, x + ask))
    x += ask
    if lay.own:
        out.append(Span(Column.OWN, x + 1, x + 1 + lay.own, -1 if lay.split else 0))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Drawn:
    """One frame as drawn: whose, its columns, and the price of each row (top down) from line
    ``first`` of the pane (the header is line 0)."""

    instrument: str
    layout: Layout
    prices: tuple[int, ...]
    first: int = 1


@dataclass(frozen=True, slots=True)
class Hit:
    column: Column
    price: int
    side: int = 0  # of an own column: 1 buys, -1 sells, 0 both


def hit(drawn: Drawn | None, x: int, y: int) -> Hit | None:
    """The column and row price under content cell (x, y), or None: no frame, not a price
    row, or no column that acts."""
    if drawn is None:
        return None
    row = y - drawn.first
    if not 0 <= row < len(drawn.prices):
        return None
    for span in spans(drawn.layout):
        if span.start <= x < span.end:
            return Hit(span.column, drawn.prices[row], span.side)
    return None


@dataclass(frozen=True, slots=True)
class Limit:
    side: int  # 1 buy, -1 sell
    price: int


@dataclass(frozen=True, slots=True)
class Cancel:
    order_id: str


@dataclass(frozen=True, slots=True)
class Move:
    order_id: str
    price: int


@dataclass(frozen=True, slots=True)
class Pick:
    order_id: str


@dataclass(frozen=True, slots=True)
class Centre:
    pass


Intent = Limit | Cancel | Move | Pick | Centre


@dataclass(slots=True)
class Gesture:
    """A press and its release on the ladder, and an order picked up for the next click."""

    pressed: tuple[Hit, str | None, bool] | None = None  # where, our order there, pick
    picked: str | None = None

    def press(self, where: Hit | None, order_id: str | None, pick: bool = False) -> None:
        """The button went down at ``where`` (None: off the rows), on our order ``order_id``
        (None: none there, or not the orders column); ``pick``: right button or ctrl."""
        self.pressed = (where, order_id, pick) if where is not None else None
        if where is None:
            self.picked = None

    def release(self, where: Hit | None) -> Intent | None:
        """The button came up at ``where``: what to do, or None (nothing)."""
        pressed, self.pressed = self.pressed, None
        if pressed is None or where is None:
            self.picked = None
            return None
        start, order, pick = pressed
        picked, self.picked = self.picked, None
        if pick:
            if order is not None and where == start and order != picked:
                self.picked = order
                return Pick(order)
            return None  # a right click elsewhere (or on the picked order) drops it
        if picked is not None:
            return Move(picked, where.price) if where == start and order != picked else None
        if order is not None and where.price != start.price:
            return Move(order, where.price)  # dragged to another row
        if where != start:
            return None
        match start.column:
            case Column.BID:
                return Limit(1, start.price)
            case Column.ASK:
                return Limit(-1, start.price)
            case Column.PRICE:
                return Centre()
        return Cancel(order) if order is not None else None
