"""Tests that need the shared Binance capture skip in a clone without it (issue 12, "Also"):
``TRADETERM_SHARED_DATA`` names the folder (and only it); else ``../shared/data`` is searched
beside the repository."""

import subprocess
import sys
from pathlib import Path

from tradeterm.bench.shared_data import CAPTURE, find_shared

FEED_BENCH_TEST = Path(__file__).with_name("test_binance_feed_bench.py")


def test_the_feed_bench_test_skips_without_the_capture(tmp_path):
    env = {"TRADETERM_SHARED_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "-q",
            str(FEED_BENCH_TEST),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).parents[3],
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "1 skipped" in out.stdout and "passed" not in out.stdout, out.stdout[-2000:]


def test_the_environment_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADETERM_SHARED_DATA", str(tmp_path))
    assert find_shared(CAPTURE) is None
    (tmp_path / CAPTURE).write_bytes(b"")
    assert find_shared(CAPTURE) == tmp_path / CAPTURE
