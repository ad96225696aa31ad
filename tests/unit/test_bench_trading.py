"""The trading bench figures run (quick mode) and report a value beside a same-run reference.
Speed is measured by `tradeterm bench`, never asserted here."""

from tradeterm import bench
from tradeterm.bench.registry import REGISTRY
from tradeterm.bench.trading import loop_time_durable_p99, pretrade_check, submit_ack_p99


def test_trading_figures_are_registered():
    assert "tradeterm.bench.trading" in bench.MODULES
    assert REGISTRY["risk.pretrade_check"] is pretrade_check
    assert REGISTRY["order.submit_ack_p99"] is submit_ack_p99
    assert REGISTRY["order.loop_time_durable_p99"] is loop_time_durable_p99


def test_pretrade_check_figure():
    figure = pretrade_check(True)
    assert figure.name == "risk.pretrade_check" and figure.unit == "µs/order"
    assert figure.value > 0 and figure.reference_value > 0 and figure.ratio is not None
    assert "14" in figure.reference and not figure.higher_is_better


def test_submit_ack_figure():
    figure = submit_ack_p99(True)
    assert figure.name == "order.submit_ack_p99" and figure.unit == "µs"
    assert figure.value > 0 and figure.reference_value > 0
    assert "synchronous=FULL" in figure.note and "in-memory" in figure.note
    assert figure.to_json()["target"].startswith("<= 100")


def test_loop_time_figure():
    figure = loop_time_durable_p99(True)
    assert figure.name == "order.loop_time_durable_p99" and figure.unit == "µs"
    assert figure.value > 0 and figure.reference_value > 0 and not figure.higher_is_better
    assert "thread" in figure.note and "inline" in figure.note and "ack" in figure.note
