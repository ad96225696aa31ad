"""The journal file's framing: a magic, then self-checking frames, then (when closed cleanly) an
index frame and a fixed trailer pointing at it.

```
file    := MAGIC frame* [index-frame trailer]
frame   := header(40 bytes) payload
header  := "TTJF" kind:u8 codec:u8 reserved:u16 length:u32 payload_crc:u32 records:u32
           first_ts:i64 last_ts:i64 header_crc:u32        (little endian)
trailer := "TTJEND\\0\\0" index_offset:u64 crc:u32 reserved:u32
```

Format 2 adds keyframe frames (``KIND_KEYFRAME``: the market's state at a point of the
recording, ``record/keyframes.py``) between blocks, listed in the index under ``keyframes``;
a format 1 file (no keyframes) reads as before. A session that traded (paper, live) follows
each keyframe with an own-state frame (``KIND_OWN``: its own trading's state there,
``own_frame_file.py``), right after it and in no index: a reader that does not know the kind
steps over it (``_scan``) or never reaches it (the index), so the format stays 2.

Frames are only ever appended, each with one ``write`` followed by a flush, so a process killed
at any moment leaves every earlier frame intact; a torn last frame fails its length or checksum
and the reader stops there, reporting the offset where the damaged tail starts.
"""

from __future__ import annotations

import mmap
import struct
import zlib
from typing import Any

FORMAT_VERSION = 2
MAGIC = b"TTJRNL\x00" + bytes([FORMAT_VERSION])  # the last byte is the format version
READS = (1, 2)  # the formats this version reads (1: no keyframes)
MAGICS = {b"TTJRNL\x00" + bytes([v]) for v in READS}

KIND_HEADER = 1
KIND_BLOCK = 2
KIND_INDEX = 3
KIND_KEYFRAME = 4
KIND_OWN = 5  # the own trading's state after a keyframe (own_frame_file.py)

CODEC_MSGPACK = 0  # header and index: plain msgpack
CODEC_COLUMNS_ZSTD = 1  # blocks: columns (record/codec.py) compressed with zstd
CODEC_KEYFRAME_ZSTD = 2  # keyframes: record (i64) [+ version] + zstd msgpack (keyframes.py)
CODEC_OWN_ZSTD = 3  # own-state frames: a fixed head + two zstd msgpack bodies

FRAME_MAGIC = b"TTJF"
_FRAME = struct.Struct("<4sBBHIIIqq")
_FRAME_CRC = struct.Struct("<I")
FRAME_SIZE = _FRAME.size + _FRAME_CRC.size  # 40

# the index frame's columns, one int64 row per block
INDEX_FIELDS = ("offset", "first_ts", "last_ts", "first_record", "records")
# the index's keyframe columns, one int64 row per keyframe (format 2)
KEYFRAME_FIELDS = ("offset", "ts", "record")

TRAILER_MAGIC = b"TTJEND\x00\x00"
_TRAILER = struct.Struct("<8sQII")
TRAILER_SIZE = _TRAILER.size  # 24


class FrameError(ValueError):
    """A frame header that is not valid (damaged or not a frame at all)."""


def pack_frame(
    kind: int, codec: int, payload: bytes, records: int = 0, first_ts: int = 0, last_ts: int = 0
) -> bytes:
    head = _FRAME.pack(
        FRAME_MAGIC, kind, codec, 0, len(payload), zlib.crc32(payload), records, first_ts, last_ts
    )
    return head + _FRAME_CRC.pack(zlib.crc32(head)) + payload


class FrameHeader:
    __slots__ = ("kind", "codec", "length", "crc", "records", "first_ts", "last_ts")

    def __init__(self, buf: bytes | memoryview | mmap.mmap, offset: int = 0) -> None:
        (
            magic,
            self.kind,
            self.codec,
            _,
            self.length,
            self.crc,
            self.records,
            self.first_ts,
            self.last_ts,
        ) = _FRAME.unpack_from(buf, offset)
        (head_crc,) = _FRAME_CRC.unpack_from(buf, offset + _FRAME.size)
        if magic != FRAME_MAGIC:
            raise FrameError("no frame marker")
        if zlib.crc32(bytes(buf[offset : offset + _FRAME.size])) != head_crc:
            raise FrameError("frame header checksum mismatch")

    def check(self, payload: bytes | memoryview) -> None:
        if len(payload) != self.length:
            raise FrameError(f"frame payload is {len(payload)} bytes, expected {self.length}")
        if zlib.crc32(payload) != self.crc:
            raise FrameError("frame payload checksum mismatch")


def pack_trailer(index_offset: int) -> bytes:
    body = TRAILER_MAGIC + struct.pack("<Q", index_offset)
    return _TRAILER.pack(TRAILER_MAGIC, index_offset, zlib.crc32(body), 0)


def unpack_trailer(buf: bytes) -> int | None:
    """The index frame's offset, or None if ``buf`` is not a valid trailer."""
    if len(buf) != TRAILER_SIZE:
        return None
    magic, offset, crc, _ = _TRAILER.unpack(buf)
    if magic != TRAILER_MAGIC or zlib.crc32(TRAILER_MAGIC + struct.pack("<Q", offset)) != crc:
        return None
    found: int = offset
    return found


def next_frame(mm: Any, start: int, size: int) -> int | None:
    """The offset of the next whole frame at or after ``start`` (a frame marker whose header
    checksum holds and whose payload fits in the file), or None."""
    pos: int = start
    while True:
        pos = mm.find(FRAME_MAGIC, pos, size)
        if pos < 0 or pos + FRAME_SIZE > size:
            return None
        try:
            frame = FrameHeader(mm, pos)
        except FrameError:
            pos += 1
            continue
        if pos + FRAME_SIZE + frame.length <= size:
            return pos
        pos += 1
