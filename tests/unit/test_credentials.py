"""Keys for live venues: environment first, else a secrets file that only its owner can read."""

import os

import pytest

from tradeterm.runtime.credentials import SecretsError, env_prefix, load_keys


def write(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_environment_wins_and_is_masked(tmp_path):
    write(tmp_path / "secrets.toml", '[binance]\nkey = "file-key"\nsecret = "file-secret"\n')
    keys = load_keys(
        "binance",
        None,
        tmp_path,
        {"TRADETERM_BINANCE_KEY": "env-key", "TRADETERM_BINANCE_SECRET": "env-secret"},
    )
    assert (keys.key, keys.secret, keys.source) == ("env-key", "env-secret", "environment")
    assert "env-key" not in repr(keys) and "env-secret" not in str(keys)


def test_half_an_environment_is_refused(tmp_path):
    with pytest.raises(SecretsError, match="TRADETERM_BINANCE_SECRET is not set"):
        load_keys("binance", None, tmp_path, {"TRADETERM_BINANCE_KEY": "k"})


def test_the_file_in_the_data_dir_is_used_when_private(tmp_path):
    write(
        tmp_path / "secrets.toml",
        '[binance]\nkey = "fk"\nsecret = "fs"\n'
        '["ccxt:kraken"]\nkey = "kk"\nsecret = "ks"\n'
        'password = "pp"\n',
    )
    keys = load_keys("binance", None, tmp_path, {})
    assert (keys.key, keys.secret) == ("fk", "fs")
    kraken = load_keys("ccxt:kraken", None, tmp_path, {})
    assert (kraken.key, kraken.extra) == ("kk", {"password": "pp"})
    assert load_keys("bybit", None, tmp_path, {}) is None
    assert env_prefix("ccxt:kraken") == "TRADETERM_CCXT_KRAKEN"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_a_file_others_can_read_or_write_is_refused(tmp_path, mode):
    path = write(tmp_path / "s.toml", '[binance]\nkey = "k"\nsecret = "s"\n', mode)
    with pytest.raises(SecretsError, match=f"mode {mode:04o}.*chmod 600"):
        load_keys("binance", path, tmp_path, {})


def test_missing_default_file_means_no_keys_but_a_named_file_must_exist(tmp_path):
    assert load_keys("binance", None, tmp_path, {}) is None
    with pytest.raises(SecretsError, match="cannot read secrets file"):
        load_keys("binance", tmp_path / "nope.toml", tmp_path, {})


def test_malformed_entries_are_explained_without_quoting_values(tmp_path):
    path = write(tmp_path / "s.toml", '[binance]\nkey = "only-a-key"\n')
    with pytest.raises(SecretsError, match=r"\[binance\] needs key") as exc:
        load_keys("binance", path, tmp_path, {})
    assert "only-a-key" not in str(exc.value)
    bad = write(tmp_path / "bad.toml", '[binance\nkey = "leaky-value"\n')
    with pytest.raises(SecretsError, match="not valid TOML") as exc:
        load_keys("binance", bad, tmp_path, {})
    assert "leaky-value" not in str(exc.value)
