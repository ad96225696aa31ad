"""The real quoter in the engine: seeded --fast sessions are reproducible message for message,
the inventory limit holds through the desk, parameters change while running, and
`tradeterm paper --headless --quoter --fast --seed S --json` prints the same bytes twice."""

import asyncio
import json
import os
import subprocess
import sys

import msgspec
import pytest

from tradeterm.config import ConfigError, load_settings
from tradeterm.core import topics
from tradeterm.domain.events import PositionChanged
from tradeterm.runtime.kernel import Kernel, RunOptions


FAST_WARMUP = {"warmup_bars": 10, "warmup_sweeps": 10}


def quoting_run(seed: int, seconds: float = 30, quoter: str = "on"):
    settings = load_settings(sim={"seed": seed}, quoter=FAST_WARMUP)
    kernel = Kernel(settings, RunOptions(fast=True, seconds=seconds, quoter=quoter, record=False))
    encoder = msgspec.msgpack.Encoder()
    stream = []
    kernel.bus.subscribe("*", lambda msg: stream.append(encoder.encode(msg)))
    asyncio.run(kernel.run())
    return kernel, stream, kernel.summary()


def test_seeded_quoter_sessions_are_identical():
    _, a, summary_a = quoting_run(8)
    _, b, summary_b = quoting_run(8)
    assert a == b and summary_a == summary_b
    trading, quoters = summary_a["trading"], summary_a["quoters"]
    assert trading["fills"] > 20 and trading["orders_submitted"] > 20
    assert trading["trading_state"] == "ACTIVE" and trading["working_orders"] == 0
    assert set(quoters) == {"SIM-BTC/USD", "SIM-ETH/USD"}
    assert all(q["fills"] > 0 and q["sigma"] > 0 and q["k"] > 0 for q in quoters.values())
    _, _, summary_c = quoting_run(9)
    assert summary_c["trading"] != trading


def test_inventory_limit_holds_in_a_seeded_session():
    settings = load_settings(
        sim={"seed": 21},
        quoter={
            "order_size": "0.0004",
            "max_position": "0.0012",
            "gamma": 0.01,
            "levels": 2,
            "symbols": ["SIM-BTC/USD"],
        }
        | FAST_WARMUP,
    )
    kernel = Kernel(settings, RunOptions(fast=True, seconds=60, quoter="on", record=False))
    worst = [0]

    def on_position(msg) -> None:
        if type(msg) is PositionChanged:
            worst[0] = max(worst[0], abs(msg.qty))

    kernel.bus.subscribe(topics.POSITION, on_position)
    asyncio.run(kernel.run())
    assert set(kernel.quoters) == {"sim:SIM-BTC/USD"}
    view = kernel.views.quoters["sim:SIM-BTC/USD"]
    assert view.fills > 20
    assert worst[0] == 12  # reached the limit (12 lots), never passed it
    assert kernel.summary()["trading"]["orders_denied"] == 0


def test_parameters_change_while_running_and_bad_values_change_nothing():
    settings = load_settings(sim={"seed": 5})
    kernel = Kernel(settings, RunOptions(fast=True, seconds=20, quoter="glft", record=False))
    kernel.clock.set_alert(
        "test.tune",
        kernel.clock.timestamp_ns() + 10 * 10**9,
        lambda _ts: kernel.update_quoter("SIM-BTC/USD", gamma=0.5, levels=2),
    )
    asyncio.run(kernel.run())
    btc = kernel.quoters["sim:SIM-BTC/USD"]
    assert btc.setup.config.gamma == 0.5 and btc.view.gamma == 0.5
    assert kernel.quoters["sim:SIM-ETH/USD"].setup.config.gamma == 0.05
    with pytest.raises(ValueError):
        kernel.update_quoter(None, gamma=-1)
    assert btc.setup.config.gamma == 0.5
    with pytest.raises(ValueError, match="no quoter for"):
        kernel.set_quoter(True, "SIM-XRP/USD")
    assert kernel.set_quoter(False) == 2 and not btc.enabled


def test_unknown_quoter_symbol_is_a_config_error():
    settings = load_settings(sim={"seed": 5}, quoter={"symbols": ["SIM-XRP/USD"]})
    with pytest.raises(ConfigError, match="SIM-XRP/USD"):
        Kernel(settings, RunOptions(fast=True, seconds=1, quoter="on", record=False))


def test_headless_quoter_cli_is_byte_identical(tmp_path):
    env = os.environ | {"TRADETERM_DATA_DIR": str(tmp_path)}
    cmd = [
        sys.executable,
        "-m",
        "tradeterm",
        "paper",
        "--headless",
        "--quoter",
        "--fast",
        "--seed",
        "4",
        "--seconds",
        "45",
        "--json",
        "--no-record",
    ]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    summary = json.loads(first.stdout)
    assert summary["trading"]["fills"] > 0 and summary["quoters"]["SIM-BTC/USD"]["model"] == "glft"


@pytest.mark.parametrize("seed", [6, 7])
def test_the_quoter_sends_nothing_risk_denies_for_a_reason_it_can_know(seed):
    """Issue 13.16: `tradeterm paper --fast --seed 6 --quoter --seconds 150` was denied
    MIN_NOTIONAL twice on ETH (the room left under the limit, quoted below the minimum order
    value) and backed off each time; a longer session got stuck denying thousands."""
    settings = load_settings(sim={"seed": seed})
    kernel = Kernel(settings, RunOptions(fast=True, seconds=150, quoter="on", record=False))
    denials: list = []
    kernel.bus.subscribe(
        topics.RISK, lambda m: denials.append(m) if type(m).__name__ == "OrderDenied" else None
    )
    asyncio.run(kernel.run())
    summary = kernel.summary()
    assert [(d.reason, d.message) for d in denials] == []
    assert summary["trading"]["orders_denied"] == 0
    assert all(q["fills"] > 50 for q in summary["quoters"].values()), summary["quoters"]
