"""Market data value types. Prices in ticks, sizes in lots, times in ns since the epoch.

``ts_event`` is when the venue says it happened; ``ts_recv`` is when we received it. Book updates
carry the venue's update ids so the book can detect gaps (Binance: ``U``/``u``, futures ``pu``).
"""

from __future__ import annotations

from enum import IntEnum

import msgspec


class Side(IntEnum):
    """Order side. The value is the sign of the position change."""

    BUY = 1
    SELL = -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


Level = tuple[int, int]  # (price ticks, size lots); size 0 in a delta deletes the level


class BookSnapshot(msgspec.Struct, frozen=True, gc=False, tag=True):
    """The whole visible book at ``update_id``; bids best first, asks best first."""

    instrument: str
    bids: list[Level]
    asks: list[Level]
    update_id: int
    ts_event: int
    ts_recv: int


class BookDelta(msgspec.Struct, frozen=True, gc=False, tag=True):
    """Level changes from one venue update. Sizes are absolute; 0 removes the level.

    ``first_update_id``..``last_update_id`` is the range of venue update ids this message covers;
    ``prev_update_id`` is the futures-style ``pu`` (last id of the previous message) or -1.
    """

    instrument: str
    bids: list[Level]
    asks: list[Level]
    first_update_id: int
    last_update_id: int
    ts_event: int
    ts_recv: int
    prev_update_id: int = -1


class Trade(msgspec.Struct, frozen=True, gc=False, tag=True):
    """A public trade. ``aggressor`` is the taker's side."""

    instrument: str
    price: int
    size: int
    aggressor: Side
    trade_id: int
    ts_event: int
    ts_recv: int


class TopOfBook(msgspec.Struct, frozen=True, gc=False, tag=True):
    """Best bid and ask as the venue reports them (e.g. Binance bookTicker)."""

    instrument: str
    bid_price: int
    bid_size: int
    ask_price: int
    ask_size: int
    update_id: int
    ts_event: int
    ts_recv: int
