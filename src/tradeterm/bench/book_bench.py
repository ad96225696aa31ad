"""``book.l2_apply_real``: the L2 book applying the real BTCUSDT depth diffs, beside
NautilusTrader's ``OrderBook.apply_delta`` on the same updates (or a plain-dict book when
NautilusTrader is not installed: ``pip install -e .[bench]``)."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

from tradeterm.bench.registry import Figure, benchmark
from tradeterm.bench.shared_data import CAPTURE, find_shared
from tradeterm.book.l2 import L2Book
from tradeterm.domain.market import BookDelta, BookSnapshot
from tradeterm.venues.binance_messages import BinanceDecoder, binance_instrument

BTCUSDT = binance_instrument("BTC/USDT", "BTC", "USDT", "0.01", "0.00000001")


def find_capture() -> Path:
    """The shared capture (``bench/shared_data.py``); raises FileNotFoundError if absent."""
    path = find_shared(CAPTURE)
    if path is None:
        raise FileNotFoundError(
            f"{CAPTURE} not found: put it in ../shared/data or set TRADETERM_SHARED_DATA"
        )
    return path


def load_diffs(path: Path) -> tuple[BookSnapshot, list[BookDelta]]:
    """The snapshot and the diffs that apply after it, parsed to ticks and lots (untimed)."""
    dec = BinanceDecoder([BTCUSDT])
    snapshot: BookSnapshot | None = None
    buffered: list[BookDelta] = []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            recv, _, payload = line.partition(" ")
            msg = json.loads(payload)
            if "lastUpdateId" in msg:
                snapshot = dec.snapshot(BTCUSDT, msg, int(recv))
                continue
            data = msg["data"]
            if data.get("e") == "depthUpdate":
                buffered.append(dec.decode(data, int(recv)))  # type: ignore[arg-type]
    assert snapshot is not None
    return snapshot, [d for d in buffered if d.last_update_id > snapshot.update_id]


def time_l2(snapshot: BookSnapshot, diffs: list[BookDelta], rounds: int) -> tuple[float, L2Book]:
    best = float("inf")
    book = L2Book(BTCUSDT.id)
    for _ in range(rounds):
        book = L2Book(BTCUSDT.id)
        book.apply_snapshot(snapshot)
        apply = book.apply_delta
        start = time.process_time()
        for delta in diffs:
            apply(delta)
        best = min(best, time.process_time() - start)
    return best, book


def nautilus_reference(
    snapshot: BookSnapshot, diffs: list[BookDelta], rounds: int
) -> tuple[float, Any] | None:
    try:
        from nautilus_trader.model.book import OrderBook
        from nautilus_trader.model.data import BookOrder, OrderBookDelta
        from nautilus_trader.model.enums import BookAction, BookType, OrderSide
        from nautilus_trader.model.identifiers import InstrumentId
        from nautilus_trader.model.objects import Price, Quantity
    except ImportError:
        return None
    iid = InstrumentId.from_str("BTCUSDT.BINANCE")

    def delta(side: Any, price: int, size: int, seq: int) -> Any:
        action = BookAction.UPDATE if size else BookAction.DELETE
        order = BookOrder(side, Price(price / 100, 2), Quantity(size / 1e8, 8), 0)
        return OrderBookDelta(iid, action, order, 0, seq, 0, 0)

    updates, seq = [], 0
    for d in diffs:  # built before timing, like our parse
        for price, size in d.bids:
            seq += 1
            updates.append(delta(OrderSide.BUY, price, size, seq))
        for price, size in d.asks:
            seq += 1
            updates.append(delta(OrderSide.SELL, price, size, seq))
    best, book = float("inf"), None
    for _ in range(rounds):
        book = OrderBook(iid, BookType.L2_MBP)
        for price, size in snapshot.bids:
            book.apply_delta(delta(OrderSide.BUY, price, size, 0))
        for price, size in snapshot.asks:
            book.apply_delta(delta(OrderSide.SELL, price, size, 0))
        apply = book.apply_delta
        start = time.process_time()
        for update in updates:
            apply(update)
        best = min(best, time.process_time() - start)
    return best, book


def plain_dict_reference(
    snapshot: BookSnapshot, diffs: list[BookDelta], rounds: int
) -> tuple[float, tuple[int | None, int | None]]:
    """Without NautilusTrader: dict per side, best recomputed by max/min when it goes."""
    best_t = float("inf")
    tops: tuple[int | None, int | None] = (None, None)
    for _ in range(rounds):
        bids = dict(snapshot.bids)
        asks = dict(snapshot.asks)
        bb, ba = max(bids), min(asks)
        start = time.process_time()
        for d in diffs:
            for price, size in d.bids:
                if size:
                    bids[price] = size
                    if price > bb:
                        bb = price
                else:
                    bids.pop(price, None)
                    if price == bb:
                        bb = max(bids)
            for price, size in d.asks:
                if size:
                    asks[price] = size
                    if price < ba:
                        ba = price
                else:
                    asks.pop(price, None)
                    if price == ba:
                        ba = min(asks)
        best_t = min(best_t, time.process_time() - start)
        tops = (bb, ba)
    return best_t, tops


@benchmark("book.l2_apply_real")
def l2_apply_real(quick: bool) -> Figure:
    snapshot, diffs = load_diffs(find_capture())
    if quick:
        diffs = diffs[:300]
    rounds = 1 if quick else 7
    updates = sum(len(d.bids) + len(d.asks) for d in diffs)
    ours, book = time_l2(snapshot, diffs, rounds)
    ref = nautilus_reference(snapshot, diffs, rounds)
    if ref is not None:
        ref_time, nbook = ref
        if (str(nbook.best_bid_price()), str(nbook.best_ask_price())) != (
            BTCUSDT.format_price(book.best_bid),
            BTCUSDT.format_price(book.best_ask),
        ):
            raise AssertionError("NautilusTrader and the L2 book disagree on the final top")
        import nautilus_trader

        reference = (
            f"NautilusTrader {nautilus_trader.__version__} OrderBook(L2_MBP)"
            ".apply_delta on the same level updates (deltas built before timing)"
        )
    else:
        ref_time, tops = plain_dict_reference(snapshot, diffs, rounds)
        if tops != (book.best_bid, book.best_ask):
            raise AssertionError("the plain-dict reference and the L2 book disagree")
        reference = (
            "plain-dict book (NautilusTrader not installed: pip install -e .[bench]), same updates"
        )
    return Figure(
        name="book.l2_apply_real",
        value=updates / ours,
        unit="level updates/s",
        reference=reference,
        reference_value=updates / ref_time,
        target=">= 3,000,000/s and ratio >= 0.5 against NautilusTrader",
        note=(
            f"{len(diffs):,} real BTCUSDT depth diffs, {updates:,} level updates, applied with "
            f"sequence checks and best bid/ask kept; parse excluded; best of {rounds}; final "
            f"top {BTCUSDT.format_price(book.best_bid)} / "
            f"{BTCUSDT.format_price(book.best_ask)}"
        ),
    )
