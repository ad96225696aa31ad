"""Records only the recorder reads (the recording's top-of-book quotes in a `--paper` replay) are
noted in bulk, without a bus delivery each: the run's journal is the same byte for byte as when
something else listens to them and they go out one by one, and a component that starts
listening halfway gets every one from then on."""

import asyncio
from pathlib import Path

from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.record.journal import JournalReader

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
QUOTER = {"order_size": "0.0001", "warmup_bars": 10, "warmup_sweeps": 10}


def paper_kernel(journal: Path | None) -> Kernel:
    settings = load_settings(
        sim={"seed": 5}, quoter=QUOTER, paper={"latency_ms": 5, "latency_jitter_ms": 3}
    )
    options = RunOptions(
        mode="replay",
        replay=SHIPPED,
        paper=True,
        quoter="on",
        record=journal is not None,
        recording=journal,
    )
    return Kernel(settings, options)


def test_quotes_noted_in_bulk_leave_the_journal_as_one_by_one(tmp_path):
    bulk = paper_kernel(tmp_path / "bulk.ttj")
    asyncio.run(bulk.run())
    one_by_one = paper_kernel(tmp_path / "one.ttj")
    quotes = []
    one_by_one.bus.subscribe("quote.*", quotes.append)
    asyncio.run(one_by_one.run())
    with JournalReader(SHIPPED) as reader:
        recorded = sum(t.startswith("quote.") for b in reader.blocks() for t in b.topics)
    assert len(quotes) == recorded > 50_000
    assert bulk.summary()["trading"]["fills"] > 0
    assert (tmp_path / "bulk.ttj").read_bytes() == (tmp_path / "one.ttj").read_bytes()


def test_a_listener_subscribed_halfway_gets_every_quote_after():
    with JournalReader(SHIPPED) as reader:
        topics = [t for b in reader.blocks() for t in b.topics]
    first_trade = next(i for i, t in enumerate(topics) if t.startswith("trade."))
    after = sum(t.startswith("quote.") for t in topics[first_trade + 1 :])
    kernel = paper_kernel(None)  # no journal: the recorder's stand-in is told the records
    quotes: list = []

    def on_trade(_msg) -> None:
        if not listening:
            listening.append(True)
            kernel.bus.subscribe("quote.*", quotes.append)

    listening: list = []
    kernel.bus.subscribe("trade.*", on_trade)
    asyncio.run(kernel.run())
    assert len(quotes) == after > 0
    assert len(quotes) < sum(t.startswith("quote.") for t in topics)
