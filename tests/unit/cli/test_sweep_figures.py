"""A sweep's report reads as a trader writes numbers: fixed point, grouped, never 1e-07."""

import argparse
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tradeterm.cli.sweep_figures import figure, parameter
from tradeterm.cli.sweep_report import run_sweep_report

EXPONENT = re.compile(r"\d[eE][+-]?\d")


@pytest.mark.parametrize(
    "column, value, currency, text",
    [
        ("pnl", 1e-07, "USDT", "0.0000001"),
        ("pnl", -1.2e-05, "USDT", "-0.000012"),
        ("pnl", 1.23456789e-05, "USDT", "0.0000123"),
        ("pnl", -1234.5678, "USDT", "-1,234.57"),
        ("pnl", 0.1 + 0.2, "USDT", "0.30"),
        ("pnl", 0.0, "USDT", "0.00"),
        ("fees", 1.23456789e-05, "BTC", "0.00001235"),
        ("fees", 1.2e-09, "BTC", "0.0000000012"),
        ("max_inventory_value", 2500000.0, "USD", "2,500,000.00"),
        ("fills", 12345, "USDT", "12,345"),
        ("sharpe", 1.23456, "USDT", "1.23"),
        ("markout_1s_bps", -3.2e-05, "USDT", "-0.000032"),
        ("run_s", 1234.5, "USDT", "1,234.50"),
        ("sortino", None, "USDT", "-"),
        ("sortino", float("nan"), "USDT", "-"),
        ("currency", "USDT", "USDT", "USDT"),
    ],
)
def test_a_figure_is_plain_and_grouped(column, value, currency, text):
    assert figure(column, value, currency) == text


@pytest.mark.parametrize(
    "value, text", [(1e-05, "0.00001"), (0.05, "0.05"), (40.0, "40.0"), ("queue", "queue")]
)
def test_a_parameter_keeps_every_digit_in_plain_form(value, text):
    assert parameter(value) == text


def test_the_report_table_and_heatmap_have_no_exponents(tmp_path, capsys):
    rows = [
        {
            "quoter.gamma": gamma,
            "paper.latency_ms": latency,
            "recording": "r.ttj",
            "currency": "USDT",
            "pnl": pnl,
            "fees": 2e-06,
            "max_drawdown": 1.5e-05,
            "fills": 1200,
            "orders": 3400,
            "markout_1s_bps": -4e-05,
        }
        for gamma, latency, pnl in (
            (1e-05, 0.0, 1e-07),
            (1e-05, 40.0, -1.2e-05),
            (0.2, 0.0, 3.0e-06),
            (0.2, 40.0, 1234567.891),
        )
    ]
    path = tmp_path / "sweep.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    args = argparse.Namespace(
        recording=path, metric="pnl", x=None, y=None, top=10, json=False, no_charts=True
    )
    assert run_sweep_report(args) == 0
    out = capsys.readouterr().out
    assert not EXPONENT.search(out), out
    for text in ("0.0000001", "-0.000012", "1,234,567.89", "0.00001", "1,200", "3,400"):
        assert text in out, (text, out)
