"""``tradeterm bench --json --quick``: the JSON document's shape (never its timings)."""

import json
import os
import subprocess
import sys

import pytest

from tradeterm.bench.book_bench import find_capture

KEYS = {"name", "value", "unit", "reference", "reference_value", "ratio"}


def _have_capture() -> bool:
    try:
        find_capture()
    except FileNotFoundError:
        return False
    return True


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """``bench --json --quick``, once: (its process, the figures by name). The user's data dir
    is never written (not even created)."""
    user_data = tmp_path_factory.mktemp("bench") / "user-data"
    out = subprocess.run(
        [sys.executable, "-m", "tradeterm", "bench", "--json", "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, TRADETERM_DATA_DIR=str(user_data)),
    )
    assert out.returncode == 0, out.stderr
    assert not user_data.exists()
    return out, {row["name"]: row for row in json.loads(out.stdout)["benchmarks"]}


def test_bench_json_quick_has_the_documented_shape(quick_run):
    out, _ = quick_run
    doc = json.loads(out.stdout)
    assert list(doc) == ["benchmarks"]
    names = [row["name"] for row in doc["benchmarks"]]
    assert {"matching.mixed_ops", "backtest.scaling", "export.peak_rss"} <= set(names)
    if _have_capture():  # a clone without the shared data skips the figures on it, saying why
        assert "book.l2_apply_real" in names  # other steps add more
    else:
        assert "book.l2_apply_real skipped: " in out.stderr
    assert len(names) == len(set(names))
    for row in doc["benchmarks"]:
        assert KEYS <= set(row)
        assert isinstance(row["value"], float) and row["value"] > 0
        assert isinstance(row["reference"], str) and row["reference"]
        # ratio 1.0 means "as good as the reference": value/ref for rates, ref/value for costs
        expected = (
            row["value"] / row["reference_value"]
            if row["better"] == "higher"
            else row["reference_value"] / row["value"]
        )
        assert row["ratio"] == pytest.approx(expected)


def test_bench_only_and_unknown_names():
    out = subprocess.run(
        [sys.executable, "-m", "tradeterm", "bench", "--quick", "--only", "matching"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0 and "matching.mixed_ops" in out.stdout
    assert "book.l2_apply_real" not in out.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "tradeterm", "bench", "--only", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "available:" in bad.stderr and "matching.mixed_ops" in bad.stderr


def test_backtest_scaling_is_two_workers_beside_one_on_the_same_cells(quick_run):
    row = quick_run[1]["backtest.scaling"]
    assert (row["unit"], row["better"]) == ("cells/s", "higher")
    assert "1 worker" in row["reference"] and row["reference_value"] > 0
    assert "4 cells" in row["note"] and "rows checked identical" in row["note"]


def test_export_peak_rss_is_beside_a_decode_only_pass(quick_run):
    row = quick_run[1]["export.peak_rss"]
    assert (row["unit"], row["better"]) == ("MB", "lower")
    assert "decode-only" in row["reference"]
    # both are whole processes with pyarrow loaded: tens of MB, not bytes or gigabytes
    assert 30 < row["reference_value"] < 1000 and 30 < row["value"] < 1000
    assert "records" in row["note"]


def test_a_figure_whose_data_is_missing_is_skipped_and_the_rest_run(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tradeterm", "bench", "--quick"]
        + ["--only", "matching.mixed_ops,book.l2_apply_real"],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, TRADETERM_SHARED_DATA=str(tmp_path)),  # an empty folder
    )
    assert out.returncode == 0, out.stderr
    assert "book.l2_apply_real skipped: binance-spot-btcusdt-20240808.gz not found" in out.stderr
    assert "matching.mixed_ops" in out.stdout and "book.l2_apply_real" not in out.stdout
    none = subprocess.run(
        [sys.executable, "-m", "tradeterm", "bench", "--quick", "--only", "book.l2_apply_real"],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, TRADETERM_SHARED_DATA=str(tmp_path)),
    )
    assert none.returncode == 2 and "no figure could run (1 skipped" in none.stderr
