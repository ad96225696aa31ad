"""``tradeterm bench --json --quick``: the JSON document's shape (never its timings)."""

import json
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


def test_bench_json_quick_has_the_documented_shape():
    out = subprocess.run(
        [sys.executable, "-m", "tradeterm", "bench", "--json", "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode == 2 and "not found" in out.stderr and not _have_capture():
        pytest.skip("shared market data not present")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert list(doc) == ["benchmarks"]
    names = [row["name"] for row in doc["benchmarks"]]
    assert {"matching.mixed_ops", "book.l2_apply_real"} <= set(names)  # other steps add more
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
