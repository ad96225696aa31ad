"""Hostile order-entry input (issue 12.10): only ASCII digits and words count, an instrument is
named in full or not at all, and numbers beyond what the engine holds are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.entry_context import BTC, ETH, ctx
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.orderentry import EntryContext, GrammarError, parse


def eth_selected() -> EntryContext:
    c = ctx()
    c.selected = ETH
    return c


@pytest.mark.parametrize(
    "line",
    [
        "b 0.5 @ 6180\u1c440",  # OL CHIKI DIGIT FOUR: was a price of 618040
        "b 1\u1a99 @ last",  # TAI THAM DIGIT NINE: was 19 BTC
        "b \uff11 @ 61800",  # FULLWIDTH DIGIT ONE
        "b 0.5 @ bid-\u0662t",  # ARABIC-INDIC DIGIT TWO in a tick offset
        "b 0.5 @ 61\u00b2800",  # SUPERSCRIPT TWO
        "s 1 m\u212at",  # KELVIN SIGN: lower() makes it 'mkt'
        "\u0455 1 mkt",  # CYRILLIC DZE looks like s
        "b 1 @ 61800 \u017fim-btc/usd",  # LATIN SMALL LONG S: upper() makes it SIM-BTC/USD
        "b 1\x1c@ 61800",  # a control character
    ],
)
def test_only_ascii_digits_and_words_count(line):
    with pytest.raises(GrammarError) as err:
        parse(line, ctx())
    assert str(err.value)


@pytest.mark.parametrize("word", ["b", "e", "t", "sim", "s", "us", "btc/"])
def test_a_fragment_shorter_than_the_base_asset_names_no_instrument(word):
    """``s 1 mkt b`` with ETH selected sold BTC: 'b' is part of SIM-BTC/USD only."""
    with pytest.raises(GrammarError, match="instrument"):
        parse(f"s 1 mkt {word}", eth_selected())


@pytest.mark.parametrize(
    ("word", "inst"),
    [
        ("BTC", BTC),
        ("btc", BTC),
        ("SIM-BTC/USD", BTC),
        ("sim-btc/usd", BTC),
        ("sim:SIM-BTC/USD", BTC),
        ("BTC/USD", BTC),
        ("eth", ETH),
    ],
)
def test_an_instrument_is_its_symbol_id_base_or_pair(word, inst):
    assert parse(f"s 1 mkt {word}", eth_selected()).instrument == inst.id


def test_the_same_base_on_two_quotes_is_ambiguous():
    usdt = Instrument("sim", "SIM-BTC/USDT", "BTC", "USDT", Decimal("0.5"), Decimal("0.0001"))
    c = EntryContext([BTC, usdt, ETH], ETH, {}, {}, lambda: 0, lambda: "X")
    with pytest.raises(GrammarError, match="matches SIM-BTC/USD, SIM-BTC/USDT"):
        parse("s 1 mkt BTC", c)
    assert parse("s 1 mkt btc/usdt", c).instrument == usdt.id


FINE = Instrument("sim", "FINE/USD", "FINE", "USD", Decimal("1e-8"), Decimal("1e-8"))


@pytest.mark.parametrize(
    ("line", "inst"),
    [
        ("b 999999999999999 @ 61800", BTC),  # 1e19 lots: beyond an int64
        ("b 100000000000 @ 1", FINE),  # 1e19 lots of 1e-8
        ("b 1 @ 999999999999999", FINE),  # 1e23 ticks of 1e-8
        ("b 1 @ 1" + "0" * 40, BTC),
        ("b 0." + "0" * 60 + "1 @ 61800", BTC),
    ],
)
def test_quantities_and_prices_beyond_what_the_engine_holds_are_refused(line, inst):
    c = EntryContext([inst], inst, {}, {}, lambda: 0, lambda: "X")
    with pytest.raises(GrammarError, match="too large|lot size|too small|not a multiple"):
        parse(line, c)
