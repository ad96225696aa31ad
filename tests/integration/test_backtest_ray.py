"""The sweep's cells on a local Ray instance give the rows of the process pool (same seed).

Ray is in the test extras (``tradeterm[test]``); a clone without it skips. Starting a local Ray
instance costs ~9 s here and its shutdown ~1.5 s, so the default suite starts one, for two short
cells; the full ``--ray local`` command (Ray on every core, the 2x2 grid) is a slow test."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.integration.test_backtest_cli import GRID, SAMPLE, rows, sweep, tradeterm
from tradeterm.cli import sweep_ray
from tradeterm.cli.sweep_grid import parse_axis, plan
from tradeterm.cli.sweep_pool import outcomes
from tradeterm.cli.sweep_ray import local_ray as start_local_ray
from tradeterm.cli.sweep_ray import ray_outcomes

ray = pytest.importorskip("ray")


def _sessions_of(pid):
    """The Ray sessions a driver of this pid left in Ray's default place."""
    return list(Path("/tmp/ray").glob(f"session_*_{pid}"))


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray started as ``--ray local`` starts it; it leaves no session anywhere."""
    homes = []
    real = sweep_ray.ray_temp_dir

    def noted():
        homes.append(real())
        return homes[-1]

    sweep_ray.ray_temp_dir = noted
    try:
        with start_local_ray(num_cpus=2, logging_level="ERROR") as started:
            assert len(homes) == 1 and list(Path(homes[0]).glob("session_*"))
            yield started
    finally:
        sweep_ray.ray_temp_dir = real
    assert not ray.is_initialized()
    assert not os.path.exists(homes[0]) and not _sessions_of(os.getpid())


def _by_cell(ends):
    """The rows by cell id, without the wall-clock ``run_s``; a failed cell fails the test."""
    table = {}
    for cell, row in ends:
        assert not isinstance(row, BaseException), f"cell {cell} failed: {row!r}"
        table[cell.id] = {k: v for k, v in row.items() if k != "run_s"}
    return table


def test_a_local_ray_gives_the_rows_of_the_process_pool(local_ray):
    # 45 s: the quoter warms up for ~30 s of the recording before it quotes
    cells = plan([parse_axis("quoter.gamma=0.05,0.2")], [str(SAMPLE)], None, 1, 45.0)
    pool = _by_cell(outcomes(cells, 2, None))
    on_ray = _by_cell(ray_outcomes(cells, "local", None))
    assert local_ray.is_initialized()  # a Ray it did not start is left running for its owner
    assert len(pool) == 2 and on_ray == pool
    assert pool[cells[0].id]["pnl_exact"] != pool[cells[1].id]["pnl_exact"]
    assert all(row["fills"] > 0 for row in pool.values())


def test_a_local_rays_temp_dir_leaves_room_for_its_sockets(monkeypatch):
    long = "/" + "x" * 120
    monkeypatch.setattr(tempfile, "gettempdir", lambda: long)
    monkeypatch.setattr(tempfile, "mkdtemp", lambda prefix, dir: f"{dir}/{prefix}12345678")
    home = sweep_ray.ray_temp_dir()
    assert home == "/tmp/tradeterm-ray-12345678"
    socket = f"{home}/session_2026-12-07_03-04-57_123456_4194304/sockets/plasma_store.99"
    assert len(socket) <= 107


@pytest.mark.slow
def test_backtest_ray_local_gives_the_rows_of_the_process_pool(tmp_path):
    pool = tmp_path / "pool.parquet"
    sweep(pool, 2, tmp_path)
    on_ray = tmp_path / "ray.parquet"
    temp = tempfile.mkdtemp(prefix="t", dir="/tmp")  # short: Ray's sockets go under it
    try:
        run = tradeterm(
            "backtest",
            SAMPLE,
            *GRID,
            "--ray",
            "local",
            "-o",
            on_ray,
            tmp_path=tmp_path,
            timeout=300,
            TMPDIR=temp,
        )
        left = os.listdir(temp)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    assert run.returncode == 0, run.stderr
    assert "to run on Ray (local)" in run.stderr
    assert left == []  # Ray's session was in a dir of its own, removed at the end
    assert rows(on_ray) == rows(pool)
