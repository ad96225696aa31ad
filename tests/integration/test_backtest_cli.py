"""`tradeterm backtest`: a 2x2 sweep over the shipped recording gives the same rows on one
worker and on two, resumes without redoing finished cells, and `tradeterm report` ranks it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

SAMPLE = Path(__file__).parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
GRID = ["--grid", "quoter.gamma=0.05,0.2", "--grid", "paper.latency_ms=0,40", "--seconds", "45"]


def tradeterm(*args, tmp_path, timeout=180, **env_vars):
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path / "data"), **env_vars)
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def sweep(out, workers, tmp_path):
    run = tradeterm("backtest", SAMPLE, *GRID, "--workers", workers, "-o", out, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    return run


def rows(path):
    return [{k: v for k, v in r.items() if k != "run_s"} for r in pq.read_table(path).to_pylist()]


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sweep")
    out = tmp / "one.parquet"
    return out, sweep(out, 1, tmp), tmp


def test_a_grid_gives_a_row_per_cell_with_the_figures(one_worker):
    out, run, _ = one_worker
    table = rows(out)
    assert len(table) == 4 and "4 to run on 1 worker" in run.stderr
    assert [(r["quoter.gamma"], r["paper.latency_ms"]) for r in table] == [
        (0.05, 0.0),
        (0.05, 40.0),
        (0.2, 0.0),
        (0.2, 40.0),
    ]
    assert all(r["recording"] == str(SAMPLE) and r["seed"] == 1 for r in table)
    assert all(r["fills"] > 0 and r["orders"] >= r["fills"] for r in table)
    assert all(r["max_inventory_value"] > 0 and r["fees"] > 0 for r in table)
    assert all(r["markout_1s_bps"] is not None for r in table)
    assert len({r["pnl_exact"] for r in table}) > 1  # the parameters change the outcome
    assert pq.read_table(out).column("run_s").to_pylist()[0] > 0


def test_two_workers_give_identical_rows(one_worker):
    out, _, tmp = one_worker
    two = tmp / "two.parquet"
    run = sweep(two, 2, tmp)
    assert "on 2 worker(s)" in run.stderr
    assert rows(two) == rows(out)


def test_a_rerun_skips_finished_cells(one_worker):
    out, _, tmp = one_worker
    before = rows(out)
    cells = sorted(out.with_name("one.cells").glob("*.parquet"))
    assert len(cells) == 4
    cells[0].unlink()  # as if the sweep had been killed before that cell ended
    run = sweep(out, 1, tmp)
    assert "3 cell(s) already done" in run.stderr and "1 to run" in run.stderr
    assert rows(out) == before
    again = sweep(out, 1, tmp)
    assert "0 to run" in again.stderr and rows(out) == before


def test_report_ranks_the_cells_and_maps_a_metric(one_worker):
    out, _, tmp = one_worker
    run = tradeterm("report", out, "--json", "--metric", "pnl", tmp_path=tmp)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    pnls = [r["pnl"] for r in report["ranked"]]
    assert pnls == sorted(pnls, reverse=True) and len(pnls) == 4
    heat = report["heatmap"]
    assert (heat["x_param"], heat["y_param"]) == ("quoter.gamma", "paper.latency_ms")
    assert heat["x"] == [0.05, 0.2] and heat["y"] == [0.0, 40.0]
    by_cell = {(r["quoter.gamma"], r["paper.latency_ms"]): r["pnl"] for r in report["ranked"]}
    assert heat["z"][1][0] == by_cell[(0.05, 40.0)]
    text = tradeterm("report", out, "--no-charts", tmp_path=tmp)
    assert text.returncode == 0 and "Best 4 of 4 cells by pnl" in text.stdout


@pytest.mark.parametrize(
    "grid, phrase",
    [
        ("quoter.gama=0.1", "[quoter] has no key 'gama'"),
        ("risk.max_orders=3", "must be quoter.<key> or paper.<key>"),
        ("quoter.gamma=50", "--grid quoter.gamma=50: Input should be less than or equal to 10"),
        ("quoter.gamma=0.01..0.2", "a range lo..hi needs --random N"),
    ],
)
def test_a_bad_grid_is_refused_in_one_line(tmp_path, grid, phrase):
    run = tradeterm(
        "backtest", SAMPLE, "--grid", grid, "-o", tmp_path / "x.parquet", tmp_path=tmp_path
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1 and phrase in run.stderr, run.stderr
    assert not (tmp_path / "x.cells").exists()


def test_a_hive_tree_of_recordings_gives_each_row_its_folders(tmp_path):
    """A directory of recordings laid out as a hive tree (``venue=/date=`` folders): every
    recording under it is a cell, and its row holds the folders' values to group by."""
    tree = tmp_path / "recordings"
    for day in ("2024-08-08", "2024-08-09"):
        folder = tree / "venue=binance" / f"date={day}"
        folder.mkdir(parents=True)
        shutil.copy(SAMPLE, folder / SAMPLE.name)
    out = tmp_path / "hive.parquet"
    args = ["--grid", "quoter.gamma=0.1", "--seconds", "5", "--workers", "1", "-o", out]
    run = tradeterm("backtest", tree, *args, tmp_path=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "2 cells (1 parameter points x 2 recordings)" in run.stderr
    table = rows(out)
    assert [(r["recording.venue"], r["recording.date"]) for r in table] == [
        ("binance", "2024-08-08"),
        ("binance", "2024-08-09"),
    ]
    same = [{k: v for k, v in r.items() if not k.startswith(("recording", "cell"))} for r in table]
    assert same[0] == same[1] and same[0]["records"] > 0  # two copies of one recording
    report = tradeterm("report", out, "--json", tmp_path=tmp_path)
    assert report.returncode == 0 and len(json.loads(report.stdout)["ranked"]) == 2


def test_a_damaged_recording_is_refused_before_any_cell_runs(tmp_path):
    """A sweep over a recording with a damaged block wrote a row from the records before the
    damage (32,768 of 74,864) and said nothing: a cell's figures from part of a recording, as if
    from all of it. It is refused in one line, as ``replay`` refuses it; ``--skip-damaged``
    sweeps the rest and says what was lost."""
    damaged = tmp_path / "damaged.ttj"
    data = bytearray(SAMPLE.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 5000] = bytes(5000)
    damaged.write_bytes(bytes(data))
    out = tmp_path / "d.parquet"
    args = ["--grid", "quoter.gamma=0.1", "--seconds", "400", "--workers", "1", "-o", out]
    run = tradeterm("backtest", damaged, *args, tmp_path=tmp_path)
    assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
    assert "is damaged" in run.stderr and "backtest with --skip-damaged" in run.stderr
    assert not out.exists() and not (tmp_path / "d.cells").exists()

    skipped = tradeterm("backtest", damaged, *args, "--skip-damaged", tmp_path=tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    assert "records lost" in skipped.stderr
    [row] = rows(out)
    assert 32_768 < row["records"] < 74_864  # the blocks after the damage were replayed too

    cut = tmp_path / "cut.ttj"  # a recording cut inside its first block: nothing to replay
    cut.write_bytes(SAMPLE.read_bytes()[:300_000])
    run = tradeterm("backtest", cut, *args, tmp_path=tmp_path)
    assert run.returncode == 2 and "holds no records to replay" in run.stderr, run.stderr
    assert run.stderr.count("\n") == 2  # the cut tail's warning, then the refusal


@pytest.mark.parametrize(
    "config, phrase",
    [
        ("[paper]\nlatency_ms = -5\n", "paper.latency_ms: Input should be greater than or equal"),
        (None, "does not exist"),
    ],
)
def test_a_bad_config_is_refused_before_any_cell_runs(tmp_path, config, phrase):
    """A broken or missing --config was read by each cell: every cell of the sweep failed
    with the same error (a line each, a thousand on a big grid) and the sweep wrote no row."""
    path = tmp_path / "sweep.toml"
    if config is not None:
        path.write_text(config)
    out = tmp_path / "c.parquet"
    grid = ["--grid", "quoter.gamma=0.1,0.2", "--seconds", "5", "--workers", "1"]
    run = tradeterm("backtest", SAMPLE, *grid, "--config", path, "-o", out, tmp_path=tmp_path)
    assert run.returncode == 2 and phrase in run.stderr, run.stderr
    assert "cell" not in run.stderr and not (tmp_path / "c.cells").exists()
