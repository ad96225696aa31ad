"""Own-state frames: the state of a session's own trading at a keyframe, so a seek of a plain
replay resumes it there instead of applying every own record from the recording's start.

The recorder of a session that traded (paper, live; not a replay's) hands each own record it
records (its commands, its venue's order answers: ``is_own``) to an ``OwnFrameSource``, which
keeps the own trading exactly as a plain replay would rebuild it from those records
(``trading/own_frames.py``), and writes, right after each market keyframe, that state as of the
keyframe's record: an own-state frame (``frames.KIND_OWN``). It is in no index: the frame after
a keyframe is looked at (``OwnFrames``), so an older reader never meets one (the index) or steps
over it (a scan), and the format stays 2.

Payload: a fixed head (the keyframe's record, int64; the own records before it, int64, as the
scan numbering counts them (``own_trades.OwnTradeRecords``, a seek checks they agree); the
encoding's version byte; the length of the keys body and its CRC-32, uint32 each), then two
msgpack bodies
compressed with zstd: the trade-id keys of the fills applied since the frame before (a restore
from frame k knows those of frames 1..k: exactly-once fills), then the state itself (its
owner's encoding: ``oms/own_state.py``). A frame of another version is not used. The keys of
every frame up to the one a seek resumes from are read, each body alone (its own checksum), so
a far seek does not read every frame's state.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any, Protocol

import zstandard

from tradeterm.record.frames import FRAME_SIZE, KIND_OWN, FrameError, FrameHeader
from tradeterm.record.journal import JournalReader
from tradeterm.record.replay_marks import ORDER_TOPIC

COMMAND_TOPIC = "command"  # the session's commands as recorded (``topics.COMMAND``)
VERSION = 1
_HEAD = struct.Struct("<qqBII")
HEAD_SIZE = _HEAD.size  # the fixed head, before the keys body
_zstd_c = zstandard.ZstdCompressor(level=9)
_zstd_d = zstandard.ZstdDecompressor()


def is_own(topic: str) -> bool:
    """A record of the session's own trading: a command, or an answer on an order topic."""
    return topic.startswith(ORDER_TOPIC) or topic == COMMAND_TOPIC


class OwnFrameSource(Protocol):
    """The session's own trading as a plain replay of its recording would rebuild it."""

    def take(self, topic: str, event: Any) -> None:
        """An own record, as it is recorded (after every one before it)."""

    def frame(self) -> tuple[int, bytes, bytes]:
        """(own records taken, the trade-id keys of the fills applied since the last frame,
        the state), the two as msgpack."""


def pack_own_frame(record: int, own: int, keys: bytes, state: bytes) -> bytes:
    body = _zstd_c.compress(keys)
    head = _HEAD.pack(record, own, VERSION, len(body), zlib.crc32(body))
    return head + body + _zstd_c.compress(state)


class OwnFrame:
    """One own-state frame of a recording: where it is and what it resumes at."""

    __slots__ = ("record", "own", "offset", "length", "keys_length", "keys_crc")

    def __init__(
        self, record: int, own: int, offset: int, length: int, keys_length: int, keys_crc: int
    ) -> None:
        self.record = record  # the keyframe's record: the state is after every record before
        self.own = own  # the own records before it
        self.offset = offset  # of its payload
        self.length = length
        self.keys_length = keys_length
        self.keys_crc = keys_crc


class OwnFrames:
    """The own-state frames of a recording (those right after its keyframes), found the first
    time they are asked for; their keys and states read on demand (the keys kept)."""

    def __init__(self, reader: JournalReader) -> None:
        self.path: Path = reader.path
        self._offsets = [int(o) for o in reader.keyframes.offset]
        self._frames: list[OwnFrame] | None = None
        self._keys: list[Any] = []  # decoded keys bodies, frame by frame from the first

    @property
    def frames(self) -> list[OwnFrame]:
        if self._frames is None:
            self._frames = self._find() if self._offsets else []
        return self._frames

    def _find(self) -> list[OwnFrame]:
        found: list[OwnFrame] = []
        with open(self.path, "rb") as fh:
            size = fh.seek(0, 2)
            for offset in self._offsets:
                try:
                    fh.seek(offset)
                    keyframe = FrameHeader(fh.read(FRAME_SIZE))
                    at = offset + FRAME_SIZE + keyframe.length
                    fh.seek(at)
                    frame = FrameHeader(fh.read(FRAME_SIZE))
                except (FrameError, struct.error):
                    continue
                start = at + FRAME_SIZE
                if frame.kind != KIND_OWN or start + frame.length > size:
                    continue
                head = fh.read(_HEAD.size)
                if len(head) < _HEAD.size:
                    continue
                record, own, version, keys_length, crc = _HEAD.unpack(head)
                if version == VERSION and _HEAD.size + keys_length <= frame.length:
                    found.append(OwnFrame(record, own, start, frame.length, keys_length, crc))
        return found

    def payload(self, i: int) -> bytes:
        """Frame ``i``'s payload, its checksum verified (FrameError if it does not hold)."""
        frame = self.frames[i]
        with open(self.path, "rb") as fh:
            fh.seek(frame.offset - FRAME_SIZE)
            header = FrameHeader(fh.read(FRAME_SIZE))
            payload = fh.read(frame.length)
        header.check(payload)
        return payload

    def keys(self, i: int) -> list[bytes]:
        """The keys bodies (msgpack) of frames ``0 .. i``, in order; each read once, alone
        (FrameError if its checksum does not hold)."""
        if len(self._keys) <= i:
            with open(self.path, "rb") as fh:
                while len(self._keys) <= i:
                    frame = self.frames[len(self._keys)]
                    fh.seek(frame.offset + _HEAD.size)
                    body = fh.read(frame.keys_length)
                    if zlib.crc32(body) != frame.keys_crc:
                        raise FrameError(f"own-state frame {len(self._keys)}: keys damaged")
                    self._keys.append(_unpack(body))
        return self._keys[: i + 1]

    def state(self, i: int) -> bytes:
        """Frame ``i``'s state body (msgpack)."""
        frame = self.frames[i]
        payload = self.payload(i)
        return _unpack(payload[_HEAD.size + frame.keys_length :])


def _unpack(body: bytes) -> bytes:
    try:
        return _zstd_d.decompress(body)
    except zstandard.ZstdError as exc:
        raise FrameError(f"an own-state frame's body does not decompress: {exc}") from None
