"""Where a recording's own-order events are, for ``o`` / ``O`` (next / previous order event) in a
replay.

``OrderEvents`` reads only the topics of a block (no events are built) the first time it is
asked about it and keeps the positions, so the key answers "there is none" without playing the
recording to its end. A damaged block counts as holding none (it cannot be read).
"""

from __future__ import annotations

import bisect

import numpy as np

from tradeterm.record.journal import DamagedBlock, JournalReader

ORDER_TOPIC = "order."  # the venue's answers to the session's own orders (``topics.orders``)


class OrderEvents:
    def __init__(self, reader: JournalReader) -> None:
        self.reader = reader
        self._found: dict[int, list[int]] = {}  # block -> record numbers of its order events

    def _in_block(self, i: int) -> list[int]:
        found = self._found.get(i)
        if found is None:
            try:
                names = self.reader.block_topics(i)
            except DamagedBlock:
                names = []
            first = int(self.reader.index.first_record[i])
            found = [first + k for k, t in enumerate(names) if t.startswith(ORDER_TOPIC)]
            self._found[i] = found
        return found

    def _block_of(self, record: int) -> int:
        first = self.reader.index.first_record
        return max(0, int(np.searchsorted(first, record, side="right")) - 1)

    def next_from(self, record: int) -> int | None:
        """The record number of the first order event at or after ``record``, or None."""
        for i in range(self._block_of(record), len(self.reader.index)):
            found = self._in_block(i)
            k = bisect.bisect_left(found, record)
            if k < len(found):
                return found[k]
        return None

    def prev_before(self, record: int) -> int | None:
        """The record number of the last order event before ``record``, or None."""
        for i in range(min(self._block_of(record), len(self.reader.index) - 1), -1, -1):
            found = self._in_block(i)
            k = bisect.bisect_left(found, record)
            if k:
                return found[k - 1]
        return None

    def any_before(self, record: int) -> bool:
        last = min(self._block_of(record), len(self.reader.index) - 1)
        return any(r < record for i in range(last + 1) for r in self._in_block(i))
