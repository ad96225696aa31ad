"""The cells of a sweep: grid order, seeded random points, ranges, ids, values as given."""

from decimal import Decimal

import pytest

from tradeterm.cli.errors import UsageError
from tradeterm.cli.sweep_grid import parse_axis, plan
from tradeterm.cli.sweep_report import grid, ranked
from tradeterm.config import load_settings


def axes(*texts):
    return [parse_axis(t) for t in texts]


def test_a_grid_is_the_product_parameters_outer_recordings_inner():
    cells = plan(
        axes("quoter.gamma=0.05,0.1", "paper.fill_model=queue,touch"), ["a", "b"], None, 1, 9
    )
    assert len(cells) == 8 and len({c.id for c in cells}) == 8
    assert [c.recording for c in cells[:2]] == ["a", "b"]
    assert cells[0].params == (("quoter.gamma", "0.05"), ("paper.fill_model", "queue"))
    assert cells[0].values() == (("quoter.gamma", 0.05), ("paper.fill_model", "queue"))
    again = plan(
        axes("quoter.gamma=0.05,0.1", "paper.fill_model=queue,touch"), ["a", "b"], None, 1, 9
    )
    assert [c.id for c in again] == [c.id for c in cells]  # a rerun finds the same cells
    other_seed = plan(axes("quoter.gamma=0.05"), ["a"], None, 2, 9)
    assert other_seed[0].id != cells[0].id


def test_a_decimal_key_reaches_the_settings_exactly():
    [cell] = plan(axes("quoter.order_size=0.001"), ["a"], None, 1, None)
    settings = load_settings(None, **cell.overrides())
    assert settings.quoter.order_size == Decimal("0.001")


def test_random_points_are_seeded_and_within_their_range():
    spec = axes("quoter.gamma=0.01..0.2", "paper.latency_ms=0,20,50")
    one = plan(spec, ["a"], 5, 7, None)
    assert [c.params for c in one] == [c.params for c in plan(spec, ["a"], 5, 7, None)]
    assert [c.params for c in one] != [c.params for c in plan(spec, ["a"], 5, 8, None)]
    for cell in one:
        values = dict(cell.values())
        assert 0.01 <= values["quoter.gamma"] <= 0.2
        assert values["paper.latency_ms"] in (0.0, 20.0, 50.0)


def test_a_bad_combination_is_refused_before_anything_runs():
    with pytest.raises(UsageError, match="max_spread_ticks"):
        plan(axes("quoter.min_spread_ticks=5", "quoter.max_spread_ticks=2"), ["a"], None, 1, None)


def test_ranking_puts_the_best_first_and_missing_last():
    rows = [{"pnl": 1.0, "fees": 3.0}, {"pnl": None, "fees": 1.0}, {"pnl": 2.0, "fees": 2.0}]
    assert [r["pnl"] for r in ranked(rows, "pnl")] == [2.0, 1.0, None]
    assert [r["fees"] for r in ranked(rows, "fees")] == [1.0, 2.0, 3.0]  # lower is better


def test_the_heatmap_averages_over_recordings():
    rows = [
        {"a": 1, "b": 10, "pnl": 1.0},
        {"a": 1, "b": 10, "pnl": 3.0},
        {"a": 2, "b": 10, "pnl": 5.0},
    ]
    assert grid(rows, "pnl", "a", "b")["z"] == [[2.0, 5.0]]


def test_a_missing_sweep_table_is_named_as_missing(tmp_path):
    """pyarrow's error for a missing file is the bare path: "cannot read the sweep X: X"."""
    from tradeterm.cli.sweep_report import load

    with pytest.raises(UsageError, match=r"sweep\.parquet: no such file$"):
        load(tmp_path / "sweep.parquet")
