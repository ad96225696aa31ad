"""Fuzzing the order-entry grammar: no invalid line ever becomes an order, and any text is an
order whose canonical text round-trips, or one clear error."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.entry_context import BTC, ETH, ctx
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType
from tradeterm.trading.orderentry import EntryContext, GrammarError, Market, parse


WORDS = st.sampled_from(
    [
        "b",
        "s",
        "buy",
        "sell",
        "@",
        "mkt",
        "ioc",
        "gtc",
        "fok",
        "post",
        "ro",
        "bid",
        "ask-2t",
        "mid+1",
        "last",
        "0.5",
        "1",
        "-1",
        "0",
        "1e9",
        "61800",
        "61800.25",
        "BTC",
        "ETH",
        "SIM",
        "cxl",
        "all",
        "mod",
        "T-7",
        "nan",
        "inf",
        "..",
        "",
        "0x10",
        "１",
    ]
)


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
        text,
        cmd,
        again,
    )


def line_of(cmd) -> str:
    return type(cmd).__name__


UNICODE_DIGITS = st.sampled_from(
    [
        "\u1c44",
        "\u1a99",
        "\uff11",
        "\u0662",
        "\u00b2",
        "\u0967",
        "\U0001d7d9",
        "\u2167",
        "\u06f5",
        "\u0e53",
    ]
)


TOKENS = st.sampled_from(
    [
        "b",
        "s",
        "buy",
        "sell",
        "B",
        "SELL",
        "@",
        "@",
        "mkt",
        "market",
        "ioc",
        "gtc",
        "fok",
        "post",
        "ro",
        "bid",
        "ask",
        "mid",
        "last",
        "bid-2t",
        "ask+3",
        "mid+1t",
        "last-1",
        "-",
        "+",
        "2t",
        "3",
        "0.5",
        "1",
        "0.1",
        "0.0001",
        "61800",
        "61800.5",
        "3000.05",
        "0",
        "-1",
        "1e3",
        "BTC",
        "ETH",
        "btc/usd",
        "SIM-ETH/USD",
        "sim:SIM-BTC/USD",
        "b",
        "e",
        "cxl",
        "all",
        "buys",
        "sells",
        "mod",
        "T-7",
        "999999999999999",
        "1" * 25,
    ]
)


@st.composite
def order_lines(draw) -> str:
    words = draw(st.lists(TOKENS, min_size=1, max_size=8))
    line = " ".join(words)
    if draw(st.booleans()):  # a Unicode digit somewhere
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(UNICODE_DIGITS) + line[at:]
    return line


def _markets() -> dict:
    return {
        BTC.id: Market(bid=123_600, ask=123_601, last=123_600),
        ETH.id: Market(bid=300_000, ask=300_004, last=300_002),
    }


ANY_LINE = st.one_of(
    order_lines(), st.text(max_size=80), st.text(alphabet=st.characters(codec="ascii"), max_size=40)
)


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
        assert 0 < cmd.qty <= 2**63 - 1
        assert cmd.price is None or 0 < cmd.price <= 2**63 - 1
        if cmd.price is not None and cmd.post_only:  # a passive reference never crosses
            m = _markets()[cmd.instrument]
            if "mid" in line.lower() and "+" not in line and "-" not in line:
                assert (cmd.price < m.ask) if cmd.side is Side.BUY else (cmd.price > m.bid)
    _roundtrips(cmd, c)
