"""`replay --paper`: the shipped real recording's market data only, the quoter trading it through
risk, the OMS and the paper fill model. Same journal + same seed => byte-identical journal."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.record.journal import JournalReader
from tradeterm.venues.paper_client import PaperExecutionClient

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
QUOTER = {
    "order_size": "0.0001",
    "max_position": "0.0005",
    "symbols": ["BTC/USDT"],
    "warmup_bars": 10,
    "warmup_sweeps": 10,
}


def paper_replay(journal: Path | None, seed: int = 3, quoter: str | None = "on", **paper) -> Kernel:
    settings = load_settings(
        sim={"seed": seed}, quoter=QUOTER, paper={"latency_ms": 5, "latency_jitter_ms": 3} | paper
    )
    kernel = Kernel(
        settings,
        RunOptions(
            mode="replay",
            replay=SHIPPED,
            paper=True,
            quoter=quoter,
            record=journal is not None,
            recording=journal,
        ),
    )
    fills = []
    kernel.bus.subscribe(
        topics.orders(kernel.clients.name),
        lambda m: fills.append(m) if type(m) is OrderFilled else None,
    )
    kernel.test_fills = fills  # type: ignore[attr-defined]
    asyncio.run(kernel.run())
    return kernel


def test_replay_paper_with_the_quoter_is_byte_identical(tmp_path):
    a = paper_replay(tmp_path / "a.ttj")
    b = paper_replay(tmp_path / "b.ttj")
    assert (tmp_path / "a.ttj").read_bytes() == (tmp_path / "b.ttj").read_bytes()
    assert a.summary() == b.summary()
    assert isinstance(a.execution, PaperExecutionClient) and a.replay is not None
    assert a.data is a.replay and a.replay.market_only
    trading = a.summary()["trading"]
    assert trading["trading_state"] == "ACTIVE", trading["reconciliation"]
    assert trading["fills"] > 10 and "BTC/USDT" in trading["positions"]
    assert all(f.note for f in a.test_fills)  # paper fills say why they filled
    assert max(abs(q) for q in _positions(a.test_fills)) <= 50_000  # max_position 0.0005 BTC
    c = paper_replay(tmp_path / "c.ttj", seed=4)
    assert (tmp_path / "c.ttj").read_bytes() != (tmp_path / "a.ttj").read_bytes()
    # the journal holds the replayed market data (as spans) and the session's own trading
    reader = JournalReader(tmp_path / "a.ttj")
    assert reader.header["source"]["filter"] == "market"
    assert c.summary()["trading"]["fills"] > 0


def _positions(fills) -> list[int]:
    pos, out = 0, []
    for f in fills:
        pos += int(f.side) * f.qty
        out.append(pos)
    return out


def test_a_manual_order_fills_on_paper_against_the_recording():
    settings = load_settings(sim={"seed": 1})
    kernel = Kernel(settings, RunOptions(mode="replay", replay=SHIPPED, paper=True, record=False))
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    results = []

    def buy(_ts: int) -> None:  # a marketable buy one minute in: takes the visible ask
        book = kernel.views.books[inst.id]
        results.append(
            kernel.submit(
                SubmitOrder(
                    kernel.clock.timestamp_ns(),
                    kernel.next_order_id(),
                    inst.id,
                    Side.BUY,
                    10_000,
                    price=book.best_ask,
                )
            )
        )

    kernel.clock.set_alert("test.buy", kernel.clock.timestamp_ns() + 60 * 10**9, buy)
    asyncio.run(kernel.run())
    trading = kernel.summary()["trading"]
    assert results and trading["fills"] >= 1, (results, trading)
    assert trading["positions"]["BTC/USDT"]["qty"] == "0.00010000"


def test_cli_replay_paper_quoter_json_has_the_trading_section(tmp_path):
    env = os.environ | {"TRADETERM_DATA_DIR": str(tmp_path)}
    cmd = [
        sys.executable,
        "-m",
        "tradeterm",
        "replay",
        str(SHIPPED),
        "--paper",
        "--quoter",
        "--seed",
        "2",
        "--json",
        "--no-record",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["replay"]["paper"] and summary["replay"]["complete"]
    assert summary["trading"]["fills"] > 0 and summary["trading"]["trading_state"] == "ACTIVE"
    assert set(summary["quoters"]) == {"BTC/USDT", "ETH/USDT"}
    assert summary["instruments"]["BTC/USDT"]["best_bid"] == "61685.99"
    plain = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradeterm",
            "replay",
            str(SHIPPED),
            "--quoter",
            "--json",
            "--no-record",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert plain.returncode == 2 and "--paper" in plain.stderr


def test_a_configured_quoter_does_not_start_in_a_plain_replay():
    settings = load_settings(sim={"seed": 1}, quoter={"enabled": True})
    kernel = Kernel(settings, RunOptions(mode="replay", replay=SHIPPED, record=False, seconds=5))
    assert kernel.quoters == {} and kernel.views.quoters == {}
