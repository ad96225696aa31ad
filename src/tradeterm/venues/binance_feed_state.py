"""The Binance market data feed's state: each book being synced from a REST snapshot and the
diff stream, with the rule a diff must follow to continue the chain (Binance's "How to manage a
local order book correctly", spot and USD-M futures), and the feed's counters. The procedure
itself is ``binance_feed``'s.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tradeterm.core import topics
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta
from tradeterm.venues.binance_messages import stream_symbol


@dataclass
class FeedStats:
    connects: int = 0
    reconnects: int = 0  # connections after the first
    planned_reconnects: int = 0  # 24 h rotation, serverShutdown
    snapshots: int = 0
    snapshot_failures: int = 0  # refused, 5xx or not answered within snapshot_timeout_s
    resyncs: int = 0  # gaps that forced a new snapshot
    duplicates: int = 0  # diffs dropped as already applied
    stale: int = 0
    bad_messages: int = 0
    messages: int = 0


class BookSync:
    """One symbol's book sync: the diffs buffered until a snapshot, then the last update id
    applied (``live``; ``fresh`` until the first diff after the snapshot)."""

    __slots__ = ("instrument", "symbol", "topic", "live", "fresh", "last_u", "buffer", "task")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.symbol = stream_symbol(instrument)
        self.topic = topics.book(instrument.id)
        self.live = False
        self.fresh = False
        self.last_u = -1
        self.buffer: list[BookDelta] = []
        self.task: asyncio.Task[None] | None = None

    def restart(self) -> None:
        self.live = False
        self.fresh = False
        self.buffer = []

    def follows(self, delta: BookDelta) -> bool:
        """Whether ``delta`` continues the chain: the first after the snapshot must straddle
        ``N + 1``, each later one start at the previous ``u + 1`` (spot) or name it as ``pu``
        (futures)."""
        last = self.last_u
        if self.fresh:
            in_sequence = delta.first_update_id <= last + 1
        elif delta.prev_update_id >= 0:
            in_sequence = delta.prev_update_id == last
        else:
            in_sequence = delta.first_update_id == last + 1
        return in_sequence
