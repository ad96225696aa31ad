"""Journal files: ``JournalReader`` reads, recovers and seeks (``journal_writer.JournalWriter``
appends).

One file per session (``*.ttj``). Its header (format version, mode, venue, instruments, config,
seed, and for a replay the source it replays) comes first; then blocks of records, each block
being all the bus messages of a short stretch (at most 250 ms of wall time). On a clean close the
writer appends an index of the blocks and a summary; a reader opening a file without them (the
recorder was killed) scans the frames once, recovers every complete block and reports where a
damaged tail starts. Format 2 adds keyframes (``keyframes.py``), listed in ``keyframes``.
"""

from __future__ import annotations

import gc
import mmap
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from tradeterm.record.block_pick import PickedRecords, pick_records
from tradeterm.record.codec import BlockDecoder, BlockError, DecodedBlock
from tradeterm.record.frames import (
    FORMAT_VERSION,
    FRAME_SIZE,
    INDEX_FIELDS,
    KEYFRAME_FIELDS,
    KIND_BLOCK,
    KIND_HEADER,
    KIND_INDEX,
    KIND_KEYFRAME,
    MAGIC,
    MAGICS,
    TRAILER_SIZE,
    FrameError,
    FrameHeader,
    next_frame,
    unpack_trailer,
)

SUFFIX = ".ttj"


class JournalError(Exception):
    """A journal that cannot be read, phrased for the trader."""


class DamagedBlock(JournalError):
    """One stretch of a journal that cannot be read: a block whose checksum or decoding fails,
    or (in a journal without index) bytes between two whole frames. ``records`` is how many
    records it held (None when its frame header is damaged too, so nobody knows)."""

    def __init__(self, message: str, offset: int, size: int, records: int | None) -> None:
        super().__init__(message)
        self.offset, self.size, self.records = offset, size, records


class BlockIndex:
    """Where each block is and what it covers (numpy columns)."""

    def __init__(self, rows: np.ndarray) -> None:
        rows = rows.reshape(len(INDEX_FIELDS), -1)
        self.offset, self.first_ts, self.last_ts, self.first_record, self.records = rows
        # record times are close to, not strictly, monotonic: seek on the running maximum
        self.max_ts = np.maximum.accumulate(self.last_ts) if rows.shape[1] else self.last_ts

    def __len__(self) -> int:
        return int(self.offset.size)


class KeyframeIndex:
    """Where each keyframe is (byte offset), its clock time and the record it resumes at."""

    def __init__(self, rows: np.ndarray) -> None:
        rows = rows.reshape(len(KEYFRAME_FIELDS), -1)
        self.offset, self.ts, self.record = rows

    def __len__(self) -> int:
        return int(self.offset.size)

    def at_or_before(self, record: int) -> int | None:
        """The last keyframe resuming at or before ``record`` (its number), or None."""
        i = int(np.searchsorted(self.record, record, side="right")) - 1
        return i if i >= 0 else None


NO_KEYFRAMES = KeyframeIndex(np.empty(0, dtype=np.int64))


class JournalReader:
    """Opens a journal, recovering what a crash left. ``damaged_at`` is the byte offset where an
    unreadable tail starts (None if the file is whole).

    A damaged block inside the file raises ``DamagedBlock`` when read, unless the reader was
    opened with ``skip_damaged``: then ``blocks()`` / ``readable_block`` leave it out and note it
    in ``lost`` (the trader asked to read the rest). ``check_blocks()`` finds every damaged block
    up front by its checksum, without decoding."""

    def __init__(self, path: Path | str, skip_damaged: bool = False) -> None:
        self.path = Path(path)
        self.skip_damaged = skip_damaged
        self.lost: list[DamagedBlock] = []  # blocks left out by ``readable_block``
        self.gaps: list[DamagedBlock] = []  # unreadable stretches between frames (no index)
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
        self.keyframes = NO_KEYFRAMES
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
        if head[:6] != MAGIC[:6] or len(head) < len(MAGIC):
            raise JournalError(f"{self.path} is not a tradeterm recording (no journal marker)")
        if head[: len(MAGIC)] not in MAGICS:
            raise JournalError(
                f"{self.path} uses journal format {head[7]}, this tradeterm reads "
                f"formats up to {FORMAT_VERSION}; upgrade tradeterm"
            )
        try:
            frame = FrameHeader(head, len(MAGIC))
            payload = self._fh.read(frame.length)
            frame.check(payload)
            if frame.kind != KIND_HEADER:
                raise FrameError("first frame is not a header")
            header = msgspec.msgpack.decode(payload)
            if not isinstance(header, dict):
                raise FrameError("the header is not a map of fields")
        except (FrameError, msgspec.DecodeError, ValueError, struct.error) as exc:
            raise JournalError(
                f"{self.path}: the recording's header is damaged ({exc}); "
                "nothing can be recovered from it"
            ) from None
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
            keys = np.frombuffer(index.get("keyframes", b""), dtype=np.int64).copy()
        except (FrameError, msgspec.DecodeError, KeyError, ValueError, TypeError):
            return False
        self.index = BlockIndex(rows)
        self.keyframes = KeyframeIndex(keys)
        self.summary = index.get("summary") or {}
        self.clean = True
        return True

    def _scan(self) -> None:
        """No index (the writer did not close): walk the frame headers, keep what is whole."""
        rows: list[tuple[int, int, int, int, int]] = []
        keys: list[tuple[int, int, int]] = []
        pos, size, records = self._data_start, self.size, 0
        with mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ) if size else _Empty() as mm:
            while pos < size:
                if pos + FRAME_SIZE > size:
                    self._damaged(pos, "a frame header was cut short")
                    break
                try:
                    frame = FrameHeader(mm, pos)
                    end = pos + FRAME_SIZE + frame.length
                    if end > size:
                        raise FrameError(
                            f"the last block was cut short ({size - pos} of "
                            f"{end - pos} bytes written)"
                        )
                except FrameError as exc:
                    resume = next_frame(mm, pos + 1, size)
                    if resume is None:  # nothing whole after it: a damaged (torn) tail
                        self._damaged(pos, str(exc))
                        break
                    self.gaps.append(
                        DamagedBlock(
                            f"{self.path}: bytes {pos:,} to {resume:,} are damaged ({exc}); the "
                            "records in them are lost",
                            pos,
                            resume - pos,
                            None,
                        )
                    )
                    pos = resume
                    continue
                if frame.kind == KIND_BLOCK:
                    if end == size or (end + FRAME_SIZE > size):  # the last frame: verify fully
                        try:
                            frame.check(mm[pos + FRAME_SIZE : end])
                        except FrameError as exc:
                            self._damaged(pos, str(exc))
                            break
                    rows.append((pos, frame.first_ts, frame.last_ts, records, frame.records))
                    records += frame.records
                elif frame.kind == KIND_KEYFRAME and frame.length >= 8:
                    record = int.from_bytes(mm[pos + FRAME_SIZE : pos + FRAME_SIZE + 8], "little")
                    if record <= records:  # a keyframe after a block that was cut off: not one
                        keys.append((pos, frame.first_ts, record))
                elif frame.kind == KIND_INDEX:
                    pass  # an index without a valid trailer: the trailer was cut off
                pos = end
        arr = np.array(rows, dtype=np.int64).reshape(-1, len(INDEX_FIELDS)).T.copy()
        self.index = BlockIndex(arr.ravel())
        karr = np.array(keys, dtype=np.int64).reshape(-1, len(KEYFRAME_FIELDS)).T.copy()
        self.keyframes = KeyframeIndex(karr.ravel())

    def check_blocks(self) -> list[DamagedBlock]:
        """Every damaged stretch of the file, found by the frames' checksums (reads the whole
        file once, decodes nothing). A damaged tail is not in it (``damaged_at`` says where)."""
        found = list(self.gaps)
        for i in range(len(self.index)):
            try:
                self._payload(i)
            except DamagedBlock as exc:
                found.append(exc)
        return sorted(found, key=lambda d: d.offset)

    def _damaged(self, pos: int, why: str) -> None:
        self.damaged_at = pos
        self.damage = (
            f"damaged tail from byte {pos:,} of {self.size:,} ({why}); "
            f"{self.size - pos:,} bytes unreadable"
        )

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

    def _block_damage(self, i: int, why: str) -> DamagedBlock:
        offset, records = int(self.index.offset[i]), int(self.index.records[i])
        end = int(self.index.offset[i + 1]) if i + 1 < len(self.index) else self.size
        return DamagedBlock(
            f"{self.path}: block {i} at byte {offset:,} is damaged ({why}); it "
            f"holds {records:,} of the {self.records:,} records",
            offset,
            end - offset,
            records,
        )

    def _payload(self, i: int) -> bytes:
        self._fh.seek(int(self.index.offset[i]))
        head = self._fh.read(FRAME_SIZE)
        try:
            frame = FrameHeader(head)
            payload = self._fh.read(frame.length)
            frame.check(payload)
        except (FrameError, ValueError, struct.error, OverflowError, MemoryError) as exc:
            raise self._block_damage(i, str(exc)) from None
        return payload

    def keyframe_payload(self, i: int) -> bytes:
        """The payload of keyframe ``i`` (``keyframes.decode_keyframe`` reads it); raises
        JournalError when it is damaged."""
        self._fh.seek(int(self.keyframes.offset[i]))
        try:
            frame = FrameHeader(self._fh.read(FRAME_SIZE))
            payload = self._fh.read(frame.length)
            frame.check(payload)
        except (FrameError, ValueError, struct.error, OverflowError, MemoryError) as exc:
            raise JournalError(f"{self.path}: keyframe {i} is damaged ({exc})") from None
        return payload

    def read_block(self, i: int) -> DecodedBlock:
        """Block ``i``; raises DamagedBlock if its checksum or decoding fails."""
        payload = self._payload(i)
        enabled = gc.isenabled()
        gc.disable()  # decoding allocates many small objects that all survive: skip GC passes
        try:
            block = self._decoder.decode(payload)
        except BlockError as exc:
            raise self._block_damage(i, str(exc)) from None
        finally:
            if enabled:
                gc.enable()
        for tag, count in block.skipped.items():
            self.skipped[tag] = self.skipped.get(tag, 0) + count
        return block

    def block_topics(self, i: int) -> list[str]:
        """The topics of block ``i``'s records, in order, without building its events; raises
        DamagedBlock like ``read_block``."""
        try:
            return self._decoder.topics(self._payload(i))
        except BlockError as exc:
            raise self._block_damage(i, str(exc)) from None

    def pick_block(
        self, i: int, wanted: Callable[[str], bool], events: bool = True
    ) -> PickedRecords:
        """Only the records of block ``i`` whose topic is ``wanted`` (the other records' events
        are not built; ``events`` False: none is); raises DamagedBlock like ``read_block``."""
        payload, enabled = self._payload(i), gc.isenabled()
        gc.disable()  # as in ``read_block``
        try:
            return pick_records(self._decoder, payload, wanted, events)
        except BlockError as exc:
            raise self._block_damage(i, str(exc)) from None
        finally:
            if enabled:
                gc.enable()

    def readable_block(self, i: int) -> DecodedBlock | None:
        """Block ``i``, or None when it is damaged and the reader skips damaged blocks (then
        it is in ``lost``, once)."""
        try:
            return self.read_block(i)
        except DamagedBlock as exc:
            if not self.skip_damaged:
                raise
            if all(d.offset != exc.offset for d in self.lost):
                self.lost.append(exc)
            return None

    @property
    def lost_records(self) -> int:
        """Records in the damaged blocks skipped so far (gaps, of unknown size, not counted)."""
        return sum(d.records or 0 for d in self.lost)

    def blocks(self, start: int = 0) -> Iterator[DecodedBlock]:
        if self.gaps and not self.skip_damaged:
            raise self.gaps[0]
        for i in range(start, len(self.index)):
            block = self.readable_block(i)
            if block is not None:
                yield block

    def records_iter(self, start: int = 0) -> Iterator[tuple[int, int, str, Any]]:
        """(seq, time, topic, event) of every record from block ``start`` on."""
        for block in self.blocks(start):
            yield from zip(block.seq.tolist(), block.times, block.topics, block.events)

    def seek(self, ts: int) -> tuple[int, int]:
        """(block, position in block) of the first record at or after ``ts``; (len, 0) if none."""
        i = int(np.searchsorted(self.index.max_ts, ts, side="left"))
        if i >= len(self.index):
            return len(self.index), 0
        block = self.readable_block(i)
        if block is None:  # the block is damaged (and skipped): play on from the next one
            return i + 1, 0
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
