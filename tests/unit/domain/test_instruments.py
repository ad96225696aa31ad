from decimal import Decimal

import pytest

from tests.helpers import BTC
from tradeterm.domain.instruments import PrecisionError


def test_price_round_trip():
    assert BTC.price_to_ticks("61800.5") == 123601
    assert BTC.ticks_to_price(123601) == Decimal("61800.5")


def test_off_grid_price_is_refused():
    with pytest.raises(PrecisionError, match="not a multiple of tick 0.5"):
        BTC.price_to_ticks("61800.3")


def test_rounding_direction():
    assert BTC.price_to_ticks_rounded("61800.3", up=False) == 123600
    assert BTC.price_to_ticks_rounded("61800.3", up=True) == 123601


def test_quantity_round_trip_and_precision():
    assert BTC.qty_to_lots("0.0123") == 123
    assert BTC.lots_to_qty(123) == Decimal("0.0123")
    with pytest.raises(PrecisionError):
        BTC.qty_to_lots("0.00001")


def test_notional_is_exact():
    assert BTC.notional(123601, 123) == Decimal("61800.5") * Decimal("0.0123")


def test_decimals_and_formatting():
    assert BTC.price_decimals == 1 and BTC.qty_decimals == 4
    assert BTC.format_price(123601) == "61800.5"
    assert BTC.format_price(None) == "-"


def test_id_names_venue_and_symbol():
    assert BTC.id == "test:BTC/USD"
