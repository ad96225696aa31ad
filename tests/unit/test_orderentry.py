"""The order-entry grammar: what it accepts, what it refuses and why, and a fuzz that no
invalid line ever becomes an order."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.domain.commands import CancelAll, CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType, TimeInForce
from tradeterm.orderentry import EntryContext, GrammarError, Market, describe, parse

BTC = Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))
ETH = Instrument("sim", "SIM-ETH/USD", "ETH", "USD", Decimal("0.01"), Decimal("0.001"))


def ctx(**markets) -> EntryContext:
    ids = count(1)
    return EntryContext(
        instruments=[BTC, ETH], selected=BTC,
        markets=markets or {BTC.id: Market(bid=123_600, ask=123_602, last=123_601)},
        working={"T-7": BTC.id}, now_ns=lambda: 5, next_id=lambda: f"U-{next(ids)}")


def test_limit_order():
    cmd = parse("b 0.5 @ 61800", ctx())
    assert isinstance(cmd, SubmitOrder)
    assert (cmd.side, cmd.qty, cmd.price, cmd.order_type, cmd.tif) == (
        Side.BUY, 5000, 123_600, OrderType.LIMIT, TimeInForce.GTC)
    assert cmd.instrument == BTC.id and cmd.client_order_id == "U-1"


def test_market_order_is_ioc():
    cmd = parse("s 1 mkt", ctx())
    assert (cmd.side, cmd.order_type, cmd.price, cmd.tif) == (
        Side.SELL, OrderType.MARKET, None, TimeInForce.IOC)


def test_reference_price_with_tick_offset_and_tif():
    cmd = parse("b 0.1 @ bid-2t ioc", ctx())
    assert (cmd.price, cmd.tif) == (123_598, TimeInForce.IOC)
    assert parse("s 0.1 @ ask+3 post", ctx()).price == 123_605
    assert parse("s 0.1 @mid", ctx()).price == 123_601


def test_symbol_selects_the_instrument_and_its_grid():
    cmd = parse("buy 2 @ 3000.05 ETH ro", ctx())
    assert (cmd.instrument, cmd.qty, cmd.price, cmd.reduce_only) == (ETH.id, 2000, 300_005, True)


@pytest.mark.parametrize("line, reason", [
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
    ("b 1 @ last-2t DOGE", "unknown instrument"),
    ("b 1 @ bid", "no bid"),
    ("b 1 @ 5 ioc post", "post-only"),
    ("cxl", "one argument"),
    ("cxl nothing", "no working order"),
    ("mod T-9 @ 5", "no working order"),
    ("mod T-7", "new price"),
])
def test_invalid_lines_say_why(line, reason):
    markets = {} if line.endswith("@ bid") else None
    c = ctx() if markets is None else EntryContext([BTC, ETH], BTC, {}, {}, lambda: 0,
                                                   lambda: "X")
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


WORDS = st.sampled_from(["b", "s", "buy", "sell", "@", "mkt", "ioc", "gtc", "fok", "post", "ro",
                         "bid", "ask-2t", "mid+1", "last", "0.5", "1", "-1", "0", "1e9",
                         "61800", "61800.25", "BTC", "ETH", "SIM", "cxl", "all", "mod", "T-7",
                         "nan", "inf", "..", "", "0x10", "１"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(WORDS, max_size=7).map(" ".join)))
def test_fuzz_never_crashes_and_only_valid_lines_make_orders(line):
    sent = []
    c = ctx()
    try:
        cmd = parse(line, c)
    except GrammarError as exc:
        assert str(exc)  # a reason, always
        return  # nothing was sent
    sent.append(cmd)
    # whatever parsed is a well-formed command on the instrument grid
    if isinstance(cmd, SubmitOrder):
        assert cmd.qty > 0
        assert cmd.price is None or cmd.price > 0
        assert (cmd.order_type is OrderType.MARKET) == (cmd.price is None)
        assert line.split()[0].lower() in ("b", "s", "buy", "sell")
    assert len(sent) == 1


def test_a_leading_colon_is_the_command_key_typed_twice():
    cmd = parse(":b 0.5 @ 61800", ctx())
    assert isinstance(cmd, SubmitOrder) and (cmd.side, cmd.qty, cmd.price) == (
        Side.BUY, 5000, 123_600)
