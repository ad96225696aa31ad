"""Journal files: ``JournalWriter`` appends blocks, ``JournalReader`` reads, recovers and seeks.

One file per session (``*.ttj``). Its header (format version, mode, venue, instruments, config,
seed, and for a replay the source it replays) comes first; then blocks of records, each block
being all the bus messages of a short stretch (at most 250 ms of wall time). On a clean close the
writer appends an index of the blocks and a summary; a reader opening a file without them (the
recorder was killed) scans the frames once, recovers every complete block and reports where a
damaged tail starts.
"""

from __future__ import annotations

import gc
import mmap
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from tradeterm.record.codec import BlockDecoder, BlockEncoder, BlockError, DecodedBlock
from tradeterm.record.frames import (
    CODEC_COLUMNS_ZSTD, CODEC_MSGPACK, FORMAT_VERSION, FRAME_SIZE, KIND_BLOCK, KIND_HEADER,
    KIND_INDEX, MAGIC, TRAILER_SIZE, FrameError, FrameHeader, pack_frame, pack_trailer,
    unpack_trailer,
)

SUFFIX = ".ttj"
_INDEX_FIELDS = ("offset", "first_ts", "last_ts", "first_record", "records")


class JournalError(Exception):
    """A journal that cannot be read, phrased for the trader."""


class JournalWriter:
    """Appends blocks to a new journal file. Every ``write_block`` reaches the OS before it
    returns (a killed process loses nothing already written); ``fsync`` pushes to the disk."""

    def __init__(self, path: Path | str, header: dict[str, Any], level: int = 3) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "xb")  # noqa: SIM115 - one file per session, never overwritten
        self._encoder = BlockEncoder(level=level)
        self._msgpack = msgspec.msgpack.Encoder()
        header = {"format": FORMAT_VERSION, **header}
        self.header = header
        self._fh.write(MAGIC + pack_frame(KIND_HEADER, CODEC_MSGPACK, self._msgpack.encode(header)))
        self._fh.flush()
        self._offset = self._fh.tell()
        self._index: list[tuple[int, int, int, int, int]] = []
        self.records = 0
        self.bytes_written = self._offset
        self.closed = False

    @property
    def unrecordable(self) -> dict[str, int]:
        return self._encoder.unrecordable

    def write_block(self, seqs: list[int], recs: list[int], topics: list[str],
                    msgs: list[Any]) -> int:
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

    def fsync(self) -> None:
        if not self.closed:
            os.fsync(self._fh.fileno())

    def close(self, summary: dict[str, Any] | None = None) -> None:
        """Write the block index, the summary and the trailer; then the file is complete."""
        if self.closed:
            return
        cols = np.array(self._index, dtype=np.int64).reshape(-1, len(_INDEX_FIELDS))
        index = {"fields": list(_INDEX_FIELDS), "blocks": cols.T.copy().tobytes(),
                 "count": len(self._index), "records": self.records, "summary": summary or {}}
        offset = self._offset
        frame = pack_frame(KIND_INDEX, CODEC_MSGPACK, self._msgpack.encode(index))
        self._fh.write(frame + pack_trailer(offset))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self.bytes_written = offset + len(frame) + TRAILER_SIZE
        self.closed = True


class BlockIndex:
    """Where each block is and what it covers (numpy columns)."""

    def __init__(self, rows: np.ndarray) -> None:
        rows = rows.reshape(len(_INDEX_FIELDS), -1)
        self.offset, self.first_ts, self.last_ts, self.first_record, self.records = rows
        # record times are close to, not strictly, monotonic: seek on the running maximum
        self.max_ts = np.maximum.accumulate(self.last_ts) if rows.shape[1] else self.last_ts

    def __len__(self) -> int:
        return int(self.offset.size)


class JournalReader:
    """Opens a journal, recovering what a crash left. ``damaged_at`` is the byte offset where an
    unreadable tail starts (None if the file is whole)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self._fh = open(self.path, "rb")  # noqa: SIM115
        except FileNotFoundError:
            raise JournalError(f"recording {self.path} does not exist") from None
        except IsADirectoryError:
            raise JournalError(f"{self.path} is a directory, not a recording") from None
        except OSError as exc:
            raise JournalError(f"cannot open {self.path}: {exc.strerror or exc}") from None
        self.size = os.fstat(self._fh.fileno()).st_size
        self._decoder = BlockDecoder()
        self.damaged_at: int | None = None
        self.damage: str = ""
        self.summary: dict[str, Any] | None = None
        self.clean = False
        self.header = self._read_header()
        if not self._read_index():
            self._scan()
        self.records = int(self.index.records.sum()) if len(self.index) else 0
        self.skipped: dict[str, int] = {}

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> JournalReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- opening -----------------------------------------------------------------------------
    def _read_header(self) -> dict[str, Any]:
        head = self._fh.read(len(MAGIC) + FRAME_SIZE)
        if head[:6] != MAGIC[:6]:
            raise JournalError(f"{self.path} is not a tradeterm recording (no journal marker)")
        if head[:len(MAGIC)] != MAGIC:
            raise JournalError(f"{self.path} uses journal format {head[7]}, this tradeterm reads "
                               f"format {FORMAT_VERSION}; upgrade tradeterm")
        try:
            frame = FrameHeader(head, len(MAGIC))
            payload = self._fh.read(frame.length)
            frame.check(payload)
            if frame.kind != KIND_HEADER:
                raise FrameError("first frame is not a header")
            header = msgspec.msgpack.decode(payload)
        except (FrameError, msgspec.DecodeError, ValueError) as exc:
            raise JournalError(f"{self.path}: the recording's header is damaged ({exc}); "
                               "nothing can be recovered from it") from None
        self._data_start = len(MAGIC) + FRAME_SIZE + frame.length
        return header

    def _read_index(self) -> bool:
        if self.size < self._data_start + TRAILER_SIZE + FRAME_SIZE:
            return False
        self._fh.seek(self.size - TRAILER_SIZE)
        offset = unpack_trailer(self._fh.read(TRAILER_SIZE))
        if offset is None or not self._data_start <= offset < self.size:
            return False
        try:
            self._fh.seek(offset)
            frame = FrameHeader(self._fh.read(FRAME_SIZE))
            payload = self._fh.read(frame.length)
            frame.check(payload)
            index = msgspec.msgpack.decode(payload)
            rows = np.frombuffer(index["blocks"], dtype=np.int64).copy()
        except (FrameError, msgspec.DecodeError, KeyError, ValueError, TypeError):
            return False
        self.index = BlockIndex(rows)
        self.summary = index.get("summary") or {}
        self.clean = True
        return True

    def _scan(self) -> None:
        """No index (the writer did not close): walk the frame headers, keep what is whole."""
        rows: list[tuple[int, int, int, int, int]] = []
        pos, size, records = self._data_start, self.size, 0
        with mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ) if size else _Empty() as mm:
            while pos < size:
                if pos + FRAME_SIZE > size:
                    self._damaged(pos, "a frame header was cut short")
                    break
                try:
                    frame = FrameHeader(mm, pos)
                except FrameError as exc:
                    self._damaged(pos, str(exc))
                    break
                end = pos + FRAME_SIZE + frame.length
                if end > size:
                    self._damaged(pos, f"the last block was cut short ({size - pos} of "
                                       f"{end - pos} bytes written)")
                    break
                if frame.kind == KIND_BLOCK:
                    if end == size or (end + FRAME_SIZE > size):  # the last frame: verify fully
                        try:
                            frame.check(mm[pos + FRAME_SIZE:end])
                        except FrameError as exc:
                            self._damaged(pos, str(exc))
                            break
                    rows.append((pos, frame.first_ts, frame.last_ts, records, frame.records))
                    records += frame.records
                elif frame.kind == KIND_INDEX:
                    pass  # an index without a valid trailer: the trailer was cut off
                pos = end
        arr = np.array(rows, dtype=np.int64).reshape(-1, len(_INDEX_FIELDS)).T.copy()
        self.index = BlockIndex(arr.ravel())

    def _damaged(self, pos: int, why: str) -> None:
        self.damaged_at = pos
        self.damage = (f"damaged tail from byte {pos:,} of {self.size:,} ({why}); "
                       f"{self.size - pos:,} bytes unreadable")

    # --- reading -----------------------------------------------------------------------------
    @property
    def instruments(self) -> list[dict[str, Any]]:
        return list(self.header.get("instruments", []))

    @property
    def start_ns(self) -> int | None:
        return int(self.index.first_ts.min()) if len(self.index) else None

    @property
    def end_ns(self) -> int | None:
        return int(self.index.max_ts[-1]) if len(self.index) else None

    def read_block(self, i: int) -> DecodedBlock:
        offset = int(self.index.offset[i])
        self._fh.seek(offset)
        head = self._fh.read(FRAME_SIZE)
        try:
            frame = FrameHeader(head)
            payload = self._fh.read(frame.length)
            frame.check(payload)
        except (FrameError, ValueError, struct.error) as exc:
            raise JournalError(f"{self.path}: block {i} at byte {offset:,} is damaged ({exc})"
                               ) from None
        enabled = gc.isenabled()
        gc.disable()  # decoding allocates many small objects that all survive: skip GC passes
        try:
            block = self._decoder.decode(payload)
        except BlockError as exc:
            raise JournalError(f"{self.path}: block {i} at byte {offset:,}: {exc}") from None
        finally:
            if enabled:
                gc.enable()
        for tag, count in block.skipped.items():
            self.skipped[tag] = self.skipped.get(tag, 0) + count
        return block

    def blocks(self, start: int = 0) -> Iterator[DecodedBlock]:
        for i in range(start, len(self.index)):
            yield self.read_block(i)

    def records_iter(self, start: int = 0) -> Iterator[tuple[int, int, str, Any]]:
        """(seq, time, topic, event) of every record from block ``start`` on."""
        for block in self.blocks(start):
            yield from zip(block.seq.tolist(), block.times, block.topics, block.events)

    def seek(self, ts: int) -> tuple[int, int]:
        """(block, position in block) of the first record at or after ``ts``; (len, 0) if none."""
        i = int(np.searchsorted(self.index.max_ts, ts, side="left"))
        if i >= len(self.index):
            return len(self.index), 0
        block = self.read_block(i)
        times = np.asarray(block.times, dtype=np.int64)
        later = np.flatnonzero(times >= ts)
        return i, int(later[0]) if later.size else len(block)

    def locate(self, record: int) -> tuple[int, int]:
        """(block, position) of the record with index ``record`` (0-based, file order)."""
        i = int(np.searchsorted(self.index.first_record, record, side="right")) - 1
        return max(i, 0), record - int(self.index.first_record[max(i, 0)])


class _Empty:
    def __enter__(self) -> bytes:
        return b""

    def __exit__(self, *exc: object) -> None:
        pass

