"""``tradeterm exchange serve`` as a user runs it: a real process on a free loopback port."""

import json
import re
import subprocess
import sys
import urllib.request

from tests.integration.test_cli import tradeterm


def test_serve_answers_binance_requests_then_stops():
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
            "20",
            "--seed",
            "1",
            "--faults",
            "delay=5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first).group(1)
        with urllib.request.urlopen(f"{url}/api/v3/depth?symbol=ETHUSDT&limit=5", timeout=5) as r:
            depth = json.load(r)
        assert len(depth["bids"]) == 5 and depth["lastUpdateId"] >= 0
        with urllib.request.urlopen(f"{url}/api/v3/exchangeInfo", timeout=5) as r:
            assert [s["symbol"] for s in json.load(r)["symbols"]] == ["BTCUSDT", "ETHUSDT"]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err


def test_serve_refuses_public_addresses_and_bad_fault_plans():
    out = tradeterm("exchange", "serve", "--host", "0.0.0.0")
    assert out.returncode == 2 and "only listens on 127.0.0.1" in out.stderr
    out = tradeterm("exchange", "serve", "--faults", "drop=soon")
    assert out.returncode == 2 and "fault drop: 'soon' is not a number" in out.stderr
    assert "Traceback" not in out.stderr
