"""bench record.keyframe_overhead (quick sizes): what keyframes add to a recording's size, a
size and so deterministic: under the issue's 10% and under full keyframes only."""

from tradeterm.bench import MODULES
from tradeterm.bench import keyframe_bench as bench
from tradeterm.bench.registry import REGISTRY


def test_keyframe_overhead_is_reported_under_ten_percent():
    assert "tradeterm.bench.keyframe_bench" in MODULES
    assert REGISTRY["record.keyframe_overhead"] is bench.keyframe_overhead
    figure = bench.keyframe_overhead(True)
    assert figure.unit == "%" and figure.reference_value is not None
    assert 0 < figure.value < 10 < figure.reference_value
    assert "deep-book recording" in figure.note and "Binance side file" in figure.note
