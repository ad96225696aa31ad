"""`tradeterm backtest --ray local`: the same cells on a local Ray instance give the same rows
as the process pool (Ray is optional: pip install 'tradeterm[ray]'; starting it takes ~20 s)."""

import pytest

from tests.integration.test_backtest_cli import GRID, SAMPLE, rows, sweep, tradeterm

pytest.importorskip("ray")


@pytest.mark.slow
def test_ray_gives_the_rows_of_the_process_pool(tmp_path):
    pool = tmp_path / "pool.parquet"
    sweep(pool, 2, tmp_path)
    on_ray = tmp_path / "ray.parquet"
    run = tradeterm(
        "backtest", SAMPLE, *GRID, "--ray", "local", "-o", on_ray, tmp_path=tmp_path, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "to run on Ray (local)" in run.stderr
    assert rows(on_ray) == rows(pool)
