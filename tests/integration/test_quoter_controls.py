"""The engine's quoter controls as the workstation uses them: a parameter the symbol overrides
is changed in its override (not silently shadowed), every change is all-or-nothing with a
readable reason, the view carries the parameters in force, and switching on is refused while
trading is HALTED."""

import asyncio
from decimal import Decimal

import pytest

from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions

BTC, ETH = "sim:SIM-BTC/USD", "sim:SIM-ETH/USD"


def session(**quoter) -> Kernel:
    settings = load_settings(sim={"seed": 4}, quoter=quoter)
    kernel = Kernel(settings, RunOptions(fast=True, seconds=2, quoter="glft", record=False))
    asyncio.run(kernel.run())
    return kernel


def test_an_overridden_parameter_is_changed_in_its_override():
    kernel = session(per_symbol={"SIM-BTC/USD": {"gamma": 0.3, "order_size": "0.0004"}})
    btc, eth = kernel.quoters[BTC], kernel.quoters[ETH]
    assert btc.view.params["gamma"] == 0.3 and btc.view.params["order_size"] == Decimal("0.0004")
    assert eth.view.params["gamma"] == 0.05 and eth.view.params["order_size"] is None
    kernel.update_quoter(BTC, gamma=0.7, levels=3)
    assert btc.setup.params.gamma == 0.7 and btc.view.gamma == 0.7
    assert btc.view.params["gamma"] == 0.7 and btc.view.params["levels"] == 3
    assert btc.setup.config.per_symbol["SIM-BTC/USD"].order_size == Decimal("0.0004")  # kept
    kernel.update_quoter(None, gamma=0.2)  # all: ETH's top level, BTC's override
    assert btc.setup.params.gamma == 0.2 and eth.setup.params.gamma == 0.2


def test_bad_values_change_nothing_and_say_why():
    kernel = session()
    btc, eth = kernel.quoters[BTC], kernel.quoters[ETH]
    before = (btc.setup.config, eth.setup.config)
    with pytest.raises(ValueError, match=r"^gamma: Input should be greater than 0$"):
        kernel.update_quoter(BTC, gamma=0)
    with pytest.raises(ValueError, match="max_spread_ticks: must be >= min_spread_ticks"):
        kernel.update_quoter(BTC, min_spread_ticks=5, max_spread_ticks=3)
    with pytest.raises(ValueError, match="order_size: 0.00015 is not a multiple of the lot"):
        kernel.update_quoter(None, order_size=Decimal("0.00015"))
    assert (btc.setup.config, eth.setup.config) == before


def test_switching_on_while_halted_is_refused():
    kernel = session()
    kernel.desk.killswitch.persist = None  # the run is over and its store closed
    kernel.trip_kill_switch("test")
    with pytest.raises(ValueError, match="HALTED .*re-arm"):
        kernel.set_quoter(True, BTC)
    assert not kernel.quoters[BTC].enabled
    assert kernel.set_quoter(False, BTC) == 1  # off is always allowed
    with pytest.raises(ValueError, match="no quoter for"):
        kernel.set_quoter(False, "SIM-XRP/USD")
