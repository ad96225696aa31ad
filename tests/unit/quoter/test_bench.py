"""The quoter's benchmark figures run (quick sizes) and measure what they say."""

from tradeterm.bench import MODULES
from tradeterm.bench.quoter import requote_rate, study_rate


def test_quoter_figures_are_registered_and_run():
    assert "tradeterm.bench.quoter" in MODULES
    for fn in (requote_rate, study_rate):
        figure = fn(True)
        assert figure.value > 0 and figure.reference_value > 0 and figure.ratio > 0
        assert figure.reference  # always measured beside a named reference
