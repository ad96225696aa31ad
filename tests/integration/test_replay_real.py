"""The shipped real recording, replayed through the kernel: the rebuilt book agrees with
Binance's own best bid/ask, the replay is deterministic, and a replay's journal reads back as the
whole session."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path


from tradeterm.config import load_settings
from tradeterm.domain.market import BookDelta, TopOfBook
from tradeterm.domain.orders import Order
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.record.journal import JournalReader
from tradeterm.record.merged import session_records
from tradeterm.record.records import ReplaySpan

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"


def replay_kernel(path=SHIPPED, **options):
    settings = load_settings(sim={"seed": 1})
    return Kernel(settings, RunOptions(mode="replay", replay=path, **options))


def test_rebuilt_book_equals_binance_book_ticker_whenever_update_ids_coincide():
    kernel = replay_kernel(record=False)
    books = kernel.views.books
    tops: dict[tuple[str, int], tuple] = {}  # (instrument, last applied diff u) -> book top
    tickers: dict[tuple[str, int], tuple] = {}

    def watch(msg):
        if type(msg) is BookDelta:
            book = books[msg.instrument]
            if book.synced and book.last_update_id == msg.last_update_id:
                tops[(msg.instrument, msg.last_update_id)] = (book.best_bid, book.best_ask)
        elif type(msg) is TopOfBook:
            tickers[(msg.instrument, msg.update_id)] = (msg.bid_price, msg.ask_price)

    kernel.bus.subscribe("*", watch)  # after the book keeper: sees the book already updated
    asyncio.run(kernel.run())
    for inst, expected in (("binance:BTC/USDT", 564), ("binance:ETH/USDT", 577)):
        common = [k for k in tickers.keys() & tops.keys() if k[0] == inst]
        assert len(common) == expected
        assert all(tickers[k] == tops[k] for k in common)
    assert kernel.replay.state.done and kernel.replay.state.published == 74_864
    btc = kernel.summary()["instruments"]["BTC/USDT"]
    assert (btc["best_bid"], btc["best_ask"]) == ("61685.99", "61686.00")
    assert btc["bids"][0] == ["61685.99", "1.00870000"] and len(btc["asks"]) == 20
    assert btc["asks"][0][0] == "61686.00" and len(btc["bids"]) == 20
    assert all(books[i].synced and not books[i].is_crossed for i in books)


def tradeterm(*args, env=None):
    import os

    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=full,
    )


def test_headless_replay_json_and_journal_are_byte_identical(tmp_path):
    env = {"TRADETERM_DATA_DIR": str(tmp_path / "data")}
    a = tradeterm("replay", str(SHIPPED), "--headless", "--json", "--seed", "3", env=env)
    b = tradeterm("replay", str(SHIPPED), "--json", "--speed", "max", "--seed", "3", env=env)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    summary = json.loads(a.stdout)
    btc = summary["instruments"]["BTC/USDT"]
    assert (btc["best_bid"], btc["best_ask"]) == ("61685.99", "61686.00")
    assert summary["replay"]["complete"] is True and summary["replay"]["read"] == 74_864
    journals = sorted((tmp_path / "data" / "recordings").glob("*.ttj"))
    assert len(journals) == 2
    assert journals[0].read_bytes() == journals[1].read_bytes()
    assert "recorded this session to" in a.stderr


def test_a_replay_journal_reads_back_as_the_whole_session(tmp_path):
    out = tmp_path / "replay.ttj"
    kernel = replay_kernel(recording=out)
    seen = []
    kernel.bus.subscribe("*", lambda m: seen.append((kernel.bus.seq, kernel.bus.topic, m)))
    asyncio.run(kernel.run())
    with JournalReader(out) as reader:
        assert reader.clean and reader.header["source"]["records"] == 74_864
        own = list(reader.records_iter())
        spans = [e for _, _, _, e in own if type(e) is ReplaySpan]
        assert spans and len(own) < 100  # the market data is referenced, not copied
        merged = [(s, t, e) for s, _, t, e in session_records(reader)]
    assert merged == seen


def test_seek_step_and_run_to_next_trade(tmp_path):
    kernel = replay_kernel(record=False, speed=1.0)
    replay = kernel.replay
    start = replay.state.start_ns
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.state.published == 0
        replay.step()
        await asyncio.sleep(0.05)
        assert replay.state.published >= 1 and replay.state.paused
        before = replay.state.published
        replay.step_to_trade()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if replay.state.message == "found":
                break
        assert replay.state.message == "found"
        last_trade = (
            kernel.views.trades["binance:BTC/USDT"].items
            or kernel.views.trades["binance:ETH/USDT"].items
        )
        assert last_trade and replay.state.published > before
        assert replay.seek(start + 60 * 10**9)
        for _ in range(300):
            await asyncio.sleep(0.01)
            if replay.state.message == "at seek target":
                break
        assert replay.state.message == "at seek target"
        assert start + 59 * 10**9 < kernel.clock.timestamp_ns() <= start + 60 * 10**9
        replay.state.message = ""
        assert replay.seek(start)  # back to the start, from the keyframes
        assert replay.state.message == "at seek target"
        assert kernel.clock.timestamp_ns() <= start + 10**6 and replay.position <= 1
        replay.set_speed(None)
        replay.play()
        await asyncio.wait_for(task, 30)

    asyncio.run(drive())
    assert replay.state.done and replay.state.published == 74_864


def test_a_plain_replay_reviews_active_and_refuses_orders_with_a_reason():
    """Review is not an alarm: a plain replay reconciles cleanly (it has no account) and stays
    ACTIVE; an order sent to it is refused with REPLAY_READ_ONLY, nothing else."""
    import asyncio

    from tradeterm.domain.events import OrderRejected, TradingState
    from tradeterm.domain.market import Side

    kernel = replay_kernel(record=False)
    rejected = []
    kernel.bus.subscribe(
        "order.*", lambda m: rejected.append(m) if isinstance(m, OrderRejected) else None
    )
    asyncio.run(kernel.run())
    assert kernel.views.status.trading_state is TradingState.ACTIVE, (
        kernel.views.status.trading_state_reason
    )
    inst = next(iter(kernel.instruments.values()))
    kernel.execution.submit_order(Order("r1", inst.id, Side.BUY, qty=1, price=1))
    assert [(r.client_order_id, r.reason) for r in rejected] == [("r1", "REPLAY_READ_ONLY")]
