"""Delta keyframes (keyframe encoding 2): what they add to a deep-book recording's size, and that
recordings of the first encoding (full keyframes only, the tape's columns all as differences)
still seek to the market of playing them from the start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.unit.record.test_replay_seek import Straight, seeking_venue, state
from tradeterm.bench.seek_bench import generate
from tradeterm.record.journal import JournalReader
from tradeterm.record.keyframes import decode_keyframe, restore

DATA = Path(__file__).parent / "data"
V1 = DATA / "keyframes_v1.ttj"  # made by the recorder of keyframe encoding 1 (seed 8, 1,500)


def _overhead(path: Path) -> float:
    with JournalReader(path) as reader:
        keys = sum(
            len(reader.keyframe_payload(i)) + 40 for i in range(len(reader.keyframes))
        )  # payload + frame header
        return keys / (reader.size - keys)


def test_deltas_keep_a_deep_book_recording_under_ten_percent_bigger(tmp_path):
    """Two books of ~1,000 levels a side with random sizes, 5 minutes, keyframes every 60 s:
    full keyframes alone add over 10%; a full one then deltas of it, well under."""
    generate(tmp_path / "deltas.ttj", 300)
    generate(tmp_path / "full.ttj", 300, full_every=1)
    deltas, full = _overhead(tmp_path / "deltas.ttj"), _overhead(tmp_path / "full.ttj")
    assert full > 0.10
    assert deltas < 0.10 and deltas < full / 2


def test_a_recording_of_the_first_keyframe_encoding_still_seeks(tmp_path):
    path = tmp_path / V1.name
    shutil.copyfile(V1, path)
    with JournalReader(path) as reader:
        assert reader.header["format"] == 2 and len(reader.keyframes) == 4
        frames = [decode_keyframe(reader.keyframe_payload(i)) for i in range(4)]
    assert all(f.version == 1 and f.base == -1 for f in frames)
    straight = Straight(path)
    venue, market = seeking_venue(path)
    assert venue.seeker is not None and venue.seeker.keyframes == 4
    for p in (0.95, 0.3, 0.7, 0.0, 1.0, 0.5):
        ts = venue.state.start_ns + int(p * (venue.state.end_ns - venue.state.start_ns))
        assert venue.seek(ts)
        assert state(market) == straight.upto(venue.position)
    venue.reader.close()


def test_a_keyframe_of_an_unknown_encoding_is_refused(tmp_path):
    with JournalReader(V1) as reader:
        payload = reader.keyframe_payload(0)
    with pytest.raises(ValueError, match="known encoding"):
        decode_keyframe(payload[:8] + b"\x07" + payload[9:])


def test_a_delta_is_not_restored_without_its_base(tmp_path):
    generate(tmp_path / "d.ttj", 130, full_every=10)  # keyframes at 60 s (full), 120 s (delta)
    with JournalReader(tmp_path / "d.ttj") as reader:
        full, delta = (decode_keyframe(reader.keyframe_payload(i)) for i in range(2))
    assert full.base == -1 and delta.base == full.record
    venue, market = seeking_venue(tmp_path / "d.ttj")
    with pytest.raises(ValueError, match="resolve"):
        restore(market, delta)
    venue.reader.close()
