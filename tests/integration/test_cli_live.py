"""``tradeterm live`` and ``tradeterm record --venue binance`` as a user runs them, against
``tradeterm exchange serve`` in another process. The live account's key and secret are canaries
that no file in the data dir may contain afterwards."""

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from tests.integration.test_cli import tradeterm
from tests.live_session import canary_keys, files_containing
from tradeterm.record.journal import JournalReader


@pytest.fixture
def exchange(tmp_path):
    """(url, key, secret): a loopback exchange process whose first account has canary keys."""
    key, secret = canary_keys()
    config = tmp_path / "exchange.toml"
    config.write_text(
        "[exchange]\nevents_per_second = 500\n"
        f'[[exchange.accounts]]\napi_key = "{key}"\napi_secret = "{secret}"\n'
        '[exchange.accounts.balances]\nUSDT = "1000000"\nBTC = "10"\nETH = "100"\n'
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradeterm",
            "exchange",
            "serve",
            "--port",
            "0",
            "--seconds",
            "60",
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", proc.stdout.readline()).group(1)
        yield url, key, secret
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def urls(url: str) -> list[str]:
    return ["--api-url", url, "--ws-url", url.replace("http://", "ws://")]


def test_live_headless_trades_the_loopback_and_leaves_no_key_behind(exchange, tmp_path):
    url, key, secret = exchange
    data = tmp_path / "data"
    env = {
        "TRADETERM_DATA_DIR": str(data),
        "TRADETERM_BINANCE_KEY": key,
        "TRADETERM_BINANCE_SECRET": secret,
    }
    out = tradeterm(
        "live",
        "--venue",
        "binance",
        *urls(url),
        "--symbols",
        "BTC/USDT",
        "--headless",
        "--json",
        "--seconds",
        "4",
        "--i-understand-live",
        "binance",
        "--quoter",
        "placeholder",
        env_extra=env,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["mode"] == "live" and summary["venue"] == "binance"
    trading = summary["trading"]
    assert trading["trading_state"] == "ACTIVE", trading  # reconciled clean
    assert trading["orders_submitted"] > 0 and trading["orders_denied"] == 0
    assert float(summary["instruments"]["BTC/USDT"]["best_bid"]) > 0
    assert "LIVE on binance" in out.stderr and "Traceback" not in out.stderr
    journals = list((data / "recordings").glob("*-live-binance.ttj"))
    assert len(journals) == 1
    with JournalReader(journals[0]) as journal:
        assert journal.header["mode"] == "live"
    assert (data / "logs" / "tradeterm.log").stat().st_size > 0
    assert files_containing(data, [key, secret]) == []


def test_live_glft_quoter_sizes_its_orders_on_binances_order_step(exchange, tmp_path):
    """The book's lot is 1e-8 but BTCUSDT takes orders in steps of 0.00001: every quote the
    model sends must be on that step, or Binance (and our own pre-check) refuses it."""
    url, key, secret = exchange
    data = tmp_path / "data"
    env = {
        "TRADETERM_DATA_DIR": str(data),
        "TRADETERM_BINANCE_KEY": key,
        "TRADETERM_BINANCE_SECRET": secret,
        "TRADETERM_QUOTER__SIGMA": "50",
        "TRADETERM_QUOTER__K": "0.05",
        "TRADETERM_QUOTER__A": "1",
    }
    out = tradeterm(
        "live",
        "--venue",
        "binance",
        *urls(url),
        "--symbols",
        "BTC/USDT",
        "--headless",
        "--json",
        "--seconds",
        "4",
        "--i-understand-live",
        "binance",
        "--quoter",
        "glft",
        "--no-record",
        env_extra=env,
    )
    assert out.returncode == 0, out.stderr
    trading = json.loads(out.stdout)["trading"]
    assert trading["orders_submitted"] > 0, trading
    quoter = json.loads(out.stdout)["quoters"]["BTC/USDT"]
    assert quoter["submits"] > 0, quoter
    # refused for its size neither by our pre-check nor by the venue; a post-only quote the
    # market crossed meanwhile, or a cancel that met a fill, is a venue's normal answer (on a
    # loaded machine the four seconds see some) and is not what this test is about
    refusals = [line for line in out.stderr.splitlines() if "quoter BTC/USDT: order" in line]
    assert not [r for r in refusals if "LOT_SIZE" in r or "step" in r.lower()], refusals
    assert trading["orders_denied"] == 0, trading


def test_live_refuses_without_confirmation_keys_or_a_private_secrets_file(
    tmp_path, monkeypatch, capsys
):
    import logging

    from tradeterm.cli import main

    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TRADETERM_BINANCE_KEY", raising=False)
    monkeypatch.delenv("TRADETERM_BINANCE_SECRET", raising=False)
    handlers = list(logging.getLogger("tradeterm").handlers)
    key, secret = canary_keys()
    base = ["live", "--venue", "binance", "--api-url", "http://127.0.0.1:9", "--headless"]

    def run(*extra: str) -> str:
        assert main([*base, *extra]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and key not in err and secret not in err
        return err

    try:
        assert "needs --i-understand-live binance" in run()
        assert "exact name ('binance')" in run("--i-understand-live", "yes")
        assert "no API key for binance" in run("--i-understand-live", "binance")
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(f'[binance]\nkey = "{key}"\nsecret = "{secret}"\n')
        os.chmod(secrets, 0o644)
        err = run("--i-understand-live", "binance", "--secrets", str(secrets))
        assert "mode 0644" in err and "chmod 600" in err
        os.chmod(secrets, 0o600)  # now the keys are used: the session gets as far as the venue
        err = run("--i-understand-live", "binance", "--secrets", str(secrets))
        assert "cannot read Binance's symbols from http://127.0.0.1:9" in err
        assert "--fast and --seed" in run("--i-understand-live", "binance", "--fast")
        base[2] = "kraken"
        assert "unknown venue 'kraken': use binance or ccxt:<exchange>" in run()
    finally:
        for handler in set(logging.getLogger("tradeterm").handlers) - set(handlers):
            logging.getLogger("tradeterm").removeHandler(handler)
            handler.close()


def test_record_binance_headless_from_the_loopback(exchange, tmp_path):
    url, _key, _secret = exchange
    output = tmp_path / "capture.ttj"
    out = tradeterm(
        "record",
        "--venue",
        "binance",
        *urls(url),
        "--symbols",
        "BTC/USDT,ETH/USDT",
        "--seconds",
        "3",
        "-o",
        str(output),
        env_extra={"TRADETERM_DATA_DIR": str(tmp_path / "data")},
    )
    assert out.returncode == 0, out.stderr
    with JournalReader(output) as journal:
        assert journal.header["mode"] == "record" and journal.header["venue"] == "binance"
        assert {i["symbol"] for i in journal.instruments} == {"BTC/USDT", "ETH/USDT"}
        topics = {topic for _seq, _ts, topic, _msg in journal.records_iter()}
    assert "book.binance.BTC/USDT" in topics and "trade.binance.ETH/USDT" in topics
    replay = tradeterm(
        "replay", str(output), "--json", env_extra={"TRADETERM_DATA_DIR": str(tmp_path / "data")}
    )
    assert replay.returncode == 0, replay.stderr
    assert float(json.loads(replay.stdout)["instruments"]["BTC/USDT"]["best_bid"]) > 0


def paper_on_venue(tmp_path, venue_args: list[str], env: dict[str, str], venue: str) -> None:
    """A headless ``paper`` session with the placeholder quoter on a real venue's data (here the
    loopback's): it trades on paper, ACTIVE, with no denial and no traceback."""
    out = tradeterm(
        "paper",
        *venue_args,
        "--symbols",
        "BTC/USDT",
        "--headless",
        "--json",
        "--seconds",
        "5",
        "--quoter",
        "placeholder",
        env_extra={"TRADETERM_DATA_DIR": str(tmp_path / "data"), **env},
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["mode"], summary["venue"]) == ("paper", venue)
    trading = summary["trading"]
    assert trading["trading_state"] == "ACTIVE", trading
    assert trading["orders_submitted"] > 0 and trading["orders_denied"] == 0
    assert float(summary["instruments"]["BTC/USDT"]["best_bid"]) > 0
    assert "Traceback" not in out.stderr


def test_paper_on_binance_data_fills_on_paper_and_sends_nothing(exchange, tmp_path):
    """``paper --venue binance``: Binance's market data (here the loopback's), the session's
    orders filled on paper against the real book and trades. Keys in the environment are not
    used: the exchange's account has no order afterwards."""
    url, key, secret = exchange
    keys = {"TRADETERM_BINANCE_KEY": key, "TRADETERM_BINANCE_SECRET": secret}
    paper_on_venue(tmp_path, ["--venue", "binance", *urls(url)], keys, "binance")
    assert len(list((tmp_path / "data" / "recordings").glob("*-paper-binance.ttj"))) == 1
    assert signed_get(url, "/api/v3/allOrders", key, secret, symbol="BTCUSDT") == []


def test_paper_on_a_ccxt_exchanges_data_fills_on_paper_and_sends_nothing(exchange, tmp_path):
    """``paper --venue ccxt:binance``: the market data through ccxt's own binance client (here
    the loopback's), paper execution on top, as for ``--venue binance``: the keys in the
    environment are not used and the exchange's account has no order afterwards."""
    url, key, secret = exchange
    keys = {"TRADETERM_CCXT_BINANCE_KEY": key, "TRADETERM_CCXT_BINANCE_SECRET": secret}
    args = ["--venue", "ccxt:binance", "--api-url", url]
    paper_on_venue(tmp_path, [*args, "--config", "configs/live-ccxt-loopback.toml"], keys,
                   "ccxt-binance")  # fmt: skip
    assert signed_get(url, "/api/v3/allOrders", key, secret, symbol="BTCUSDT") == []


def test_a_data_venue_that_is_not_one_is_refused_in_one_line(tmp_path):
    out = tradeterm(
        "paper", "--venue", "kraken", env_extra={"TRADETERM_DATA_DIR": str(tmp_path / "d")}
    )
    assert out.returncode == 2
    assert "expected sim, binance or ccxt:<exchange>" in out.stderr
    assert "Traceback" not in out.stderr


def signed_get(url: str, path: str, key: str, secret: str, **params: object) -> object:
    """A signed Binance GET, as any client would send it."""
    query = urllib.parse.urlencode({**params, "timestamp": int(time.time() * 1000)})
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{url}{path}?{query}&signature={signature}", headers={"X-MBX-APIKEY": key}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)


def test_paper_flags_for_binance_need_it(tmp_path):
    out = tradeterm(
        "paper",
        "--api-url",
        "http://127.0.0.1:9",
        "--headless",
        env_extra={"TRADETERM_DATA_DIR": str(tmp_path / "data")},
    )
    assert out.returncode == 2
    assert "need --venue binance" in out.stderr and "Traceback" not in out.stderr
