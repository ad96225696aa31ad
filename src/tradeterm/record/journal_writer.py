"""Appending to a new journal file (the format: ``frames.py``; reading: ``journal.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from tradeterm.core.files import create_private, private_dir
from tradeterm.record.codec import BlockEncoder
from tradeterm.record.frames import (
    CODEC_COLUMNS_ZSTD,
    CODEC_KEYFRAME_ZSTD,
    CODEC_MSGPACK,
    CODEC_OWN_ZSTD,
    FORMAT_VERSION,
    INDEX_FIELDS,
    KEYFRAME_FIELDS,
    KIND_BLOCK,
    KIND_HEADER,
    KIND_INDEX,
    KIND_KEYFRAME,
    KIND_OWN,
    MAGIC,
    TRAILER_SIZE,
    pack_frame,
    pack_trailer,
)


class JournalWriter:
    """Appends blocks to a new journal file. Every ``write_block`` reaches the OS before it
    returns (a killed process loses nothing already written); ``fsync`` pushes to the disk."""

    def __init__(self, path: Path | str, header: dict[str, Any], level: int = 3) -> None:
        self.path = Path(path)
        private_dir(self.path.parent)
        # one file per session, never overwritten (FileExistsError); only the trader reads it
        self._fh = os.fdopen(create_private(self.path, exclusive=True), "ab")
        self._encoder = BlockEncoder(level=level)
        self._msgpack = msgspec.msgpack.Encoder()
        header = {"format": FORMAT_VERSION, **header}
        self.header = header
        self._fh.write(MAGIC + pack_frame(KIND_HEADER, CODEC_MSGPACK, self._msgpack.encode(header)))
        self._fh.flush()
        self._offset = self._fh.tell()
        self._index: list[tuple[int, int, int, int, int]] = []
        self._keyframes: list[tuple[int, int, int]] = []  # (offset, ts, record)
        self.keyframe_bytes = 0  # what the keyframes take of the file
        self.own_bytes = 0  # what the own-state frames take of it
        self.records = 0
        self.bytes_written = self._offset
        self.closed = False

    @property
    def unrecordable(self) -> dict[str, int]:
        return self._encoder.unrecordable

    def write_block(
        self, seqs: list[int], recs: list[int], topics: list[str], msgs: list[Any]
    ) -> int:
        """Encode and append one block; returns the records written."""
        if not msgs:
            return 0
        payload, count = self._encoder.encode(seqs, recs, topics, msgs)
        if count == 0:
            return 0
        self.append_encoded(payload, count, min(recs), max(recs))
        return count

    def append_encoded(self, payload: bytes, count: int, first_ts: int, last_ts: int) -> None:
        """Append an already encoded block (``BlockEncoder.encode``) covering those times."""
        frame = pack_frame(KIND_BLOCK, CODEC_COLUMNS_ZSTD, payload, count, first_ts, last_ts)
        self._fh.write(frame)
        self._fh.flush()
        self._index.append((self._offset, first_ts, last_ts, self.records, count))
        self._offset += len(frame)
        self.bytes_written = self._offset
        self.records += count

    def append_keyframe(self, payload: bytes, ts: int) -> None:
        """Append a keyframe (``keyframes.encode_keyframe``: it starts with the record it
        resumes at, which must be at most the records written so far)."""
        record = int.from_bytes(payload[:8], "little")
        self._keyframes.append((self._offset, ts, record))
        self.keyframe_bytes += self._append_unindexed(
            KIND_KEYFRAME, CODEC_KEYFRAME_ZSTD, payload, ts
        )

    def append_own_frame(self, payload: bytes, ts: int) -> None:
        """Append an own-state frame (``own_frame_file.py``), right after the keyframe it
        belongs to: the keyframe index finds it there."""
        self.own_bytes += self._append_unindexed(KIND_OWN, CODEC_OWN_ZSTD, payload, ts)

    def _append_unindexed(self, kind: int, codec: int, payload: bytes, ts: int) -> int:
        """One frame that is not a block (no records) at ``ts``; returns its bytes."""
        frame = pack_frame(kind, codec, payload, 0, ts, ts)
        self._fh.write(frame)
        self._fh.flush()
        self._offset += len(frame)
        self.bytes_written = self._offset
        return len(frame)

    @property
    def keyframes(self) -> int:
        return len(self._keyframes)

    def fsync(self) -> None:
        if not self.closed:
            os.fsync(self._fh.fileno())

    def close(self, summary: dict[str, Any] | None = None) -> None:
        """Write the block index, the summary and the trailer; then the file is complete."""
        if self.closed:
            return
        cols = np.array(self._index, dtype=np.int64).reshape(-1, len(INDEX_FIELDS))
        index = {
            "fields": list(INDEX_FIELDS),
            "blocks": cols.T.copy().tobytes(),
            "count": len(self._index),
            "records": self.records,
            "summary": summary or {},
        }
        if self._keyframes:
            keys = np.array(self._keyframes, dtype=np.int64).reshape(-1, len(KEYFRAME_FIELDS))
            index["keyframes"] = keys.T.copy().tobytes()
        offset = self._offset
        frame = pack_frame(KIND_INDEX, CODEC_MSGPACK, self._msgpack.encode(index))
        self._fh.write(frame + pack_trailer(offset))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self.bytes_written = offset + len(frame) + TRAILER_SIZE
        self.closed = True
