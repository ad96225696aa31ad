"""How a sweep scales with cores (issue 17): the same cells of ``tradeterm backtest`` on two
workers beside one, in the same run, through the command itself (its process pool, spawn start
of the workers included, as a user runs it). The cells are ``replay --paper --quoter`` runs of
the shipped recording over a grid of ``quoter.gamma``; both runs must give the same rows."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from tradeterm.bench.child import TRADETERM, ChildRun, run_child
from tradeterm.bench.registry import Figure, benchmark

SHIPPED = Path(__file__).resolve().parents[3] / "recordings"
RECORDING = SHIPPED / "binance-spot-btcusdt-ethusdt-20240808.ttj"
GAMMAS = ("0.02", "0.04", "0.06", "0.08", "0.1", "0.12", "0.15", "0.2")
RATE = re.compile(r"(\d+) cell\(s\) in ([\d.]+)s")


def _sweep(home: Path, workers: int, gammas: tuple[str, ...], seconds: str) -> tuple[float, Path]:
    """cells/s of one sweep as the command reports it (cells over its wall time), its table."""
    out = home / f"workers-{workers}.parquet"
    args = ["backtest", str(RECORDING), "--grid"]
    args += ["quoter.gamma=" + ",".join(gammas), "--workers", str(workers), "-o", str(out)]
    if seconds:
        args += ["--seconds", seconds]
    run: ChildRun = run_child(TRADETERM, args, home)
    found = RATE.search(run.stderr)
    if found is None or int(found.group(1)) != len(gammas):
        raise RuntimeError(f"backtest said: {run.stderr.strip()[-300:]}")
    return int(found.group(1)) / float(found.group(2)), out


def _rows(path: Path) -> list[dict[str, object]]:
    import pyarrow.parquet as pq

    return [
        {k: v for k, v in row.items() if k != "run_s"} for row in pq.read_table(path).to_pylist()
    ]


@benchmark("backtest.scaling")
def backtest_scaling(quick: bool = False) -> Figure:
    if not RECORDING.is_file():
        raise FileNotFoundError(f"the shipped recording {RECORDING} not found (a clone has it)")
    gammas, seconds = (GAMMAS[:4], "45") if quick else (GAMMAS, "")
    with tempfile.TemporaryDirectory(prefix="tradeterm-bench-") as tmp:
        home = Path(tmp)
        one, one_rows = _sweep(home, 1, gammas, seconds)
        two, two_rows = _sweep(home, 2, gammas, seconds)
        if _rows(one_rows) != _rows(two_rows):
            raise RuntimeError("backtest: 2 workers gave other rows than 1 on the same cells")
    length = f"its first {seconds} s" if seconds else "the whole recording"
    return Figure(
        "backtest.scaling",
        two,
        "cells/s",
        "the same cells on 1 worker (--workers 1), same run",
        one,
        target="ratio >= 1.7 on two idle cores",
        note=(
            f"tradeterm backtest --workers 2 vs 1: {len(gammas)} cells (quoter.gamma grid x the "
            f"shipped recording, {length}); wall time of the command's sweep, the pool's spawn "
            f"included; the two runs' rows checked identical; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (a loaded machine lowers the ratio)"
        ),
    )
