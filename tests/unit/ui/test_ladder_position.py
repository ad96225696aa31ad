"""The position on the ladder, without Textual: the row of its entry, its PnL in ticks and
money (exact), the footer line fitted to the width, the entry row's marks."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.domain.instruments import Instrument
from tradeterm.ui.format import Palette
from tradeterm.ui.widgets.ladder_position import Held, entry_row, pnl_at, position_line
from tradeterm.ui.widgets.ladder_rows import Own, RowPainter, layout

BTC = Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))


def text(row) -> str:
    return "".join(t for t, _ in row)


def test_pnl_in_ticks_and_money_is_exact_and_positive_in_profit():
    long = Held(537, Decimal("61800.25"))  # +0.0537 BTC
    assert pnl_at(long, BTC, BTC.price_to_ticks("61810.5")) == (
        Decimal("20.5"),
        Decimal("0.550425"),
    )
    short = Held(-537, Decimal("61800.25"))
    assert pnl_at(short, BTC, BTC.price_to_ticks("61790")) == (Decimal("20.5"), Decimal("0.550425"))
    assert pnl_at(short, BTC, BTC.price_to_ticks("61810.5"))[1] == Decimal("-0.550425")


def test_the_entry_row_is_the_row_under_an_entry_between_two_ticks():
    held = Held(100, Decimal("61800.25"))
    assert entry_row(held, BTC, 1) == BTC.price_to_ticks("61800")
    assert entry_row(held, BTC, 5) == BTC.price_to_ticks("61800") // 5 * 5


def test_the_position_line_names_where_its_pnl_is_taken_and_shortens_whole():
    held = Held(-537, Decimal("61800.25"))
    price = BTC.price_to_ticks("61790")
    wide = text(position_line(held, BTC, price, "cursor", Palette(), 80))
    assert wide == "pos -0.0537 @ 61800.25  cursor 61790.0 +20.5t +0.55 USD"
    assert text(position_line(held, BTC, price, "ask", Palette(), 44)) == (
        "pos -0.0537 @ 61800.25  +20.5t +0.55 USD"
    )
    assert text(position_line(held, BTC, price, "ask", Palette(), 20)) == "-0.0537 +20.5t +0.55"
    assert text(position_line(held, BTC, None, "ask", Palette(), 44)) == "pos -0.0537 @ 61800.25"


@settings(max_examples=200)
@given(st.integers(-(10**9), 10**9).filter(bool), st.integers(1, 10**7), st.integers(8, 120))
def test_the_position_line_never_outgrows_a_width_it_can_fit(lots, price, width):
    held = Held(lots, Decimal("61800.25"))
    line = text(position_line(held, BTC, price, "bid", Palette(), width))
    shortest = text(position_line(held, BTC, price, "bid", Palette(), 0))
    assert len(line) <= max(width, len(shortest))


def test_the_entry_row_shows_the_position_beside_the_price_and_in_the_free_own_column():
    lay = layout(54, 8)
    paint = RowPainter(lay, Decimal("0.0001"), Palette(), 100, 100)
    row = paint.row("61800.0", 500, 0, 0, [], False, False, False, False, held=537)
    assert "@61800.0" in text(row).replace(" ", "") and "@+0.0537" in text(row)
    assert len(text(row)) == lay.width
    busy = paint.row("61800.0", 500, 0, 0, [Own(1, 100, 1, 0)], False, False, False, False, -537)
    assert "@-0.0537" not in text(busy) and "B0.01" in text(busy)  # the orders keep the column
    assert len(text(busy)) == lay.width
    split = layout(200, 8)
    wide = RowPainter(split, Decimal("0.0001"), Palette(), 100, 100)
    row = wide.row("61800.0", 5, 0, 0, [], False, False, False, False, held=537)
    assert text(row).lstrip().startswith("@+0.0537") and len(text(row)) == split.width
    cursor = paint.row("61800.0", 500, 0, 0, [], False, False, False, True, held=537)
    assert "›" in text(cursor) and "@+0.0537" in text(cursor)  # the cursor keeps its mark


def test_the_money_on_the_position_line_does_not_follow_the_threads_decimal_context():
    """ccxt sets the thread's Decimal context to ROUND_HALF_UP (decimal_to_precision): the line
    rounds half to even whatever the context, so a session reads the same with or without it."""
    import decimal

    inst = BTC
    held = Held(-100, Decimal("61807.5"))  # -0.01 BTC; one tick against: -0.005 USD
    pal = Palette()
    price = inst.price_to_ticks("61808.0")
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_UP
        half_up = position_line(held, inst, price, "ask", pal, 80)
    half_even = position_line(held, inst, price, "ask", pal, 80)
    assert half_up == half_even
    assert "-0.00 USD" in "".join(text for text, _ in half_even)
