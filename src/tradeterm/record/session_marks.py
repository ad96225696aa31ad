"""Where the recorded session's own trading is in a recording: its fills (numbered 1, 2, ... in
the order they happened) and the first event of each of its orders (by client order id), for
``g fill 12`` / ``g #12`` / ``g order ID``, the previous / next fill keys and the progress bar's
fill marks.

The recording is read once, the first time it is asked: only the topics of each block, and the
events of the blocks holding order events (``order.*``), so a recording of market data alone
costs one pass over its topics. A damaged block counts as holding none.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tradeterm.domain.events import OrderFilled
from tradeterm.record.journal import DamagedBlock, JournalReader
from tradeterm.record.replay_marks import ORDER_TOPIC


@dataclass(frozen=True)
class Mark:
    record: int  # the record number (file order, 0-based)
    ts: int  # its time


class SessionMarks:
    def __init__(self, reader: JournalReader) -> None:
        self.reader = reader
        self._fills: list[Mark] | None = None
        self._orders: dict[str, Mark] = {}

    @property
    def fills(self) -> list[Mark]:
        if self._fills is None:
            self._fills = self._scan()
        return self._fills

    @property
    def orders(self) -> dict[str, Mark]:
        """Each recorded order's first event, by client order id."""
        self.fills  # noqa: B018  # the scan finds both
        return self._orders

    def _scan(self) -> list[Mark]:
        reader, fills = self.reader, []
        for i in range(len(reader.index)):
            try:
                if not any(t.startswith(ORDER_TOPIC) for t in reader.block_topics(i)):
                    continue
                block = reader.read_block(i)
            except DamagedBlock:
                continue
            first = int(reader.index.first_record[i])
            for k, topic in enumerate(block.topics):
                if not topic.startswith(ORDER_TOPIC):
                    continue
                event, mark = block.events[k], Mark(first + k, block.times[k])
                if isinstance(event, OrderFilled):
                    fills.append(mark)
                coid = getattr(event, "client_order_id", None)
                if isinstance(coid, str):
                    self._orders.setdefault(coid, mark)
        return fills

    def fill(self, number: int) -> Mark | None:
        """Fill ``number`` (1-based), or None."""
        return self.fills[number - 1] if 1 <= number <= len(self.fills) else None

    def next_fill(self, after: int) -> tuple[int, Mark] | None:
        """(number, mark) of the first fill after record ``after``, or None."""
        records = [m.record for m in self.fills]
        k = bisect.bisect_right(records, after)
        return (k + 1, self.fills[k]) if k < len(records) else None

    def prev_fill(self, before: int) -> tuple[int, Mark] | None:
        """(number, mark) of the last fill before record ``before``, or None."""
        records = [m.record for m in self.fills]
        k = bisect.bisect_left(records, before)
        return (k, self.fills[k - 1]) if k > 0 else None
