"""Size presets: ``[ui.sizes]`` validated by the config model and against each instrument's
order step, one line per bad value; the lists found by symbol, base, "*", else the default."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradeterm.config import ConfigError, load_settings
from tradeterm.domain.instruments import Instrument
from tradeterm.ui.size_presets import SizePresets, presets_in_lots, problems, require_valid

BTC = Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))
ETH = Instrument("sim", "SIM-ETH/USD", "ETH", "USD", Decimal("0.05"), Decimal("0.001"))
# Binance spot: a book lot of 1e-8, orders in steps of 0.00001
BTCUSDT = Instrument(
    "binance", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("1E-8"), qty_step_lots=1000
)


def test_the_list_of_the_symbol_then_the_base_then_star_then_the_default():
    settings = load_settings(
        ui={"sizes": {"SIM-BTC/USD": [0.01, 0.1, 0.5, 1], "ETH": [0.5], "*": [2]}}
    )
    assert presets_in_lots(settings, BTC) == (100, 1000, 5000, 10_000)
    assert presets_in_lots(settings, ETH) == (500,)
    assert presets_in_lots(settings, BTCUSDT) == (200_000_000,)  # "*"
    plain = load_settings(ui={"default_size": 0.01})
    assert presets_in_lots(plain, BTC) == (100, 200, 500, 1000)  # default_size x 1, 2, 5, 10
    per_base = load_settings(ui={"default_size": {"BTC": 0.000012, "*": 1}})
    assert presets_in_lots(per_base, BTCUSDT) == (1000, 2000, 6000, 12_000)  # on the step


def test_presets_cycle_both_ways_round_the_list():
    settings = load_settings(ui={"sizes": {"BTC": [0.01, 0.1, 0.5]}})
    sizes = SizePresets(settings, [BTC, ETH], [BTC.id, ETH.id])
    assert sizes.current(BTC.id) == 100 and sizes.position(BTC.id) == (1, 3)
    assert [sizes.cycle(BTC.id) for _ in range(3)] == [1000, 5000, 100]
    assert sizes.cycle(BTC.id, -1) == 5000 and sizes.position(BTC.id) == (3, 3)
    assert sizes.current(ETH.id) == 10  # each instrument its own


@pytest.mark.parametrize(
    ("sizes", "reason"),
    [
        ({"BTC": []}, 'ui.sizes: "BTC": give 1 to 9 sizes'),
        ({"BTC": [0.1, 0.1]}, '"BTC": a size is listed twice'),
        ({"BTC": [0.1, -1]}, "ui.sizes.BTC.1: Input should be greater than 0"),
        ({"BTC": [0.1, "1e999"]}, "ui.sizes.BTC.1"),
        ({"BTC": list(range(1, 11))}, "give 1 to 9 sizes"),
    ],
)
def test_the_config_model_refuses_a_bad_list_in_one_line(sizes, reason):
    with pytest.raises(ConfigError) as caught:
        load_settings(ui={"sizes": sizes})
    assert reason in str(caught.value), str(caught.value)


def test_a_size_off_the_order_step_or_under_it_is_refused_naming_the_key():
    settings = load_settings(ui={"sizes": {"BTC": [0.00015, 0.00005, 0.5], "ETH": [0.5]}})
    assert problems(settings, [BTC, ETH, BTCUSDT]) == [  # both are whole steps of BTCUSDT
        'ui.sizes."BTC": 0.00015 is not a multiple of SIM-BTC/USD\'s order step 0.0001',
        'ui.sizes."BTC": 0.00005 is under SIM-BTC/USD\'s smallest order 0.0001',
    ]
    with pytest.raises(ConfigError, match="order step"):
        require_valid(settings, [BTC])
    require_valid(load_settings(ui={"sizes": {"BTC": [0.0001, 2]}}), [BTC, BTCUSDT])
    with pytest.raises(ConfigError, match="BTC/USDT's order step 0.00001"):
        require_valid(load_settings(ui={"sizes": {"BTC": [0.000015]}}), [BTCUSDT])
