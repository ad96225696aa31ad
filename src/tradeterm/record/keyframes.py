"""Keyframes: the market's state at a point of a recording, so a replay can resume there.

A keyframe holds, per instrument, what ``book.keeper.MarketDataKeeper`` keeps: the L2 book (its
levels and sequencing state: last update id, synced, the first delta after a snapshot still to
come) and the trades tape with the session statistics of the quotes pane. It names the record
it resumes at: the state is that of the market after every record before it. Restoring it and
then applying the records from there (``play_market``) reaches the same state as playing the
recording from its start: a seek, back or forward, restores the nearest keyframe before the
target and plays the market on from it (``replay_seek.py``).

Stored as a journal frame (``frames.KIND_KEYFRAME``): the record number (int64, so a reader
scanning a file without index finds it without decoding), the encoding's version byte (2; the
first encoding had none: its zstd frame followed the record number, and it still reads), then
the keyframe, msgpack compressed with zstd. Prices are stored as differences from the level
before, sizes in units of their greatest common divisor; the tape by column: prices, trade ids,
event times and the receive time's lag behind them as differences, each column in its unit. A
version 2 keyframe is full (``base`` -1) or a delta of the full one resuming at record ``base``
(``keyframe_delta.py``). A reader of the first encoding finds no zstd frame in a version 2
keyframe and seeks from an earlier keyframe or the start instead of misreading a delta.
The recorder writes one every ``record.keyframe_interval_s`` of its clock; ``tradeterm index``
writes them for a recording made without (``keyframe_file.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
import numpy as np
import zstandard

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.book.l2 import L2Book
from tradeterm.domain.market import Side, Trade


class BookFrame(msgspec.Struct, array_like=True, frozen=True):
    instrument: str
    bid_prices: list[int]  # best first, each but the first as the difference from the one before
    bid_sizes: list[int]  # in units of ``bid_unit`` (their greatest common divisor)
    ask_prices: list[int]
    ask_sizes: list[int]
    last_update_id: int
    synced: bool
    fresh: bool
    ts_event: int
    gaps: int
    bid_unit: int = 1
    ask_unit: int = 1
    bid_gone: list[int] = []  # a delta's levels that are gone since its base (differences)
    ask_gone: list[int] = []


class TapeFrame(msgspec.Struct, array_like=True, frozen=True):
    instrument: str
    trades: list[list[int]]  # the tape, oldest first, by column (``_TRADE_COLUMNS``)
    last_price: int | None
    last_side: int
    tick: int
    open_price: int | None
    volume: int
    count: int
    at_prices: list[int]  # volume at price: prices ascending (differences), then the lots
    at_sizes: list[int]
    at_gone: list[int] = []  # a delta's prices without volume since its base (differences)
    units: list[int] = []  # version 2: each tape column's unit (``_trade_columns``)


class Keyframe(msgspec.Struct, array_like=True, frozen=True):
    record: int  # the first record not yet applied (file order)
    ts: int  # the replay clock there (the latest record time before it)
    books: list[BookFrame]
    tapes: list[TapeFrame]
    base: int = -1  # -1: a full keyframe; else a delta of the full one resuming at that record
    version: int = 1  # 1: the first encoding (the tape's columns all as differences)


VERSION = 2
_VERSION_BYTE = bytes([VERSION])
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


# a resolved delta's levels: instrument -> (bids, asks, volume at price), price -> lots
Levels = dict[str, tuple[dict[int, int], dict[int, int], dict[int, int]]]
_TRADE_COLUMNS = ("price", "size", "aggressor", "trade_id", "ts_event", "ts_recv")
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Keyframe)
_zstd_c = zstandard.ZstdCompressor(level=9)  # once a minute: ~1 ms, 4% smaller than 3
_zstd_d = zstandard.ZstdDecompressor()


def encode_keyframe(frame: Keyframe) -> bytes:
    """A version 2 keyframe (``capture`` and ``keyframe_delta`` make them)."""
    body = _zstd_c.compress(_encoder.encode(frame))
    return frame.record.to_bytes(8, "little") + _VERSION_BYTE + body


def decode_keyframe(payload: bytes) -> Keyframe:
    """Either encoding; raises ValueError when the payload is not a keyframe."""
    first = payload[8:12] == _ZSTD_MAGIC
    if not first and payload[8:9] != _VERSION_BYTE:
        raise ValueError(f"not a keyframe of a known encoding (version byte {payload[8:9]!r})")
    try:
        frame = _decoder.decode(_zstd_d.decompress(payload[8:] if first else payload[9:]))
    except (zstandard.ZstdError, msgspec.DecodeError) as exc:
        raise ValueError(f"not a keyframe: {exc}") from None
    if frame.version != (1 if first else VERSION):
        raise ValueError(f"keyframe version {frame.version} in a payload of another encoding")
    return frame


def _deltas(prices: Iterable[int]) -> list[int]:
    arr = np.fromiter(prices, dtype=np.int64)
    if arr.size:
        arr[1:] = np.diff(arr)
    out: list[int] = arr.tolist()
    return out


def _units(sizes: list[int]) -> tuple[list[int], int]:
    """(sizes in units of their greatest common divisor, that divisor): venues state sizes in
    fewer decimals than the lot, so most sizes end in zeros."""
    unit = math.gcd(*sizes) or 1
    return ([s // unit for s in sizes] if unit > 1 else sizes), unit


def _sums(deltas: list[int]) -> list[int]:
    out: list[int] = np.cumsum(np.array(deltas, dtype=np.int64)).tolist()
    return out


def _trade_columns(trades: list[Trade]) -> tuple[list[list[int]], list[int]]:
    """(the tape by column, each column's unit: the greatest common divisor of its values):
    prices, trade ids, event times and the receive time's lag behind the event as differences,
    sizes and sides as they are. Venues stamp times in milliseconds: the unit takes the zeros."""
    columns = [
        _deltas(t.price for t in trades),
        [t.size for t in trades],
        [int(t.aggressor) for t in trades],
        _deltas(t.trade_id for t in trades),
        _deltas(t.ts_event for t in trades),
        _deltas(t.ts_recv - t.ts_event for t in trades),
    ]
    scaled = [_units(c) for c in columns]
    return [c for c, _ in scaled], [u for _, u in scaled]


def _trades(instrument: str, tape: TapeFrame, version: int) -> list[Trade]:
    columns = tape.trades
    if not columns or not columns[0]:
        return []
    if version == 1:  # every column as differences
        price, size, side, tid, ts_event, ts_recv = (_sums(c) for c in columns)
    else:
        price, size, side, tid, ts_event, lag = (
            [v * unit for v in c] if unit > 1 else c for c, unit in zip(columns, tape.units)
        )
        price, tid, ts_event, lag = _sums(price), _sums(tid), _sums(ts_event), _sums(lag)
        ts_recv = [e + d for e, d in zip(ts_event, lag)]
    return [
        Trade(instrument, p, q, Side(a), i, e, r)
        for p, q, a, i, e, r in zip(price, size, side, tid, ts_event, ts_recv)
    ]


def capture(market: MarketDataKeeper, record: int, ts: int) -> Keyframe:
    """The market ``market`` keeps, as the state after records ``0 .. record - 1``."""
    books, tapes = [], []
    for iid, book in market.books.items():
        books.append(book_frame(iid, book, book.bids, book.asks))
        tapes.append(tape_frame(market, iid, market.views.stats[iid].volume_at_price))
    return Keyframe(record, ts, books, tapes, version=VERSION)


def book_frame(
    iid: str,
    book: L2Book,
    bids: dict[int, int],
    asks: dict[int, int],
    bid_gone: Iterable[int] = (),
    ask_gone: Iterable[int] = (),
) -> BookFrame:
    """The book's sequencing state with the levels given (all of them, or a delta's)."""
    bid_levels = sorted(bids.items(), reverse=True)
    ask_levels = sorted(asks.items())
    bid_sizes, bid_unit = _units([s for _, s in bid_levels])
    ask_sizes, ask_unit = _units([s for _, s in ask_levels])
    return BookFrame(
        iid,
        _deltas(p for p, _ in bid_levels),
        bid_sizes,
        _deltas(p for p, _ in ask_levels),
        ask_sizes,
        book.last_update_id,
        book.synced,
        book.fresh,
        book.ts_event,
        book.gaps,
        bid_unit,
        ask_unit,
        _deltas(sorted(bid_gone)),
        _deltas(sorted(ask_gone)),
    )


def tape_frame(
    market: MarketDataKeeper, iid: str, at_price: dict[int, int], at_gone: Iterable[int] = ()
) -> TapeFrame:
    """The tape and statistics with the volume at price given (all of it, or a delta's)."""
    stats = market.views.stats[iid]
    at = sorted(at_price.items())
    columns, units = _trade_columns(list(market.views.trades[iid]))
    return TapeFrame(
        iid,
        columns,
        stats.last_price,
        stats.last_side,
        stats.tick,
        stats.open_price,
        stats.volume,
        stats.trades,
        _deltas(p for p, _ in at),
        [s for _, s in at],
        _deltas(sorted(at_gone)),
        units,
    )


def book_levels(b: BookFrame) -> tuple[dict[int, int], dict[int, int]]:
    return (
        dict(zip(_sums(b.bid_prices), (s * b.bid_unit for s in b.bid_sizes))),
        dict(zip(_sums(b.ask_prices), (s * b.ask_unit for s in b.ask_sizes))),
    )


def at_levels(t: TapeFrame) -> dict[int, int]:
    return dict(zip(_sums(t.at_prices), t.at_sizes))


def gone(deltas: list[int]) -> list[int]:
    return _sums(deltas)


def restore(market: MarketDataKeeper, frame: Keyframe | None, levels: Levels | None = None) -> None:
    """Put ``market`` in the state of ``frame``; None: the state before the first record (an
    empty market). A delta keyframe comes with its ``levels`` (``keyframe_delta.resolve``);
    they are the market's afterwards, not copied. Every view's version moves, so the screen
    redraws once."""
    if frame is not None and frame.base >= 0 and levels is None:
        raise ValueError("a delta keyframe: resolve it against its base first")
    books = {b.instrument: b for b in frame.books} if frame is not None else {}
    tapes = {t.instrument: t for t in frame.tapes} if frame is not None else {}
    for iid, book in market.books.items():
        b = books.get(iid)
        if b is None:
            book.restore({}, {}, -1, False, False, 0, 0)
        else:
            bids, asks = levels[iid][:2] if levels is not None else book_levels(b)
            book.restore(
                bids,
                asks,
                b.last_update_id,
                b.synced,
                b.fresh,
                b.ts_event,
                b.gaps,
            )
        tape = market.views.trades[iid]
        stats = market.views.stats[iid]
        t = tapes.get(iid)
        tape.items.clear()
        tape.items.extend(
            _trades(iid, t, frame.version) if t is not None and frame is not None else ()
        )
        tape.version += 1
        stats.last_price = t.last_price if t is not None else None
        stats.last_side = t.last_side if t is not None else 0
        stats.tick = t.tick if t is not None else 0
        stats.open_price = t.open_price if t is not None else None
        stats.volume = t.volume if t is not None else 0
        stats.trades = t.count if t is not None else 0
        at = levels[iid][2] if levels is not None and t is not None else None
        stats.volume_at_price = at if at is not None else at_levels(t) if t is not None else {}
        stats.version += 1


def market_handlers(market: MarketDataKeeper) -> Callable[[str], Callable[[Any], None] | None]:
    """topic -> the keeper's handler of it (None: the keeper keeps nothing of it), the same
    routing as its bus subscriptions (``book.*``, ``trade.*``)."""

    def handler(topic: str) -> Callable[[Any], None] | None:
        if topic.startswith("book."):
            return market.on_book
        if topic.startswith("trade."):
            return market.on_trade
        return None

    return handler
