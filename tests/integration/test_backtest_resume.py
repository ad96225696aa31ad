"""A sweep killed while it runs (SIGKILL: a crash; SIGINT: Ctrl-C) keeps the cells it finished,
and the same command reruns only the others: the finished cells' files are not rewritten."""

import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from tests.integration.test_backtest_cli import SAMPLE, rows

# twelve cells: the sweep cannot finish them all between its first cell landing and the signal,
# even when a loaded machine hands the parent several results at once (CI once saw four cells
# land within 4 ms, all of a four-cell sweep, before its Ctrl-C)
GAMMAS = "0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.1,0.12,0.15,0.2,0.25"
N = len(GAMMAS.split(","))
ARGS = [str(SAMPLE), "--grid", f"quoter.gamma={GAMMAS}", "--seconds", "30"]


def _backtest(out, workers, tmp_path):
    return subprocess.Popen(
        [sys.executable, "-m", "tradeterm", "backtest", *ARGS, "--workers", str(workers)]
        + ["-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path / "data")),
    )


def _first_cells(folder, proc, timeout=120):
    """Wait until the sweep has written its first finished cell (or ended: a failure)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if folder.is_dir() and any(folder.glob("*.parquet")):
            return
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.01)
    pytest.fail("no cell finished in time")


@pytest.mark.parametrize(
    "how, workers, code", [("SIGKILL", 1, -signal.SIGKILL), ("SIGINT", 2, 130)]
)
def test_a_killed_sweep_reruns_only_the_cells_it_had_not_finished(tmp_path, how, workers, code):
    out = tmp_path / "sweep.parquet"
    folder = tmp_path / "sweep.cells"
    proc = _backtest(out, workers, tmp_path)
    _first_cells(folder, proc)
    proc.send_signal(getattr(signal, how))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    if how == "SIGINT":
        assert "interrupted:" in err and "the same command runs the rest" in err
    assert not out.exists()  # the sweep never reached its merge
    kept = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.parquet")}
    assert 1 <= len(kept) < N, err

    rerun = _backtest(out, workers, tmp_path)
    _, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err
    assert f"{len(kept)} cell(s) already done, skipped" in err
    assert f"{N} cells ({N} parameter points x 1 recordings), {N - len(kept)} to run" in err
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.parquet") if p.name in kept} == (
        kept
    )  # not redone
    table = rows(out)
    assert [r["quoter.gamma"] for r in table] == [float(g) for g in GAMMAS.split(",")]
    assert pq.read_table(out).num_rows == N and not list(folder.glob("*.partial"))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the one dropped
def test_a_ctrl_c_that_lands_in_a_finalizer_still_stops_the_sweep(tmp_path, monkeypatch, capsys):
    """Python drops an exception raised in a ``__del__``: a Ctrl-C whose KeyboardInterrupt
    landed in pyarrow's ParquetWriter finalizer (as a cell's row was written) was lost, and the
    sweep ran every cell to the end (seen once in a full test run: exit 0, not 130). Here the
    Ctrl-C arrives at that moment every time."""
    from tradeterm.cli.main import main

    finalize = pq.ParquetWriter.__del__

    def ctrl_c_meanwhile(writer):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)  # the handler runs here, inside the finalizer
        finalize(writer)

    monkeypatch.setattr(pq.ParquetWriter, "__del__", ctrl_c_meanwhile)
    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "sweep.parquet"
    grid = ["--grid", "quoter.gamma=0.02,0.05,0.1", "--seconds", "5", "--workers", "1"]
    code = main(["backtest", str(SAMPLE), *grid, "-o", str(out)])
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert code == 130, err
    assert "interrupted: 1 of 3 cells done" in err
    assert len(list((tmp_path / "sweep.cells").glob("*.parquet"))) == 1 and not out.exists()
