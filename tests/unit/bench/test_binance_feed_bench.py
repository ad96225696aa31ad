import importlib

import pytest

from tradeterm.bench import MODULES
from tradeterm.bench.binance_feed import find_capture
from tradeterm.bench.registry import REGISTRY


@pytest.mark.skipif(find_capture() is None, reason="shared market data not present")
def test_the_feed_figure_runs_on_the_real_capture():
    for name in MODULES:
        importlib.import_module(name)
    figure = REGISTRY["binance_feed.messages"](True)
    assert figure.unit == "msg/s" and figure.value > 0 and figure.reference_value > 0
    assert figure.ratio is not None and "real BTCUSDT frames" in figure.note
