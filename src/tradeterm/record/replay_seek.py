"""Seeking a replay's market anywhere, back or forward, without playing it on the bus.

``MarketSeek`` makes the market views (``MarketDataKeeper``: books, tape, statistics) what they
were right before a record of the recording: it restores the nearest keyframe at or before it
(the recording's own, else its side file's from ``tradeterm index``, else the start: an empty
market) and applies the records from there to the keeper directly. Nothing goes on the bus: no
view redraws per record, the recorder records nothing of what was skipped, no paper fill model
or quoter sees it. When the replay already stands between that keyframe and the target, it plays
on from where it is instead.
"""

from __future__ import annotations

import logging

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.keyframe_file import side_keyframes
from tradeterm.record.keyframes import Keyframe, decode_keyframe, market_handlers, restore

log = logging.getLogger(__name__)


class MarketSeek:
    def __init__(self, reader: JournalReader, market: MarketDataKeeper) -> None:
        self.reader = reader
        self.market = market
        # where the keyframes are: in the recording, else in its side file (or nowhere)
        self.keys: JournalReader | None = (
            reader if len(reader.keyframes) else side_keyframes(reader)
        )
        self._route = market_handlers(market)

    def close(self) -> None:
        if self.keys is not None and self.keys is not self.reader:
            self.keys.close()

    @property
    def keyframes(self) -> int:
        return len(self.keys.keyframes) if self.keys is not None else 0

    def keyframe_before(self, record: int) -> Keyframe | None:
        """The last readable keyframe resuming at or before ``record`` (None: the start)."""
        keys = self.keys
        if keys is None:
            return None
        i = keys.keyframes.at_or_before(record)
        while i is not None and i >= 0:
            try:
                return decode_keyframe(keys.keyframe_payload(i))
            except (JournalError, ValueError) as exc:
                log.warning(
                    "%s: keyframe %d unreadable (%s); using an earlier one", keys.path, i, exc
                )
                i -= 1
        return None

    def jump(self, record: int, here: int, now: int) -> int:
        """Make the market what it was before ``record`` (file order), the replay standing
        before ``here`` with its clock at ``now``; returns the clock time there."""
        frame = self.keyframe_before(record)
        start = frame.record if frame is not None else 0
        if start <= here <= record:
            return max(now, self.play(here, record))
        restore(self.market, frame)
        at = frame.ts if frame is not None else (self.reader.start_ns or 0)
        return max(at, self.play(start, record))

    def play(self, first: int, end: int) -> int:
        """Apply records ``first .. end - 1`` to the keeper; returns their latest time (0 when
        none). A damaged block skipped by the reader is skipped here too."""
        reader, route = self.reader, self._route
        latest = 0
        if first >= end:
            return latest
        i, pos = reader.locate(first)
        while i < len(reader.index):
            block = reader.readable_block(i)
            base = int(reader.index.first_record[i])
            if block is not None:
                stop = min(len(block), end - base)
                handlers = {t: route(t) for t in set(block.topics[pos:stop])}
                for topic, event in zip(block.topics[pos:stop], block.events[pos:stop]):
                    handler = handlers[topic]
                    if handler is not None:
                        handler(event)
                if stop > pos:
                    latest = max(latest, max(block.times[pos:stop]))
            if base + int(reader.index.records[i]) >= end:
                break
            i, pos = i + 1, 0
        return latest
