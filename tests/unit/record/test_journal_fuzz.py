"""Fuzzing damaged journals (issue 12 "journal blocks"): random byte flips and truncations of a
real journal, and blocks whose checksum is right but whose content is garbage (a writer bug, or
a crafted file). Opening, checking, reading, replaying and reporting give a JournalError (a
clear one-line message) or, with skip_damaged, the rest of the journal: never another
exception."""

import asyncio
import tempfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.journal_samples import write_sample
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import SimClock
from tradeterm.record.codec import BlockDecoder, BlockError
from tradeterm.record.frames import FRAME_SIZE, FrameHeader
from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.merged import session_records
from tradeterm.record.replayer import ReplayVenue
from tradeterm.record.report import analyse
from tradeterm.record.tables import instruments_of

SAMPLES: dict[bool, bytes] = {}


def sample(closed: bool) -> bytes:
    if closed not in SAMPLES:
        with tempfile.TemporaryDirectory() as tmp:
            path = write_sample(Path(tmp) / "s.ttj", blocks=5, per_block=60, close=closed)
            SAMPLES[closed] = path.read_bytes()
    return SAMPLES[closed]


@st.composite
def damaged_journal(draw):
    closed = draw(st.booleans())
    data = bytearray(sample(closed))
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] ^= draw(st.integers(1, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def replay(reader: JournalReader) -> ReplayVenue:
    start = reader.start_ns or 0
    venue = ReplayVenue(MessageBus(), SimClock(start), reader)
    asyncio.run(venue.run())
    return venue


def check_damaged(tmp: Path, data: bytes) -> None:
    path = tmp / "d.ttj"
    path.write_bytes(data)
    for skip in (False, True):
        try:
            reader = JournalReader(path, skip_damaged=skip)
        except JournalError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        with reader:
            damage = reader.check_blocks()
            in_blocks = [d for d in damage if d not in reader.gaps]  # what a replay meets
            try:
                records = list(reader.records_iter())
            except JournalError as exc:
                assert not skip and damage, exc  # only a damaged block stops a reader
                records = None
            if skip:
                assert records is not None
                assert len(records) == reader.records - reader.lost_records
            if records is not None and reader.instruments:
                analyse(session_records(reader), instruments_of(reader))
        if reader.records and reader.instruments:  # what `tradeterm replay` would replay
            with JournalReader(path, skip_damaged=skip) as again:
                venue = replay(again)
                assert (venue.failure is not None) == (not skip and bool(in_blocks))
                if skip:
                    assert venue.state.published + venue.state.lost == again.records


FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=200, **FUZZ)
@given(data=damaged_journal())
def test_a_damaged_journal_is_a_clear_error_or_skipped(data):
    with tempfile.TemporaryDirectory() as tmp:
        check_damaged(Path(tmp), data)


@pytest.mark.slow
@settings(max_examples=3000, **FUZZ)
@given(data=damaged_journal())
def test_a_damaged_journal_is_a_clear_error_or_skipped_many(data):
    with tempfile.TemporaryDirectory() as tmp:
        check_damaged(Path(tmp), data)


def block_payload() -> bytes:
    """The decompressed payload of the sample's first block."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.ttj"
        path.write_bytes(sample(True))
        with JournalReader(path) as r:
            offset = int(r.index.offset[0])
        data = path.read_bytes()
    frame = FrameHeader(data, offset)
    compressed = data[offset + FRAME_SIZE : offset + FRAME_SIZE + frame.length]
    return zstandard.ZstdDecompressor().decompress(compressed)


PAYLOAD = block_payload()


@st.composite
def garbage_block(draw):
    data = bytearray(PAYLOAD)
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return zstandard.ZstdCompressor(level=1).compress(bytes(data))


def check_block(compressed: bytes) -> None:
    try:
        BlockDecoder().decode(compressed)
    except BlockError as exc:
        assert str(exc)


@settings(max_examples=300, **FUZZ)
@given(compressed=garbage_block())
def test_a_block_with_a_valid_checksum_but_garbage_inside_raises_block_error_only(compressed):
    check_block(compressed)


@pytest.mark.slow
@settings(max_examples=5000, **FUZZ)
@given(compressed=garbage_block())
def test_a_block_with_garbage_inside_many(compressed):
    check_block(compressed)
