"""The command line as a user runs it: real subprocesses, real exit codes, real output."""

import json
import subprocess
import sys

import pytest


def tradeterm(*args, env_extra=None, tmp_path=None, timeout=60):
    import os

    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_fast_seeded_runs_are_byte_identical():
    a = tradeterm("--fast", "--seed", "42", "--seconds", "20", "--json")
    b = tradeterm("--fast", "--seed", "42", "--seconds", "20", "--json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    summary = json.loads(a.stdout)
    assert summary["events"] > 10_000 and summary["seed"] == 42
    for symbol in ("SIM-BTC/USD", "SIM-ETH/USD"):
        inst = summary["instruments"][symbol]
        assert float(inst["best_bid"]) < float(inst["best_ask"])
        assert len(inst["bids"]) == 20 and len(inst["asks"]) == 20
    c = tradeterm("--fast", "--seed", "43", "--seconds", "20", "--json")
    assert json.loads(c.stdout)["instruments"] != summary["instruments"]


def test_headless_text_summary_and_symbol_filter():
    out = tradeterm(
        "paper", "--headless", "--fast", "--seed", "1", "--seconds", "5", "--symbols", "SIM-ETH/USD"
    )
    assert out.returncode == 0, out.stderr
    assert "SIM-ETH/USD" in out.stdout and "SIM-BTC/USD" not in out.stdout
    assert "events" in out.stdout


def test_live_paced_headless_run_is_bounded_by_seconds():
    out = tradeterm("--headless", "--json", "--seconds", "1.5", "--activity", "busy")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["fast"] is False and summary["market_events"] > 2_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seconds", "abc"], "argument --seconds: expected a number, got 'abc'"),
        (["--seconds", "-1"], "must be greater than 0"),
        (
            ["paper", "--venue", "nasdaq"],
            "argument --venue: expected sim, binance or ccxt:<exchange>",
        ),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["--symbols", "DOGE/USD", "--headless"], "unknown symbol(s) DOGE/USD"),
        # numbers a flag cannot mean (they were an OverflowError traceback or a silent huge value)
        (["--headless", "--seconds", "inf"], "argument --seconds: expected a finite number"),
        (["--headless", "--seconds", "1e308"], "argument --seconds: at most 31,622,400 seconds"),
        (["--seed", str(2**64)], "argument --seed: at most 9223372036854775807"),
        (["--seed", "\uff14\uff12"], "argument --seed: expected a whole number in digits 0-9"),
        (["--rate", "nan"], "argument --rate: expected a finite number"),
        (["quoter", "simulate", "--gamma", "inf"], "argument --gamma: expected a finite number"),
        (["quoter", "simulate", "--gamma", "1e9"], "argument --gamma: a risk aversion above 0"),
        (["serve", "--port", "\uff18\uff10"], "argument --port: expected a port number in digits"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_no_traceback(args, message):
    out = tradeterm(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_config_exits_2_naming_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[sim]\nevents_per_second = 0\nactivty = 'calm'\n")
    out = tradeterm("--config", str(bad), "--headless", "--seconds", "1")
    assert out.returncode == 2
    assert "sim.events_per_second" in out.stderr and "sim.activty: unknown key" in out.stderr
    assert "Traceback" not in out.stderr
    check = tradeterm("config", "check", str(bad))
    assert check.returncode == 2 and "sim.activty" in check.stderr


def test_bad_env_value_exits_2(tmp_path):
    out = tradeterm("config", "check", env_extra={"TRADETERM_UI__REFRESH_HZ": "fast"})
    assert out.returncode == 2 and "ui.refresh_hz" in out.stderr
    assert "Traceback" not in out.stderr


def test_config_check_accepts_the_shipped_examples():
    from pathlib import Path

    configs = sorted((Path(__file__).parents[2] / "configs").glob("*.toml"))
    assert configs
    for path in configs:
        out = tradeterm("config", "check", str(path))
        assert out.returncode == 0, (path, out.stderr)


def test_unwritable_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = tradeterm("--fast", "--seconds", "1", env_extra={"TRADETERM_DATA_DIR": str(blocker)})
    assert out.returncode == 2 and "cannot use data dir" in out.stderr


def test_version():
    out = tradeterm("--version")
    assert out.returncode == 0 and out.stdout.startswith("tradeterm ")
