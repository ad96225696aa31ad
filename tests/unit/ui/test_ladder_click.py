"""Where a click on the ladder lands and what it means, without Textual
(ui/widgets/ladder_click.py): the columns are where the row painter puts them, and a click is
on a price of the frame drawn or on nothing."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.ui.format import Palette
from tradeterm.ui.widgets.ladder_click import (
    Cancel,
    Centre,
    Column,
    Drawn,
    Gesture,
    Hit,
    Limit,
    Move,
    Pick,
    hit,
    spans,
)
from tradeterm.ui.widgets.ladder_rows import Own, RowPainter, layout


def span_of(lay, column, side=None):
    found = [s for s in spans(lay) if s.column is column and (side is None or s.side == side)]
    assert len(found) == 1, (column, side, found)
    return found[0]


def inside(text: str, needle: str, span) -> bool:
    at = text.index(needle)
    return span.start <= at and at + len(needle) <= span.end


@settings(max_examples=300)
@given(st.integers(28, 220), st.integers(5, 12), st.booleans())
def test_each_column_is_where_the_row_painter_paints_it(width, price_width, last):
    lay = layout(width, price_width)
    paint = RowPainter(lay, Decimal(1), Palette(), 10**6, 10**6)
    price = "#" * price_width
    own = [Own(1, 3, 1, 0), Own(-1, 4, 1, 0)] if lay.own else []
    row = paint.row(price, 77777, 88888, 0, own, False, False, last, True)
    text = "".join(t for t, _ in row)
    assert inside(text, price, span_of(lay, Column.PRICE))
    assert inside(text, "›", span_of(lay, Column.PRICE))  # the cursor mark is the price's
    assert inside(text, "77777", span_of(lay, Column.BID))
    assert inside(text, "88888", span_of(lay, Column.ASK))
    if lay.split:
        assert inside(text, "B3", span_of(lay, Column.OWN, 1))
        assert inside(text, "S4", span_of(lay, Column.OWN, -1))
    elif lay.own:
        assert inside(text, "B3", span_of(lay, Column.OWN, 0))
        assert inside(text, "S4", span_of(lay, Column.OWN, 0))
    cells = [(s.start, s.end) for s in spans(lay)]
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(cells, cells[1:]))
    assert cells[-1][1] <= lay.width
    header = paint.header()[0][0]
    assert inside(header, "bid", span_of(lay, Column.BID))
    assert inside(header, "price", span_of(lay, Column.PRICE))
    assert inside(header, "ask", span_of(lay, Column.ASK))


def test_a_click_is_on_a_price_of_the_frame_drawn_or_on_nothing():
    lay = layout(54, 8)
    drawn = Drawn("SIM-BTC", lay, (105, 104, 103, 102))
    price = span_of(lay, Column.PRICE).start
    assert hit(drawn, price, 0) is None  # the header
    assert hit(drawn, price, 1) == Hit(Column.PRICE, 105)
    assert hit(drawn, price, 4) == Hit(Column.PRICE, 102)
    assert hit(drawn, price, 5) is None  # the footer (or the position line)
    assert hit(drawn, price, -1) is None
    assert hit(drawn, 0, 2) == Hit(Column.BID, 104)
    assert hit(drawn, span_of(lay, Column.ASK).end - 1, 3) == Hit(Column.ASK, 103)
    assert hit(drawn, span_of(lay, Column.OWN).start, 3) == Hit(Column.OWN, 103)
    assert hit(drawn, lay.width + 3, 2) is None  # past the columns
    assert hit(None, price, 1) is None  # nothing drawn (waiting for the book)
    wide = layout(200, 8)
    assert wide.volume and hit(Drawn("X", wide, (5,)), wide.width - 1, 1) is None  # volume
    assert hit(Drawn("X", wide, (5,)), 0, 1) == Hit(Column.OWN, 5, 1)


def click(gesture, at, order=None, pick=False):
    gesture.press(at, order, pick)
    return gesture.release(at)


def test_a_click_buys_in_the_bid_column_sells_in_the_ask_column_and_centres_on_the_price():
    g = Gesture()
    assert click(g, Hit(Column.BID, 100)) == Limit(1, 100)
    assert click(g, Hit(Column.ASK, 101)) == Limit(-1, 101)
    assert click(g, Hit(Column.PRICE, 99)) == Centre()
    assert click(g, Hit(Column.OWN, 99)) is None  # no order of ours there
    assert click(g, None) is None
    g.press(Hit(Column.BID, 100), None)  # pressed in one column, released in another
    assert g.release(Hit(Column.ASK, 100)) is None
    g.press(Hit(Column.BID, 100), None)  # dragged from a price: nothing
    assert g.release(Hit(Column.BID, 98)) is None
    g.press(Hit(Column.BID, 100), None)  # released off the rows
    assert g.release(None) is None
    assert g.release(Hit(Column.BID, 100)) is None  # a release with no press


def test_our_order_is_cancelled_by_a_click_and_moved_by_a_drag():
    g = Gesture()
    assert click(g, Hit(Column.OWN, 100), "o1") == Cancel("o1")
    g.press(Hit(Column.OWN, 100), "o1")
    assert g.release(Hit(Column.BID, 97)) == Move("o1", 97)
    g.press(Hit(Column.OWN, 100), "o1")  # back on its own row: not a move, not a cancel
    assert g.release(Hit(Column.PRICE, 100)) is None


def test_a_picked_order_moves_to_the_next_price_clicked_and_is_dropped_by_anything_else():
    g = Gesture()
    assert click(g, Hit(Column.OWN, 100), "o1", pick=True) == Pick("o1")
    assert click(g, Hit(Column.ASK, 103)) == Move("o1", 103)
    assert g.picked is None
    assert click(g, Hit(Column.OWN, 100), "o1", pick=True) == Pick("o1")
    assert click(g, None) is None and g.picked is None  # off the rows: dropped
    click(g, Hit(Column.OWN, 100), "o1", pick=True)
    assert click(g, Hit(Column.OWN, 100), "o1") is None  # itself: dropped, not cancelled
    click(g, Hit(Column.OWN, 100), "o1", pick=True)
    assert click(g, Hit(Column.OWN, 100), "o1", pick=True) is None  # picked twice: dropped
    assert click(g, Hit(Column.BID, 100), pick=True) is None  # a right click on no order
    click(g, Hit(Column.OWN, 100), "o1", pick=True)
    assert click(g, Hit(Column.OWN, 95), "o2") == Move("o1", 95)  # onto another order's row
