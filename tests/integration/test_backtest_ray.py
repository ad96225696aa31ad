"""The sweep's cells on a local Ray instance give the rows of the process pool (same seed).

Ray is in the test extras (``tradeterm[test]``); a clone without it skips. Starting a local Ray
instance costs ~9 s here and its shutdown ~1.5 s, so the default suite starts one, for two short
cells; the full ``--ray local`` command (Ray on every core, the 2x2 grid) is a slow test."""

import pytest

from tests.integration.test_backtest_cli import GRID, SAMPLE, rows, sweep, tradeterm
from tradeterm.cli.sweep_grid import parse_axis, plan
from tradeterm.cli.sweep_pool import outcomes
from tradeterm.cli.sweep_ray import ray_outcomes

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield ray
    finally:
        ray.shutdown()
    assert not ray.is_initialized()


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


@pytest.mark.slow
def test_backtest_ray_local_gives_the_rows_of_the_process_pool(tmp_path):
    pool = tmp_path / "pool.parquet"
    sweep(pool, 2, tmp_path)
    on_ray = tmp_path / "ray.parquet"
    run = tradeterm(
        "backtest", SAMPLE, *GRID, "--ray", "local", "-o", on_ray, tmp_path=tmp_path, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "to run on Ray (local)" in run.stderr
    assert rows(on_ray) == rows(pool)
