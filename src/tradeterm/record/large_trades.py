"""Where a recording's large trades are: public trades of at least ``[replay] large_trade``
(base units, each instrument's lots), for the next / previous large trade keys.

A block is decoded the first time a search crosses it and its large trades kept, so a search
reads only the blocks between the replay and the trade it finds. A damaged block holds none.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

import numpy as np

from tradeterm.domain.market import Trade
from tradeterm.record.journal import DamagedBlock, JournalReader
from tradeterm.record.session_marks import Mark

TRADE_TOPIC = "trade."


class LargeTrades:
    def __init__(self, reader: JournalReader, min_lots: Mapping[str, int]) -> None:
        self.reader = reader
        self.min_lots = dict(min_lots)  # instrument id -> the smallest large trade, in lots
        self._found: dict[int, list[Mark]] = {}

    def _in_block(self, i: int) -> list[Mark]:
        found = self._found.get(i)
        if found is None:
            found = []
            try:
                block = self.reader.read_block(i)
            except DamagedBlock:
                block = None
            if block is not None:
                first = int(self.reader.index.first_record[i])
                for k, event in enumerate(block.events):
                    if type(event) is Trade and event.size >= self.min_lots.get(
                        event.instrument, 1 << 62
                    ):
                        found.append(Mark(first + k, block.times[k]))
            self._found[i] = found
        return found

    def _block_of(self, record: int) -> int:
        first = self.reader.index.first_record
        return max(0, int(np.searchsorted(first, record, side="right")) - 1)

    def next_after(self, record: int) -> Mark | None:
        """The first large trade after record ``record``, or None."""
        for i in range(self._block_of(record), len(self.reader.index)):
            found = self._in_block(i)
            k = bisect.bisect_right([m.record for m in found], record)
            if k < len(found):
                return found[k]
        return None

    def prev_before(self, record: int) -> Mark | None:
        """The last large trade before record ``record``, or None."""
        for i in range(min(self._block_of(record), len(self.reader.index) - 1), -1, -1):
            found = self._in_block(i)
            k = bisect.bisect_left([m.record for m in found], record)
            if k:
                return found[k - 1]
        return None
