"""The order-entry grammar: what it accepts, what it refuses and why (its prices in
test_orderentry_prices.py, hostile input in test_orderentry_hostile.py, fuzzing in
test_orderentry_fuzz.py)."""

from __future__ import annotations


import pytest

from tests.entry_context import BTC, ETH, ctx
from tradeterm.domain.commands import CancelAll, CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType, TimeInForce
from tradeterm.trading.order_text import describe
from tradeterm.trading.orderentry import EntryContext, GrammarError, parse


def test_limit_order():
    cmd = parse("b 0.5 @ 61800", ctx())
    assert isinstance(cmd, SubmitOrder)
    assert (cmd.side, cmd.qty, cmd.price, cmd.order_type, cmd.tif) == (
        Side.BUY,
        5000,
        123_600,
        OrderType.LIMIT,
        TimeInForce.GTC,
    )
    assert cmd.instrument == BTC.id and cmd.client_order_id == "U-1"


def test_market_order_is_ioc():
    cmd = parse("s 1 mkt", ctx())
    assert (cmd.side, cmd.order_type, cmd.price, cmd.tif) == (
        Side.SELL,
        OrderType.MARKET,
        None,
        TimeInForce.IOC,
    )


def test_symbol_selects_the_instrument_and_its_grid():
    cmd = parse("buy 2 @ 3000.05 ETH ro", ctx())
    assert (cmd.instrument, cmd.qty, cmd.price, cmd.reduce_only) == (ETH.id, 2000, 300_005, True)


@pytest.mark.parametrize(
    "line, reason",
    [
        ("", "empty"),
        ("x 1 @ 5", "unknown command"),
        ("b", "missing quantity"),
        ("b 0.5", "needs a price"),
        ("b -1 @ 5", "not a number"),
        ("b 0 @ 61800", "positive"),
        ("b 0.00001 @ 61800", "lot size"),
        ("b 1 @ 61800.3", "tick size"),
        ("b 1 @", "missing price"),
        ("b 1 @ 5 @ 6", "twice"),
        ("b 1 mkt post", "post-only"),
        ("b 1 @ last-2t DOGE", "names no instrument"),
        ("b 1 @ bid", "no bid"),
        ("b 1 @ 5 ioc post", "post-only"),
        ("cxl", "one argument"),
        ("cxl nothing", "no working order"),
        ("mod T-9 @ 5", "no working order"),
        ("mod T-7", "new price"),
    ],
)
def test_invalid_lines_say_why(line, reason):
    markets = {} if line.endswith("@ bid") else None
    c = ctx() if markets is None else EntryContext([BTC, ETH], BTC, {}, {}, lambda: 0, lambda: "X")
    with pytest.raises(GrammarError, match=reason):
        parse(line, c)


def test_cancels_and_modify():
    assert parse("cxl all", ctx()) == CancelAll(5)
    assert parse("cxl BTC", ctx()) == CancelAll(5, BTC.id)
    assert parse("cxl sells", ctx()) == CancelAll(5, None, Side.SELL)
    assert parse("cxl T-7", ctx()) == CancelOrder(5, "T-7", BTC.id)
    assert parse("mod T-7 @ 61800.5 0.2", ctx()) == ModifyOrder(5, "T-7", BTC.id, 123_601, 2000)


def test_describe_reads_like_a_ticket():
    cmd = parse("b 0.5 @ 61800 ioc", ctx())
    assert describe(cmd, {BTC.id: BTC}) == "BUY 0.5000 SIM-BTC/USD @ 61800.0 IOC"


def test_a_leading_colon_is_the_command_key_typed_twice():
    cmd = parse(":b 0.5 @ 61800", ctx())
    assert isinstance(cmd, SubmitOrder) and (cmd.side, cmd.qty, cmd.price) == (
        Side.BUY,
        5000,
        123_600,
    )
