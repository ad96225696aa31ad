"""Benchmarks of the journal and the replayer (``tradeterm bench``), each beside a reference
measured in the same run on the same data: the real BTCUSDT capture of ``../shared/data`` and the
shipped recording in ``recordings/``."""

from __future__ import annotations

import asyncio
import gc
import gzip
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

from tradeterm.bench.registry import Figure, benchmark

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
QUICK_LINES = 6_000


def capture_path() -> Path | None:
    """The shared BTCUSDT capture, found as the other benchmarks find it (None: absent)."""
    from tradeterm.bench.book_bench import find_capture

    try:
        return find_capture()
    except FileNotFoundError:
        return None


def _capture() -> Path:
    from tradeterm.bench.book_bench import find_capture

    return find_capture()  # FileNotFoundError "... not found: put it in ../shared/data ..."


def _capture_lines(quick: bool) -> list[str]:
    with gzip.open(_capture(), "rt") as fh:
        return [line for _, line in zip(range(QUICK_LINES), fh)] if quick else fh.readlines()


def _import(lines: list[str], workdir: Path) -> Path:
    from tradeterm.record.binance_import import import_binance

    capture = workdir / "capture.gz"
    with gzip.open(capture, "wt") as fh:
        fh.writelines(lines)
    out = workdir / "btcusdt.ttj"
    import_binance([capture], out)
    return out


def _records(path: Path) -> tuple[list[int], list[int], list[str], list[Any]]:
    from tradeterm.record.journal import JournalReader

    with JournalReader(path) as reader:
        rows = list(reader.records_iter())
    seqs, recs, topics, msgs = (list(col) for col in zip(*rows))
    return seqs, recs, topics, msgs


def _best(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@benchmark("journal.bytes_per_event")
def bytes_per_event(quick: bool = False) -> Figure:
    lines = _capture_lines(quick)
    with tempfile.TemporaryDirectory() as tmp:
        path = _import(lines, Path(tmp))
        from tradeterm.record.journal import JournalReader

        with JournalReader(path) as reader:
            records = reader.records
        size = path.stat().st_size
    if quick:  # the reference on the same lines, gzip at its default level
        gz = len(gzip.compress("".join(lines).encode()))
    else:
        gz = _capture().stat().st_size
    return Figure(
        "journal.bytes_per_event",
        size / records,
        "bytes/event",
        "gzip of the same capture lines, bytes per message",
        gz / len(lines),
        target="<= 25",
        higher_is_better=False,
        note=f"BTCUSDT capture imported ({records:,} records incl. header and index)",
    )


@benchmark("journal.write")
def journal_write(quick: bool = False) -> Figure:
    from tradeterm.record.journal_writer import JournalWriter

    lines = _capture_lines(quick)
    with tempfile.TemporaryDirectory() as tmp:
        seqs, recs, topics, msgs = _records(_import(lines, Path(tmp)))
        n = len(msgs)
        block = 16_384
        runs = [0]

        def write() -> None:
            runs[0] += 1
            w = JournalWriter(Path(tmp) / f"w{runs[0]}.ttj", {"bench": True})
            for i in range(0, n, block):
                w.write_block(
                    seqs[i : i + block],
                    recs[i : i + block],
                    topics[i : i + block],
                    msgs[i : i + block],
                )
            w.close()

        import zstandard

        enc = msgspec.msgpack.Encoder()
        zstd = zstandard.ZstdCompressor(level=3)

        def rows() -> None:
            for i in range(0, n, block):
                zstd.compress(
                    enc.encode(
                        list(
                            zip(
                                seqs[i : i + block],
                                recs[i : i + block],
                                topics[i : i + block],
                                msgs[i : i + block],
                            )
                        )
                    )
                )

        repeat = 2 if quick else 5
        t = _best(write, repeat)
        ref = _best(rows, repeat)
    return Figure(
        "journal.write",
        n / t,
        "events/s",
        "msgpack rows + zstd of the same records (no columns), same run",
        n / ref,
        note="recorder block encoding (columns, transforms, zstd 3) plus file writes",
    )


@benchmark("journal.decode")
def journal_decode(quick: bool = False) -> Figure:
    from tradeterm.record.journal import JournalReader
    from tradeterm.record.schema import registry

    lines = _capture_lines(quick)
    with tempfile.TemporaryDirectory() as tmp:
        path = _import(lines, Path(tmp))
        seqs, recs, topics, msgs = _records(path)
        n = len(msgs)
        with JournalReader(path) as reader:

            def decode() -> None:
                for _ in reader.blocks():
                    pass

            types = tuple(spec.cls for spec in registry().by_tag.values())
            union: Any = types[0]
            for cls in types[1:]:
                union = union | cls
            rows = msgspec.msgpack.encode(msgs)
            dec = msgspec.msgpack.Decoder(list[union])
            repeat = 3 if quick else 7
            t = _best(decode, repeat)
            ref = _best(lambda: dec.decode(rows), repeat)
    return Figure(
        "journal.decode",
        n / t,
        "events/s",
        "msgspec decoding the same events from one msgpack buffer, same run",
        n / ref,
        target=">= 2,000,000 events/s",
        note="blocks read, checksummed, decompressed and turned into domain Structs",
    )


@benchmark("replay.end_to_end")
def replay_end_to_end(quick: bool = False) -> Figure:
    """``replay --paper --quoter`` of the shipped recording at max speed: market data only
    through the kernel (books, tape, recorder), the quoter on both instruments, its orders
    through risk, the OMS (in-memory store) and the paper fill model. Timed in process CPU
    time, like the reference (a decode-only pass over the same journal)."""
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel
    from tradeterm.runtime.options import RunOptions
    from tradeterm.trading.summary import desk_summary
    from tradeterm.record.journal import JournalReader

    repeat = 1 if quick else 3
    with JournalReader(SHIPPED) as reader:
        total = reader.records

        def decode() -> None:
            for _ in reader.blocks():
                pass

        ref = float("inf")
        for _ in range(repeat + 1):
            gc.collect()
            t = time.process_time()
            decode()
            ref = min(ref, time.process_time() - t)
        updates = _market_updates(reader)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            sim={"seed": 1},
            data_dir=tmp,
            quoter={"order_size": "0.0001", "warmup_bars": 10, "warmup_sweeps": 10},
            paper={"latency_ms": 5, "latency_jitter_ms": 3},
        )
        best, fills, orders = float("inf"), 0, 0
        for _ in range(repeat):
            kernel = Kernel(
                settings, RunOptions(mode="replay", replay=SHIPPED, paper=True, quoter="on")
            )
            gc.collect()
            t = time.process_time()
            asyncio.run(kernel.run())
            best = min(best, time.process_time() - t)
            assert kernel.replay is not None and kernel.replay.state.published == total
            trading = desk_summary(kernel.desk)
            fills, orders = trading["fills"], trading["orders_submitted"]
            assert fills > 0, trading
    return Figure(
        "replay.end_to_end",
        total / best,
        "events/s",
        "decode-only pass over the same journal, same run",
        total / ref,
        target=">= 1,000,000 events/s and ratio >= 0.4",
        note=f"shipped real recording (74,864 records, 230k book level updates) at max "
        f"speed, replay --paper with the quoter on both instruments: books, tape, "
        f"recorder, quoter, risk, OMS, paper fills ({orders:,} orders, {fills:,} "
        f"fills); process CPU time; {updates / best:,.0f} book level updates + trades/s "
        f"({updates:,} of them: most records are top-of-book quotes only the recorder "
        f"reads)",
    )


def _market_updates(reader: Any) -> int:
    """Book levels updated (snapshots' and deltas' levels) plus trades in the journal."""
    from tradeterm.domain.market import BookDelta, BookSnapshot, Trade

    count = 0
    for block in reader.blocks():
        for ev in block.events:
            if isinstance(ev, (BookDelta, BookSnapshot)):
                count += len(ev.bids) + len(ev.asks)
            elif isinstance(ev, Trade):
                count += 1
    return count


@benchmark("journal.seek")
def journal_seek(quick: bool = False) -> Figure:
    """Seek in a 24 h journal: 345,600 blocks of 250 ms (each a real 30-record block of the
    BTCUSDT capture, re-stamped), opened with its index; the reference is opening the same file
    after a crash (no index: every frame header is visited once)."""
    import random

    from tradeterm.record.codec import BlockEncoder
    from tradeterm.record.journal import JournalReader
    from tradeterm.record.journal_writer import JournalWriter

    hours = 1 if quick else 24
    blocks = hours * 3600 * 4
    step = 250_000_000
    with tempfile.TemporaryDirectory() as imported:
        seqs, recs, topics, msgs = _records(_import(_capture_lines(True), Path(imported)))
    per_block = 30  # the BTCUSDT capture's rate: ~120 records a second, 30 per 250 ms block
    payload, count = BlockEncoder().encode(
        seqs[100 : 100 + per_block],
        recs[100 : 100 + per_block],
        topics[100 : 100 + per_block],
        msgs[100 : 100 + per_block],
    )
    start = recs[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "day.ttj"
        w = JournalWriter(path, {"bench": "24h"})
        for b in range(blocks):
            w.append_encoded(payload, count, start + b * step, start + (b + 1) * step - 1)
        w.close()
        rng = random.Random(1)
        targets = [start + rng.randrange(blocks * step) for _ in range(20)]
        with JournalReader(path) as reader:
            t = time.perf_counter()
            for ts in targets:
                reader.seek(ts)
            per_seek = (time.perf_counter() - t) / len(targets)
        crashed = Path(tmp) / "crashed.ttj"
        crashed.write_bytes(path.read_bytes()[:-30])  # index trailer cut: a killed recorder
        t = time.perf_counter()
        with JournalReader(crashed) as reader:
            assert len(reader.index) == blocks
            reader.seek(targets[0])
        unclean = time.perf_counter() - t
        size = path.stat().st_size
    return Figure(
        "journal.seek",
        per_seek * 1000,
        "ms",
        "opening the same file without its index (killed recorder) and seeking once",
        unclean * 1000,
        target="< 100 ms on a 24 h file",
        higher_is_better=False,
        note=f"{hours} h file, {blocks:,} blocks, {size / 1e6:,.0f} MB; seek = index "
        "bisect + read + decode one block",
    )
