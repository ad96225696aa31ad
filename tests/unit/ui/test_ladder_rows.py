"""The ladder's columns and row text, without Textual (ui/widgets/ladder_rows.py)."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tradeterm.ui.format import Palette, compact
from tradeterm.ui.widgets.ladder_rows import Own, RowPainter, layout, qty_text

PLAIN = re.compile(r"^(<0\.0*1|\d+(\.\d+)?[kMGT]?)$")


def test_sizes_are_never_in_scientific_notation_nor_cut():
    assert qty_text(Decimal("0.00009"), 7) == "0.00009"  # the replay ladder showed 9e-05
    assert qty_text(Decimal("0.09247123"), 7) == "0.09247"
    assert qty_text(Decimal(12345678), 7) == "12346k"
    assert qty_text(Decimal("0.00000123"), 7) == "<0.0001"  # never "0" for a real size
    assert qty_text(Decimal(1234567), 7) == "1234567"
    assert qty_text(Decimal(0), 7) == "0"
    assert compact(0.00009) == "0.00009" and compact(1.5e12) == "1.5T"


@settings(max_examples=500)
@given(
    st.decimals(min_value=0, max_value=Decimal(10) ** 15, places=8, allow_nan=False),
    st.integers(5, 10),
)
def test_a_size_fits_its_column_in_plain_digits_and_keeps_its_value(qty, width):
    text = qty_text(qty, width)
    assert len(text) <= width and PLAIN.match(text), text
    if qty and not text.startswith("<"):
        scale = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}.get(text[-1], 1)
        shown = Decimal(text.rstrip("kMGT")) * scale
        # rounded, never cut: within half a unit of the last digit shown
        last = Decimal(1).scaleb(-len(text.rstrip("kMGT").partition(".")[2])) * scale
        assert abs(shown - qty) <= last / 2


def test_the_ladder_uses_the_width_it_is_given():
    narrow, medium, wide = layout(42, 8), layout(54, 8), layout(88, 8)
    assert narrow.own and narrow.bar >= 3 and not narrow.volume  # 80 columns
    assert medium.queue and not medium.volume  # 120 columns: the queue estimate
    assert wide.volume and wide.volume_bar and wide.bar > medium.bar  # 200 columns
    assert layout(200, 8).split and layout(200, 8).bar == 30


@settings(max_examples=300)
@given(
    st.integers(28, 220),
    st.integers(5, 14),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.lists(
        st.tuples(
            st.sampled_from([1, -1]),
            st.integers(1, 10**7),
            st.integers(1, 9),
            st.integers(0, 10**9),
        ),
        max_size=2,
    ),
    st.booleans(),
    st.booleans(),
)
def test_every_row_is_exactly_the_layout_width(
    width, price_width, bid, ask, volume, own, cursor, last
):
    lay = layout(width, price_width)
    assert lay.width <= width
    paint = RowPainter(lay, Decimal("0.0001"), Palette(), 10**9, 10**9)
    price = "9" * price_width
    mine = [Own(side, lots, count, ahead) for side, lots, count, ahead in own]
    row = paint.row(price, bid, ask, volume, mine, False, False, last, cursor)
    assert sum(cell_len(text) for text, _ in row) == lay.width
    assert price in "".join(text for text, _ in row)
    assert cell_len(paint.header()[0][0]) <= lay.width


def test_own_orders_show_side_size_count_and_queue_when_wide():
    lay = layout(54, 8)
    paint = RowPainter(lay, Decimal("0.0001"), Palette(), 100, 100)
    row = paint.row("61800.0", 500, 0, 0, [Own(1, 100, 2, 12_000)], True, False, False, False)
    text = "".join(t for t, _ in row)
    assert "B0.01×2 q1.2" in text
