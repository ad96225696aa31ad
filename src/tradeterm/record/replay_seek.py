"""Seeking a replay's market anywhere, back or forward, without playing it on the bus.

``MarketSeek`` makes the market views (``MarketDataKeeper``: books, tape, statistics) what they
were right before a record of the recording: it restores the nearest keyframe at or before it
(the recording's own, else its side file's from ``tradeterm index``, else the start: an empty
market; a delta keyframe is applied to the full one it names, ``keyframe_delta.py``) and
applies the records from there to the keeper directly. Nothing goes on the bus: no view redraws
per record, the recorder records nothing of what was skipped, no paper fill model
or quoter sees it. When the replay already stands between that keyframe and the target, it plays
on from where it is instead.
"""

from __future__ import annotations

import logging

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.keyframe_file import side_keyframes
from tradeterm.record.keyframe_delta import resolve
from tradeterm.record.keyframes import Keyframe, Levels, decode_keyframe, market_handlers, restore

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
        self._full: tuple[int, Keyframe] | None = None  # the last full keyframe decoded (number)

    def close(self) -> None:
        if self.keys is not None and self.keys is not self.reader:
            self.keys.close()

    @property
    def keyframes(self) -> int:
        return len(self.keys.keyframes) if self.keys is not None else 0

    def keyframe_before(self, record: int) -> tuple[Keyframe, Levels | None] | None:
        """The last readable keyframe resuming at or before ``record`` with, for a delta, the
        levels it stands for (None: the start)."""
        keys = self.keys
        if keys is None:
            return None
        i = keys.keyframes.at_or_before(record)
        while i is not None and i >= 0:
            try:
                frame = self._decode(i)
                if frame.base < 0:
                    return frame, None
                return resolve(frame, self._base_of(frame.base))
            except (JournalError, ValueError) as exc:
                log.warning(
                    "%s: keyframe %d unreadable (%s); using an earlier one", keys.path, i, exc
                )
                i -= 1
        return None

    def _decode(self, i: int) -> Keyframe:
        if self._full is not None and self._full[0] == i:
            return self._full[1]
        assert self.keys is not None
        frame = decode_keyframe(self.keys.keyframe_payload(i))
        if frame.base < 0:
            self._full = (i, frame)
        return frame

    def _base_of(self, record: int) -> Keyframe:
        """The full keyframe resuming at ``record`` (the last of those at that record)."""
        assert self.keys is not None
        keys = self.keys.keyframes
        j = keys.at_or_before(record)
        while j is not None and j >= 0 and int(keys.record[j]) == record:
            frame = self._decode(j)
            if frame.base < 0:
                return frame
            j -= 1
        raise ValueError(f"no full keyframe at record {record} for a delta")

    def jump(self, record: int, here: int, now: int) -> int:
        """Make the market what it was before ``record`` (file order), the replay standing
        before ``here`` with its clock at ``now``; returns the clock time there."""
        found = self.keyframe_before(record)
        frame = found[0] if found is not None else None
        start = frame.record if frame is not None else 0
        if start <= here <= record:
            return max(now, self.play(here, record))
        restore(self.market, frame, found[1] if found is not None else None)
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
