"""``tradeterm quoter simulate`` as a user runs it."""

import json

from tests.integration.test_cli import tradeterm


def test_simulate_json_has_the_documented_shape_and_is_seeded():
    a = tradeterm(
        "quoter", "simulate", "--gamma", "0.1", "1", "--paths", "300", "--seed", "5", "--json"
    )
    assert a.returncode == 0, a.stderr
    out = json.loads(a.stdout)
    rows = out["results"]
    assert [(r["gamma"], r["strategy"]) for r in rows] == [
        (0.1, "inventory"),
        (0.1, "symmetric"),
        (1.0, "inventory"),
        (1.0, "symmetric"),
    ]
    for row in rows:
        assert set(row) == {
            "gamma",
            "strategy",
            "spread",
            "profit_mean",
            "profit_std",
            "q_mean",
            "q_std",
        }
    assert out["seed"] == 5 and out["paths"] == 300
    b = tradeterm(
        "quoter", "simulate", "--gamma", "0.1", "1", "--paths", "300", "--seed", "5", "--json"
    )
    assert a.stdout == b.stdout


def test_simulate_text_is_the_paper_style_table_with_the_paper_beside_it():
    out = tradeterm("quoter", "simulate", "--paths", "200", "--seed", "1")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "section 3.3" in text and "seed 1" in text
    for gamma in ("0.01", "0.1", "0.5", "1"):
        assert f"{gamma:>6}  inventory" in text and f"{gamma:>6}  symmetric" in text
    assert "65.00" in text  # the published gamma = 0.1 inventory profit, shown for comparison


def test_simulate_bad_arguments_exit_2():
    for args, message in (
        (["--paths", "1"], "--paths: must be between 2"),
        (["--gamma", "-0.1"], "--gamma: must be greater than 0"),
        (["--gamma", "x"], "expected a number"),
    ):
        out = tradeterm("quoter", "simulate", *args)
        assert out.returncode == 2 and message in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
