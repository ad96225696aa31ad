"""Order-entry prices given by reference: the bid, ask, mid or last with a tick offset, spaces
around the sign allowed, and a mid that rounds away from the other side (issues 13.4, 13.16)."""

from __future__ import annotations


import pytest

from tests.entry_context import BTC, ctx
from tradeterm.domain.market import Side
from tradeterm.domain.orders import TimeInForce
from tradeterm.trading.orderentry import EntryContext, GrammarError, Market, parse


def test_reference_price_with_tick_offset_and_tif():
    cmd = parse("b 0.1 @ bid-2t ioc", ctx())
    assert (cmd.price, cmd.tif) == (123_598, TimeInForce.IOC)
    assert parse("s 0.1 @ ask+3 post", ctx()).price == 123_605
    assert parse("s 0.1 @mid", ctx()).price == 123_601


def one_tick_spread() -> EntryContext:
    c = ctx(**{BTC.id: Market(bid=123_600, ask=123_601, last=123_600)})
    c.sides = {"T-7": Side.SELL}
    return c


@pytest.mark.parametrize(
    ("line", "price"),
    [
        ("s 0.1 @ mid post", 123_601),  # a sell rounds up: it never crosses the bid
        ("b 0.1 @ mid post", 123_600),  # a buy rounds down
        ("s 0.1 @ mid+1t", 123_602),
        ("b 0.1 @ mid-1t", 123_599),
        ("s 0.1 @ bid", 123_600),
        ("b 0.1 @ ask", 123_601),
        ("s 0.1 @ last+2t", 123_602),
        ("mod T-7 @ mid", 123_601),  # the working sell keeps its side's rounding
    ],
)
def test_mid_rounds_away_from_the_other_side(line, price):
    cmd = parse(line, one_tick_spread())
    assert cmd.price == price


def test_mid_on_an_even_spread_is_exact_for_both_sides():
    c = ctx(**{BTC.id: Market(bid=100, ask=102)})
    assert parse("s 1 @ mid", c).price == parse("b 1 @ mid", c).price == 101


def test_modify_at_mid_without_the_orders_side_is_refused():
    c = ctx(**{BTC.id: Market(bid=100, ask=101)})
    with pytest.raises(GrammarError, match="side"):
        parse("mod T-7 @ mid", c)


@pytest.mark.parametrize(
    ("line", "price"),
    [
        ("b 0.01 @ bid - 2t", 123_598),
        ("b 0.01 @ bid -2t", 123_598),
        ("b 0.01 @ bid- 2t", 123_598),
        ("s 0.01 @ ask + 3", 123_605),
        ("s 0.01 @ ASK + 3T ioc", 123_605),
        ("b 0.01 @ bid - 2 t", 123_598),
        ("b 0.01 @bid - 2t BTC", 123_598),
    ],
)
def test_spaces_around_plus_and_minus(line, price):
    assert parse(line, ctx()).price == price


@pytest.mark.parametrize(
    "line", ["b 0.01 @ bid - x", "b 0.01 @ bid -", "b 0.01 @ - 2t", "b 0.01 @ bid + + 2t"]
)
def test_a_dangling_sign_is_an_error_not_an_instrument(line):
    with pytest.raises(GrammarError) as err:
        parse(line, ctx())
    assert "matches" not in str(err.value)
