"""Keyframes: the market's state at a point of a recording, so a replay can resume there.

A keyframe holds, per instrument, what ``book.keeper.MarketDataKeeper`` keeps: the L2 book (its
levels and sequencing state: last update id, synced, the first delta after a snapshot still to
come) and the trades tape with the session statistics of the quotes pane. It names the record
it resumes at: the state is that of the market after every record before it. Restoring it and
then applying the records from there (``play_market``) reaches the same state as playing the
recording from its start: a seek, back or forward, restores the nearest keyframe before the
target and plays the market on from it (``replay_seek.py``).

Stored as a journal frame (``frames.KIND_KEYFRAME``): the record number (int64, so a reader
scanning a file without index finds it without decoding) then the keyframe, msgpack compressed
with zstd; prices are stored as differences from the level before, which compress to little.
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


class TapeFrame(msgspec.Struct, array_like=True, frozen=True):
    instrument: str
    trades: list[list[int]]  # the tape, oldest first, by column (``_TRADE_COLUMNS``, differences)
    last_price: int | None
    last_side: int
    tick: int
    open_price: int | None
    volume: int
    count: int
    at_prices: list[int]  # volume at price: prices ascending (differences), then the lots
    at_sizes: list[int]


class Keyframe(msgspec.Struct, array_like=True, frozen=True):
    record: int  # the first record not yet applied (file order)
    ts: int  # the replay clock there (the latest record time before it)
    books: list[BookFrame]
    tapes: list[TapeFrame]


_TRADE_COLUMNS = ("price", "size", "aggressor", "trade_id", "ts_event", "ts_recv")
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Keyframe)
_zstd_c = zstandard.ZstdCompressor(level=3)
_zstd_d = zstandard.ZstdDecompressor()


def encode_keyframe(frame: Keyframe) -> bytes:
    return frame.record.to_bytes(8, "little") + _zstd_c.compress(_encoder.encode(frame))


def decode_keyframe(payload: bytes) -> Keyframe:
    """Raises ValueError when the payload is not a keyframe."""
    try:
        return _decoder.decode(_zstd_d.decompress(payload[8:]))
    except (zstandard.ZstdError, msgspec.DecodeError) as exc:
        raise ValueError(f"not a keyframe: {exc}") from None


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


def _trade_columns(trades: list[Trade]) -> list[list[int]]:
    return [_deltas(int(getattr(t, name)) for t in trades) for name in _TRADE_COLUMNS]


def _trades(instrument: str, columns: list[list[int]]) -> list[Trade]:
    if not columns or not columns[0]:
        return []
    price, size, side, tid, ts_event, ts_recv = (_sums(c) for c in columns)
    return [
        Trade(instrument, p, q, Side(a), i, e, r)
        for p, q, a, i, e, r in zip(price, size, side, tid, ts_event, ts_recv)
    ]


def capture(market: MarketDataKeeper, record: int, ts: int) -> Keyframe:
    """The market ``market`` keeps, as the state after records ``0 .. record - 1``."""
    books, tapes = [], []
    for iid, book in market.books.items():
        bids = sorted(book.bids.items(), reverse=True)
        asks = sorted(book.asks.items())
        bid_sizes, bid_unit = _units([s for _, s in bids])
        ask_sizes, ask_unit = _units([s for _, s in asks])
        books.append(
            BookFrame(
                iid,
                _deltas(p for p, _ in bids),
                bid_sizes,
                _deltas(p for p, _ in asks),
                ask_sizes,
                book.last_update_id,
                book.synced,
                book.fresh,
                book.ts_event,
                book.gaps,
                bid_unit,
                ask_unit,
            )
        )
        stats = market.views.stats[iid]
        at = sorted(stats.volume_at_price.items())
        tapes.append(
            TapeFrame(
                iid,
                _trade_columns(list(market.views.trades[iid])),
                stats.last_price,
                stats.last_side,
                stats.tick,
                stats.open_price,
                stats.volume,
                stats.trades,
                _deltas(p for p, _ in at),
                [s for _, s in at],
            )
        )
    return Keyframe(record, ts, books, tapes)


def restore(market: MarketDataKeeper, frame: Keyframe | None) -> None:
    """Put ``market`` in the state of ``frame``; None: the state before the first record (an
    empty market). Every view's version moves, so the screen redraws once."""
    books = {b.instrument: b for b in frame.books} if frame is not None else {}
    tapes = {t.instrument: t for t in frame.tapes} if frame is not None else {}
    for iid, book in market.books.items():
        b = books.get(iid)
        if b is None:
            book.restore({}, {}, -1, False, False, 0, 0)
        else:
            book.restore(
                dict(zip(_sums(b.bid_prices), (s * b.bid_unit for s in b.bid_sizes))),
                dict(zip(_sums(b.ask_prices), (s * b.ask_unit for s in b.ask_sizes))),
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
        tape.items.extend(_trades(iid, t.trades) if t is not None else ())
        tape.version += 1
        stats.last_price = t.last_price if t is not None else None
        stats.last_side = t.last_side if t is not None else 0
        stats.tick = t.tick if t is not None else 0
        stats.open_price = t.open_price if t is not None else None
        stats.volume = t.volume if t is not None else 0
        stats.trades = t.count if t is not None else 0
        stats.volume_at_price = dict(zip(_sums(t.at_prices), t.at_sizes)) if t is not None else {}
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
