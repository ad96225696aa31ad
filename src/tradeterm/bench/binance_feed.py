"""Native Binance feed figure: real capture frames through the feed's message handling and the
book keeper, beside bare decoding of the same frames."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from tradeterm.bench.registry import Figure, benchmark
from tradeterm.bench.shared_data import CAPTURE, find_shared


def find_capture() -> Path | None:
    """The shared capture (``bench/shared_data.py``), if present."""
    return find_shared(CAPTURE)


@benchmark("binance_feed.messages")
def feed_messages(quick: bool) -> Figure:
    """Frames a second through ``BinanceMarketFeed`` (JSON decode, exact string->tick parsing,
    sequence checks, bus, L2 book), beside msgspec decoding plus ``BinanceDecoder`` alone."""
    import msgspec

    from tradeterm.book.keeper import MarketDataKeeper
    from tradeterm.book.l2 import L2Book
    from tradeterm.config import BinanceConfig
    from tradeterm.core.bus import MessageBus
    from tradeterm.core.clock import LiveClock
    from tradeterm.core.views import EngineViews, StatusView
    from tradeterm.venues.binance_feed import BinanceMarketFeed
    from tradeterm.venues.binance_messages import (
        BinanceDecoder,
        UnknownMessage,
        binance_instrument,
    )

    path = find_capture()
    if path is None:  # skipped with the reason, as every figure without its input (cli/bench.py)
        raise FileNotFoundError(
            f"{CAPTURE} not found: put it in ../shared/data or set TRADETERM_SHARED_DATA"
        )
    lines = gzip.open(path, "rt").read().splitlines()
    if quick:
        lines = lines[:3000]
    frames = [line.split(" ", 1)[1].encode() for line in lines]
    inst = binance_instrument("BTC/USDT", "BTC", "USDT", "0.01", "0.00000001")

    decode = msgspec.json.Decoder().decode
    decoder = BinanceDecoder([inst])

    def bare() -> float:
        started = time.perf_counter()
        for frame in frames:
            msg = decode(frame)
            if "data" in msg:
                try:
                    decoder.decode(msg["data"], 0)
                except UnknownMessage:
                    pass
        return len(frames) / (time.perf_counter() - started)

    bare()  # warm up: parsing caches, allocator
    reference = bare()

    bus = MessageBus()
    views = EngineViews(StatusView(mode="LIVE", venue="binance"))
    MarketDataKeeper(bus, views, [inst])
    feed = BinanceMarketFeed("binance", bus, LiveClock(), [inst], BinanceConfig(), "ws://-")
    sync = feed.books[inst.id]
    started = time.perf_counter()
    for frame in frames:
        if frame.startswith(b'{"lastUpdateId"'):  # the REST snapshot, as _sync_book takes it
            snap = decoder.snapshot(inst, decode(frame), 0)
            pending = [d for d in sync.buffer if d.last_update_id > snap.update_id]
            bus.publish(sync.topic, snap)
            sync.live, sync.fresh, sync.last_u, sync.buffer = True, True, snap.update_id, []
            for delta in pending:
                feed._apply(sync, delta)
        else:
            feed._on_message(frame)
    value = len(frames) / (time.perf_counter() - started)
    book = views.books[inst.id]
    assert isinstance(book, L2Book)  # the keeper's own book, with its gap count
    if not book.synced or book.gaps or feed.stats.bad_messages:
        raise RuntimeError("bench replay did not keep the book in sync")
    return Figure(
        "binance_feed.messages",
        value,
        "msg/s",
        "msgspec decode + BinanceDecoder of the same frames, same process",
        reference,
        target="ratio >= 0.4 (sync, bus and book cost at most 1.5x the decoding)",
        note=f"{len(frames):,} real BTCUSDT frames (depth, trade, bookTicker)",
    )
