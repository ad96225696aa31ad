"""Trader units (issue 13.11): the one formatting module the engine, the CLI and the panes share.
Engine units (lots, ticks) and raw decimals (``7000000.00000 USD``, ``fees 1.295872500``) never
reach a person."""

from __future__ import annotations

from decimal import Decimal

from tests.trading_harness import BTC
from tradeterm.core import display
from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.market import Side


def test_money_is_grouped_with_the_currencys_precision():
    assert display.money(Decimal("7000000.00000"), "USD") == "7,000,000.00 USD"
    assert display.money(Decimal("1.295872500"), "USDT") == "1.30 USDT"
    assert display.money(Decimal("-1234.5"), "EUR", unit=False) == "-1,234.50"
    assert display.money(Decimal("0.00012345"), "BTC") == "0.00012345 BTC"
    assert display.money(Decimal("0.000000001"), "BTC") == "0.000000001 BTC"  # never 0.00000000
    assert display.money(Decimal("0.0004"), "USD") == "0.0004 USD"  # never 0.00 for a fee
    assert display.money(Decimal(0), "USD") == "0.00 USD"
    assert display.money(None, "USD") == "-"
    assert display.signed_money(Decimal("3.5"), "USD") == "+3.50 USD"
    assert display.signed_money(Decimal("-3.5"), "USD") == "-3.50 USD"


def test_prices_and_sizes_in_the_instruments_precision():
    assert display.price(BTC, 123_599) == "61799.5"
    assert display.qty(BTC, 99) == "0.0099"
    assert display.half_ticks(BTC, 2 * 123_599) == "61799.5"
    assert display.half_ticks(BTC, 2 * 123_599 + 1) == "61799.75"
    assert display.base_amount(BTC, Decimal("0.0099")) == "0.0099"
    assert display.base_amount(BTC, Decimal("0.00999")) == "0.00999"  # finer than a lot: kept
    assert display.amount({BTC.id: BTC}, BTC.id, 500) == "0.0500 BTC"
    assert display.amount({}, "x:Y", 500) == "500 lots"


def test_a_fill_reads_in_trader_units():
    fill = OrderFilled(
        1,
        1,
        "c1",
        BTC.id,
        "v1",
        "T1",
        Side.BUY,
        123_599,
        99,
        Liquidity.TAKER,
        Decimal("0.0244726"),
        "USD",
        0,
    )
    assert display.fill_text(fill, BTC) == "BUY 0.0099 BTC/USD @ 61799.5, fee 0.02 USD"
    assert display.fill_text(fill, None) == "BUY 99 lots fake:BTC/USD @ 123599 ticks, fee 0.02 USD"
