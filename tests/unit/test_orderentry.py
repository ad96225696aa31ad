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
from tradeterm.trading.order_text import describe
from tradeterm.trading.orderentry import EntryContext, GrammarError, Market, parse

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
    ("b 1 @ last-2t DOGE", "names no instrument"),
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


# --- hostile input (issue 12.10) -----------------------------------------------------------
def eth_selected() -> EntryContext:
    c = ctx()
    c.selected = ETH
    return c


@pytest.mark.parametrize("line", [
    "b 0.5 @ 6180\u1c440",  # OL CHIKI DIGIT FOUR: was a price of 618040
    "b 1\u1a99 @ last",  # TAI THAM DIGIT NINE: was 19 BTC
    "b \uff11 @ 61800",  # FULLWIDTH DIGIT ONE
    "b 0.5 @ bid-\u0662t",  # ARABIC-INDIC DIGIT TWO in a tick offset
    "b 0.5 @ 61\u00b2800",  # SUPERSCRIPT TWO
    "s 1 m\u212at",  # KELVIN SIGN: lower() makes it 'mkt'
    "\u0455 1 mkt",  # CYRILLIC DZE looks like s
    "b 1 @ 61800 \u017fim-btc/usd",  # LATIN SMALL LONG S: upper() makes it SIM-BTC/USD
    "b 1\x1c@ 61800",  # a control character
])
def test_only_ascii_digits_and_words_count(line):
    with pytest.raises(GrammarError) as err:
        parse(line, ctx())
    assert str(err.value)


@pytest.mark.parametrize("word", ["b", "e", "t", "sim", "s", "us", "btc/"])
def test_a_fragment_shorter_than_the_base_asset_names_no_instrument(word):
    """``s 1 mkt b`` with ETH selected sold BTC: 'b' is part of SIM-BTC/USD only."""
    with pytest.raises(GrammarError, match="instrument"):
        parse(f"s 1 mkt {word}", eth_selected())


@pytest.mark.parametrize(("word", "inst"), [
    ("BTC", BTC), ("btc", BTC), ("SIM-BTC/USD", BTC), ("sim-btc/usd", BTC),
    ("sim:SIM-BTC/USD", BTC), ("BTC/USD", BTC), ("eth", ETH)])
def test_an_instrument_is_its_symbol_id_base_or_pair(word, inst):
    assert parse(f"s 1 mkt {word}", eth_selected()).instrument == inst.id


def test_the_same_base_on_two_quotes_is_ambiguous():
    usdt = Instrument("sim", "SIM-BTC/USDT", "BTC", "USDT", Decimal("0.5"), Decimal("0.0001"))
    c = EntryContext([BTC, usdt, ETH], ETH, {}, {}, lambda: 0, lambda: "X")
    with pytest.raises(GrammarError, match="matches SIM-BTC/USD, SIM-BTC/USDT"):
        parse("s 1 mkt BTC", c)
    assert parse("s 1 mkt btc/usdt", c).instrument == usdt.id


FINE = Instrument("sim", "FINE/USD", "FINE", "USD", Decimal("1e-8"), Decimal("1e-8"))


@pytest.mark.parametrize(("line", "inst"), [
    ("b 999999999999999 @ 61800", BTC),  # 1e19 lots: beyond an int64
    ("b 100000000000 @ 1", FINE),  # 1e19 lots of 1e-8
    ("b 1 @ 999999999999999", FINE),  # 1e23 ticks of 1e-8
    ("b 1 @ 1" + "0" * 40, BTC),
    ("b 0." + "0" * 60 + "1 @ 61800", BTC),
])
def test_quantities_and_prices_beyond_what_the_engine_holds_are_refused(line, inst):
    c = EntryContext([inst], inst, {}, {}, lambda: 0, lambda: "X")
    with pytest.raises(GrammarError, match="too large|lot size|too small|not a multiple"):
        parse(line, c)


# --- side-aware reference prices (issue 13.4) ----------------------------------------------
def one_tick_spread() -> EntryContext:
    c = ctx(**{BTC.id: Market(bid=123_600, ask=123_601, last=123_600)})
    c.sides = {"T-7": Side.SELL}
    return c


@pytest.mark.parametrize(("line", "price"), [
    ("s 0.1 @ mid post", 123_601),  # a sell rounds up: it never crosses the bid
    ("b 0.1 @ mid post", 123_600),  # a buy rounds down
    ("s 0.1 @ mid+1t", 123_602),
    ("b 0.1 @ mid-1t", 123_599),
    ("s 0.1 @ bid", 123_600), ("b 0.1 @ ask", 123_601), ("s 0.1 @ last+2t", 123_602),
    ("mod T-7 @ mid", 123_601),  # the working sell keeps its side's rounding
])
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


# --- spaces around + and - (issue 13.16) ---------------------------------------------------
@pytest.mark.parametrize(("line", "price"), [
    ("b 0.01 @ bid - 2t", 123_598), ("b 0.01 @ bid -2t", 123_598), ("b 0.01 @ bid- 2t", 123_598),
    ("s 0.01 @ ask + 3", 123_605), ("s 0.01 @ ASK + 3T ioc", 123_605),
    ("b 0.01 @ bid - 2 t", 123_598), ("b 0.01 @bid - 2t BTC", 123_598),
])
def test_spaces_around_plus_and_minus(line, price):
    assert parse(line, ctx()).price == price


@pytest.mark.parametrize("line", ["b 0.01 @ bid - x", "b 0.01 @ bid -", "b 0.01 @ - 2t",
                                  "b 0.01 @ bid + + 2t"])
def test_a_dangling_sign_is_an_error_not_an_instrument(line):
    with pytest.raises(GrammarError) as err:
        parse(line, ctx())
    assert "matches" not in str(err.value)


# --- round trip and fuzz ----------------------------------------------------------------------
def _roundtrips(cmd, c: EntryContext) -> None:
    """The canonical text of a parsed command parses to the same command (the order id and
    the time aside: a new order gets a new id)."""
    import msgspec

    from tradeterm.trading.order_text import as_text

    text = as_text(cmd, {i.id: i for i in c.instruments})
    again = parse(text, c)
    drop = ("ts", "client_order_id") if isinstance(cmd, SubmitOrder) else ("ts",)
    same = {k: v for k, v in msgspec.structs.asdict(cmd).items() if k not in drop}
    assert type(again) is type(cmd), (line_of(cmd), text, again)
    assert {k: v for k, v in msgspec.structs.asdict(again).items() if k not in drop} == same, (
        text, cmd, again)


def line_of(cmd) -> str:
    return type(cmd).__name__


UNICODE_DIGITS = st.sampled_from(["\u1c44", "\u1a99", "\uff11", "\u0662", "\u00b2", "\u0967",
                                  "\U0001d7d9", "\u2167", "\u06f5", "\u0e53"])
TOKENS = st.sampled_from([
    "b", "s", "buy", "sell", "B", "SELL", "@", "@", "mkt", "market", "ioc", "gtc", "fok", "post",
    "ro", "bid", "ask", "mid", "last", "bid-2t", "ask+3", "mid+1t", "last-1", "-", "+", "2t", "3",
    "0.5", "1", "0.1", "0.0001", "61800", "61800.5", "3000.05", "0", "-1", "1e3", "BTC", "ETH",
    "btc/usd", "SIM-ETH/USD", "sim:SIM-BTC/USD", "b", "e", "cxl", "all", "buys", "sells", "mod",
    "T-7", "999999999999999", "1" * 25])


@st.composite
def order_lines(draw) -> str:
    words = draw(st.lists(TOKENS, min_size=1, max_size=8))
    line = " ".join(words)
    if draw(st.booleans()):  # a Unicode digit somewhere
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(UNICODE_DIGITS) + line[at:]
    return line


def _markets() -> dict:
    return {BTC.id: Market(bid=123_600, ask=123_601, last=123_600),
            ETH.id: Market(bid=300_000, ask=300_004, last=300_002)}


ANY_LINE = st.one_of(order_lines(), st.text(max_size=80),
                    st.text(alphabet=st.characters(codec="ascii"), max_size=40))


@settings(max_examples=1_000, deadline=None)
@given(ANY_LINE)
def test_fuzz_any_text_is_an_order_that_round_trips_or_one_clear_error(line):
    check_any_line(line)


@pytest.mark.slow
@settings(max_examples=50_000, deadline=None)
@given(ANY_LINE)
def test_fuzz_any_text_many_more_examples(line):
    check_any_line(line)


def check_any_line(line: str) -> None:
    """A parsed order or one clear error; a parsed number came from ASCII digits; a passive
    mid never crosses; the order's canonical text parses to the same order."""
    c = ctx(**_markets())
    c.sides = {"T-7": Side.BUY}
    try:
        cmd = parse(line, c)
    except GrammarError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    numbers = [ch for ch in line if ch.isdigit() or ch.isnumeric()]
    assert all(ch in "0123456789" for ch in numbers), (line, cmd)
    if isinstance(cmd, SubmitOrder):
        assert 0 < cmd.qty <= 2 ** 63 - 1
        assert cmd.price is None or 0 < cmd.price <= 2 ** 63 - 1
        if cmd.price is not None and cmd.post_only:  # a passive reference never crosses
            m = _markets()[cmd.instrument]
            if "mid" in line.lower() and "+" not in line and "-" not in line:
                assert (cmd.price < m.ask) if cmd.side is Side.BUY else (cmd.price > m.bid)
    _roundtrips(cmd, c)
