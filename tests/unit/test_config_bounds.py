"""Every number in the configuration is finite and bounded (issue 12.9): ``config check`` said
OK to ``quoter.stale_after_s = inf`` (a handler error on every book update) and
``portfolio.starting_cash = 1e308``; now each is refused with the key and the reason, by
``config check`` and at start (exit 2). A fuzz puts any value in any key."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import annotated_types as at
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tests.config_tree import KEYS, LEAVES, toml_setting
from tradeterm.config import ConfigError, Settings, load_settings


def test_the_walk_sees_the_numbers_it_must():
    keys = {k for k, _, _ in LEAVES}
    assert {
        "oms.fills_lookback_s",
        "quoter.gamma",
        "portfolio.starting_cash",
        "sim.instruments.0.tick_size",
        "quoter.per_symbol.*.gamma",
        "exchange.accounts.0.balances.*",
        "ui.default_size",
        "ui.default_size.*",
        "risk.instruments.*.max_position",
    } <= keys
    assert len(LEAVES) > 120


@pytest.mark.parametrize(("key", "tp", "meta"), LEAVES, ids=[k for k, _, _ in LEAVES])
def test_every_number_has_a_lower_and_an_upper_bound(key, tp, meta):
    lower = [m for m in meta if isinstance(m, at.Ge | at.Gt)]
    upper = [m for m in meta if isinstance(m, at.Le | at.Lt)]
    assert lower and upper, f"{key} needs both bounds, has {meta}"
    high = upper[0].le if isinstance(upper[0], at.Le) else upper[0].lt
    assert math.isfinite(high)


ISSUE = [
    ("oms.fills_lookback_s", "inf"),
    ("quoter.order_size", "1e308"),
    ("quoter.gamma", "inf"),
    ("quoter.sigma", "inf"),
    ("quoter.k", "inf"),
    ("quoter.max_quote_age_s", "inf"),
    ("quoter.stale_after_s", "inf"),
    ("portfolio.starting_cash", "1e308"),
    ("quoter.gamma", "1e9"),
    ("quoter.A", "nan"),
    ("risk.feed_loss_grace_s", "1e300"),
    ("binance.stale_after_s", "inf"),
    ("sim.seed", str(2**64)),
    ("risk.max_order_notional", "1e308"),
]


@pytest.mark.parametrize(("key", "raw"), ISSUE)
def test_the_issues_values_are_refused_with_the_key_and_the_reason(tmp_path, key, raw):
    path = tmp_path / "c.toml"
    path.write_text(toml_setting(key, raw))
    with pytest.raises(ConfigError, match=key.replace(".", r"\.") + r": Input should be"):
        load_settings(path)


def test_config_check_and_a_session_start_refuse_them_with_exit_2(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        "[quoter]\nenabled = true\nstale_after_s = inf\n[oms]\n"
        "fills_lookback_s = inf\n[portfolio]\nstarting_cash = 1e308\n"
    )
    for argv in (
        ["config", "check", str(path)],
        ["--fast", "--seconds", "1", "--seed", "1", "--no-record", "--json", "--config", str(path)],
    ):
        out = subprocess.run(
            [sys.executable, "-m", "tradeterm", *argv], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 2, out
        for key in ("quoter.stale_after_s", "oms.fills_lookback_s", "portfolio.starting_cash"):
            assert key in out.stderr
        assert "Traceback" not in out.stderr and not out.stdout


def test_environment_values_are_bounded_too(monkeypatch):
    monkeypatch.setenv("TRADETERM_QUOTER__STALE_AFTER_S", "inf")
    with pytest.raises(ConfigError, match=r"quoter\.stale_after_s: .*TRADETERM_QUOTER__STALE"):
        load_settings()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[quoter]\nwarmup_bars = 500\nvol_window_bars = 300\n", "warmup_bars"),
        ("[binance]\nreconnect_min_s = 60\nreconnect_max_s = 30\n", "reconnect_max_s"),
        ("[ccxt]\nreconnect_min_s = 60\nreconnect_max_s = 30\n", "reconnect_max_s"),
        ("[binance]\nlisten_key_keepalive_s = 3600\n", "listen_key_keepalive_s"),
        (
            "[[sim.instruments]]\nsymbol='X/USD'\nbase='X'\nquote='USD'\ntick_size=1e-30\n"
            "lot_size=1\nstart_price=100\n",
            "tick_size",
        ),
        (
            "[[sim.instruments]]\nsymbol='X/USD'\nbase='X'\nquote='USD'\ntick_size=0.5\n"
            "lot_size=1\nstart_price=0.1\n",
            "start_price",
        ),
        (
            "[[sim.instruments]]\nsymbol=''\nbase='X'\nquote='USD'\ntick_size=1\n"
            "lot_size=1\nstart_price=100\n",
            "symbol",
        ),
        ("[binance]\nrest_url = 'ftp://x'\n", "rest_url"),
        ("[exchange]\nfaults = 'drop=inf'\n", "exchange.faults: fault drop"),
        ("[exchange]\nfaults = 'stale=60:nan'\n", "exchange.faults: fault stale"),
        ("[portfolio]\ncurrency = 'US D'\n", "portfolio.currency"),
        # a NUL in a path was a ValueError traceback at mkdir
        ('data_dir = "/tmp/a\\u0000b"\n', "data_dir: contains a control character"),
        ('[record]\ndirectory = "/tmp/a\\u0000b"\n', "record.directory: .*control character"),
        ('[oms]\ndatabase_url = "sqlite:////tmp/a\\u0000b"\n', "oms.database_url: .*control"),
        ('[quoter]\nsymbols = ["A\\u0007"]\n', "quoter.symbols: .*control character"),
        # a Unicode digit in a number given as text (pydantic's Decimal read '１０' as 10)
        ('[portfolio]\nstarting_cash = "\uff11\uff10"\n', "portfolio.starting_cash: .*digits 0-9"),
        ('[risk]\nmax_order_notional = "1\u0660"\n', "risk.max_order_notional: .*digits 0-9"),
        ('[ui.default_size]\nBTC = "\uff11"\n', "ui.default_size: .*digits 0-9"),
    ],
)
def test_values_that_cannot_be_meant_together_are_refused(tmp_path, monkeypatch, toml, message):
    monkeypatch.delenv("TRADETERM_DATA_DIR")  # the file's data_dir is the one looked at
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


# --- fuzz: any value in any key -----------------------------------------------------------------
RAW = st.one_of(
    st.sampled_from(
        [
            "inf",
            "-inf",
            "nan",
            "1e308",
            "-1e308",
            "0",
            "-0.0",
            "1e-300",
            str(2**63),
            str(-(2**63)),
            str(2**64),
            "true",
            "'12'",
            "'abc'",
            "[]",
            "{}",
            "'1e400'",
            "'NaN'",
            "1_000_000",
            "'\uff11\uff10'",
            "'1\u0660'",
            "'\u0661.5'",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: (
            "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf") if math.isinf(f) else repr(f)
        )
    ),
    st.text(max_size=8).map(json.dumps),
)


def _leaf_value(settings_obj: Settings, key: str) -> list[Any]:
    nodes: list[Any] = [settings_obj]
    for part in key.split("."):
        nxt: list[Any] = []
        for node in nodes:
            if part == "*" and isinstance(node, dict):
                nxt += list(node.values())
            elif part.isdigit() and isinstance(node, list):
                nxt += node[int(part) : int(part) + 1]
            elif isinstance(node, BaseModel):
                nxt.append(getattr(node, part))
        nodes = nxt
    return nodes


@settings(max_examples=300, deadline=None)
@given(leaf=st.sampled_from(LEAVES), raw=RAW)
def test_fuzz_any_value_in_any_numeric_key_is_sane_or_one_clear_error(tmp_path_factory, leaf, raw):
    check_numeric_key(tmp_path_factory, leaf, raw)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None)
@given(leaf=st.sampled_from(LEAVES), raw=RAW)
def test_fuzz_numeric_keys_many_more_examples(tmp_path_factory, leaf, raw):
    check_numeric_key(tmp_path_factory, leaf, raw)


def check_numeric_key(tmp_path_factory, leaf, raw: str) -> None:
    """Accepted: finite, within its bounds, never read from a Unicode digit. Refused: one
    ConfigError naming the section."""
    key, _tp, meta = leaf
    path = tmp_path_factory.mktemp("fuzz") / "c.toml"
    path.write_text(toml_setting(key, raw))
    try:
        loaded = load_settings(path)
    except ConfigError as exc:
        text = str(exc)
        assert "Traceback" not in text and text.strip()
        assert key.split(".")[0] in text or "TOML" in text  # names the section or the syntax
        return
    assert not any(not c.isascii() and c.isdigit() for c in raw), (key, raw)  # never read
    for v in _leaf_value(loaded, key):
        if isinstance(v, dict) or v is None:
            continue
        assert math.isfinite(v), (key, raw, v)
        for m in meta:
            for attr, ok in (
                ("ge", v >= getattr(m, "ge", v)),
                ("gt", getattr(m, "gt", None) is None or v > m.gt),
                ("le", v <= getattr(m, "le", v)),
                ("lt", getattr(m, "lt", None) is None or v < m.lt),
            ):
                assert ok, (key, raw, v, attr)


RAW_ANY = st.one_of(
    RAW,
    st.sampled_from(
        [
            '"a\\u0000b"',
            '"\\u001b[31m"',
            "[1, 2]",
            "['a']",
            "{ a = 1 }",
            "'sqlite:///x'",
            "'https://x'",
            "''",
            "' '",
            "'\\u0000'",
            "1979-05-27T07:32:00Z",
            "'calm'",
            "'BTC/USDT'",
            "[[1]]",
            "{}",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(KEYS), raw=RAW_ANY)
def test_fuzz_any_value_in_any_key_is_accepted_or_one_clear_error(tmp_path_factory, key, raw):
    """Not only numbers: strings, tables, lists, dates in every key of every section."""
    check_any_key(tmp_path_factory, key, raw)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None)
@given(key=st.sampled_from(KEYS), raw=RAW_ANY)
def test_fuzz_any_key_many_more_examples(tmp_path_factory, key, raw):
    check_any_key(tmp_path_factory, key, raw)


def check_any_key(tmp_path_factory, key: str, raw: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "c.toml"
    path.write_text(toml_setting(key, raw))
    try:
        load_settings(path)
    except ConfigError as exc:
        text = str(exc)
        assert text.strip() and "Traceback" not in text
        assert key.split(".")[0] in text or "TOML" in text
