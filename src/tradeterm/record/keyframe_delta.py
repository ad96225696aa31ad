"""Delta keyframes: between full keyframes, only what changed since the last full one.

A deep book's levels barely compress (their sizes are close to random), so a full keyframe of
two books of a thousand levels a side takes ~12 KB, most of it levels that did not move in the
minute since the one before. ``KeyframeEncoder`` writes a full keyframe every ``FULL_EVERY``
keyframes and, between them, deltas of the last full one (``Keyframe.base``: the record that
full keyframe resumes at): each book's levels set or gone since it, its sequencing state, the
volume at price set or gone since it, and the tape and statistics whole (the tape turns over
within a minute on a busy market). A delta names its base, never the delta before it, so a seek
decodes at most two keyframes: ``resolve`` applies a delta to its base, giving the full keyframe
``keyframes.restore`` takes.
"""

from __future__ import annotations

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.record.keyframes import (
    VERSION,
    Keyframe,
    Levels,
    at_levels,
    book_frame,
    book_levels,
    capture,
    encode_keyframe,
    gone,
    tape_frame,
)

FULL_EVERY = 10  # one full keyframe, then this many less one deltas of it


def _changes(now: dict[int, int], base: dict[int, int]) -> tuple[dict[int, int], list[int]]:
    """(the levels of ``now`` that are new or other than in ``base``, the prices gone)."""
    changed = {p: s for p, s in now.items() if base.get(p) != s}
    return changed, [p for p in base if p not in now]


def _apply(base: dict[int, int], changed: dict[int, int], gone_prices: list[int]) -> dict[int, int]:
    out = dict(base)
    for p in gone_prices:
        del out[p]
    out.update(changed)
    return out


class KeyframeEncoder:
    """The keyframes of one file, in order: ``encode`` the market's state after ``record``."""

    def __init__(self, full_every: int = FULL_EVERY) -> None:
        self.full_every = max(1, full_every)
        self._since_full = 0
        self._base_record = -1  # the record the last full keyframe resumes at (-1: none yet)
        # the last full keyframe's levels: instrument -> (bids, asks, volume at price)
        self._base: dict[str, tuple[dict[int, int], dict[int, int], dict[int, int]]] = {}

    def encode(self, market: MarketDataKeeper, record: int, ts: int) -> bytes:
        if self._base_record < 0 or self._since_full + 1 >= self.full_every:
            return self._full(market, record, ts)
        self._since_full += 1
        books, tapes = [], []
        for iid, book in market.books.items():
            base_bids, base_asks, base_at = self._base.get(iid, ({}, {}, {}))
            bids, bids_gone = _changes(book.bids, base_bids)
            asks, asks_gone = _changes(book.asks, base_asks)
            books.append(book_frame(iid, book, bids, asks, bids_gone, asks_gone))
            at, at_gone = _changes(market.views.stats[iid].volume_at_price, base_at)
            tapes.append(tape_frame(market, iid, at, at_gone))
        return encode_keyframe(Keyframe(record, ts, books, tapes, self._base_record, VERSION))

    def _full(self, market: MarketDataKeeper, record: int, ts: int) -> bytes:
        self._since_full = 0
        self._base_record = record
        self._base = {
            iid: (dict(book.bids), dict(book.asks), dict(market.views.stats[iid].volume_at_price))
            for iid, book in market.books.items()
        }
        return encode_keyframe(capture(market, record, ts))


def resolve(delta: Keyframe, base: Keyframe) -> tuple[Keyframe, Levels]:
    """The levels ``delta`` stands for (``keyframes.restore`` takes them with it), given the
    full keyframe it was made against. Raises ValueError when ``base`` is not that one."""
    if base.base >= 0 or base.record != delta.base:
        raise ValueError(f"keyframe at record {base.record} is not the base {delta.base}")
    base_books = {b.instrument: b for b in base.books}
    base_tapes = {t.instrument: t for t in base.tapes}
    levels: Levels = {}
    for b, t in zip(delta.books, delta.tapes):
        bb, bt = base_books.get(b.instrument), base_tapes.get(t.instrument)
        base_bids, base_asks = book_levels(bb) if bb is not None else ({}, {})
        bids, asks = book_levels(b)
        levels[b.instrument] = (
            _apply(base_bids, bids, gone(b.bid_gone)),
            _apply(base_asks, asks, gone(b.ask_gone)),
            _apply(at_levels(bt) if bt is not None else {}, at_levels(t), gone(t.at_gone)),
        )
    return delta, levels
