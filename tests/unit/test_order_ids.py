"""13.8: an order id shown is an id accepted. The blotter shows a short form of each working
order's id (``#15``, or a longer unique end when two share a number); the grammar resolves any
form it shows, and refuses an ambiguous one with the candidates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.domain.commands import CancelOrder, ModifyOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.order_names import short_order_ids
from tradeterm.trading.orderentry import EntryContext, GrammarError, Market, parse

BTC = Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))


def ctx(*ids: str) -> EntryContext:
    return EntryContext(
        [BTC],
        BTC,
        {BTC.id: Market(123_600, 123_602, 123_601)},
        {i: BTC.id for i in ids},
        lambda: 5,
        lambda: "NEW",
    )


def test_the_short_form_a_narrow_blotter_shows_is_accepted():
    c = ctx("TT000001-00000015", "TT000001-00000115", "TT000002-00000003")
    shown = short_order_ids(c.working)
    assert shown == {
        "TT000001-00000015": "#15",
        "TT000001-00000115": "#115",
        "TT000002-00000003": "#3",
    }
    assert parse("cxl #15", c) == CancelOrder(5, "TT000001-00000015", BTC.id)
    assert parse("cxl 15", c) == CancelOrder(5, "TT000001-00000015", BTC.id)
    assert parse("cxl 01-00000015", c) == CancelOrder(5, "TT000001-00000015", BTC.id)
    assert parse("cxl tt000002-00000003", c) == CancelOrder(5, "TT000002-00000003", BTC.id)
    assert parse("mod #115 @ 61801", c) == ModifyOrder(5, "TT000001-00000115", BTC.id, 123_602)


def test_two_sessions_share_a_number_then_a_longer_end_is_shown():
    c = ctx("TT000001-00000007", "TT000002-00000007", "EXTERNAL-abc123def")
    shown = short_order_ids(c.working)
    assert shown["TT000001-00000007"] == "1-00000007"
    assert shown["TT000002-00000007"] == "2-00000007"
    assert shown["EXTERNAL-abc123def"] == "123def"
    with pytest.raises(GrammarError, match="#7 matches TT000001-00000007, TT000002-00000007"):
        parse("cxl #7", c)
    for oid, form in shown.items():
        assert parse(f"cxl {form}", c) == CancelOrder(5, oid, BTC.id)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.integers(1, 1200)), min_size=1, max_size=30, unique=True
    )
)
def test_every_shown_form_resolves_to_its_order(pairs):
    ids = [f"TT{session:06d}-{n:08d}" for session, n in pairs]
    c = ctx(*ids)
    for oid, form in short_order_ids(c.working).items():
        assert parse(f"cxl {form}", c) == CancelOrder(5, oid, BTC.id)
        assert len(form) <= 11
