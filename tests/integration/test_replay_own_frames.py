"""Issue 16: a recorded paper session writes, after each market keyframe, the state of its own
trading there (an own-state frame); a seek of a plain replay resumes from the latest frame
before its target when it is nearer than any checkpoint, and applies only the own records
after it. The blotter (working and recent orders), fills pane, positions, realized PnL and fees
are those of playing the recording from its start; a fill repeated after a frame is applied
once; a recording without frames seeks as before."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.integration.test_replay_navigation import replay_kernel
from tests.integration.test_replay_own_trading import own_state
from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.domain.events import OrderFilled
from tradeterm.record import own_trades
from tradeterm.record.frames import TRAILER_SIZE
from tradeterm.record.journal import JournalReader
from tradeterm.record.own_frame_file import HEAD_SIZE
from tradeterm.runtime.kernel import Kernel, RunOptions

S = 10**9
REPEAT_AT = 39.3  # s: the session's first fill comes again, on its order topic (no keyframe)


def record(path: Path, frames: bool = True) -> Path:
    """45 s of a quoted paper session (quoters from 30 s), a keyframe every 2 s; at 39.3 s its
    first fill is published again (the OMS applies it once: the recording holds it twice)."""
    cfg = load_settings(sim={"seed": 3}, record={"keyframe_interval_s": 2.0})
    kernel = Kernel(
        cfg, RunOptions(mode="paper", fast=True, seconds=45, recording=path, quoter="on")
    )
    if not frames:
        assert kernel.recorder is not None
        kernel.recorder.own = None  # as recorded before own-state frames
    fills: list[OrderFilled] = []
    topic = topics.orders(kernel.execution.name)
    kernel.bus.subscribe(topic, lambda e: fills.append(e) if type(e) is OrderFilled else None)
    start = kernel.clock.timestamp_ns()
    kernel.clock.set_alert(
        "again", start + int(REPEAT_AT * S), lambda _: kernel.bus.publish(topic, fills[0])
    )
    asyncio.run(kernel.run())
    return path


@pytest.fixture(autouse=True)
def frames_always_pay(monkeypatch):
    """A frame's restore costs as much as a thousand records applied on a long session; this
    one is short (a thousand own records): counted as nothing, a frame is always worth it."""
    monkeypatch.setattr(own_trades, "RESUME_COST", 0)


@pytest.fixture(scope="module")
def framed(tmp_path_factory) -> Path:
    return record(tmp_path_factory.mktemp("framed") / "framed.ttj")


def seeker(path: Path, every: int = 1 << 40, frames: bool = True):
    kernel = replay_kernel(path)
    own = kernel.replay.own
    assert own is not None
    own.every = every
    if not frames:
        own.frames._frames = []  # as a recording without them
    return kernel, own


def shown(kernel: Kernel) -> dict:
    """``own_state`` and the blotter's recent terminal orders, the unanswered commands."""
    registry = kernel.desk.oms.registry
    recent = {
        coid: (o.status.value, o.filled_qty, o.filled_value, o.ts_last)
        for coid in registry.recent_ids
        if (o := registry.get(coid)) is not None
    }
    return {**own_state(kernel), "recent": recent, "sent": list(kernel.replay.own.trading._sent)}


def rebuilt(path: Path, record: int) -> dict:
    """Every own record from the recording's start to ``record``, no frame, no checkpoint."""
    kernel, own = seeker(path, frames=False)

    async def go() -> dict:
        own.jump(record, 0, own.start_ns)
        return shown(kernel)

    return asyncio.run(go())


def test_the_frames_are_after_the_keyframes_and_count_as_the_numbering(framed):
    kernel, own = seeker(framed)
    reader = kernel.replay.reader
    frames = own.frames.frames
    assert len(frames) == len(reader.keyframes) > 15
    assert [f.record for f in frames] == [int(r) for r in reader.keyframes.record]
    assert all(own.records.before(f.record) == f.own for f in frames)
    assert frames[-1].own > 1000  # the quoters traded


def test_seeks_from_frames_forward_back_and_forward_are_the_played_state(framed):
    kernel, own = seeker(framed, every=100)
    records, frames = own.records.records, own.frames.frames
    end = records[-1] + 1
    far, back = records[len(records) - 40], records[frames[-4].own + 25]
    again = records[(frames[-1].own + len(records) - 40) // 2]  # into the first chain, kept
    last = end - 1

    async def go() -> list[tuple[int, int, int, dict]]:
        seen = []
        here = 0
        for target in (far, back, again, last):
            seen.append((target, own.jump(target, here, own.start_ns), own.base, shown(kernel)))
            here = target
        return seen

    seen = asyncio.run(go())
    for target, applied, _, state in seen:
        assert state == rebuilt(framed, target), f"before record {target}"
        frame = max(f.own for f in frames if f.own <= own.records.before(target))
        assert applied <= own.records.before(target) - frame
    bases = [base for _, _, base, _ in seen]
    assert bases[0] != bases[1] and bases[2] == bases[0]  # back onto the first chain
    assert seen[2][1] <= 100  # from one of its checkpoints
    assert seen[0][3]["fills"] and seen[0][3]["working"] and seen[0][3]["recent"]


def test_a_first_far_seek_applies_only_the_records_after_the_last_frame(framed):
    kernel, own = seeker(framed)
    records, frames = own.records.records, own.frames.frames
    target = records[-3]
    last = max((f for f in frames if f.own <= own.records.before(target)), key=lambda f: f.own)

    async def go() -> int:
        return own.jump(target, 0, own.start_ns)

    applied = asyncio.run(go())
    assert applied == own.records.before(target) - last.own < len(records) // 10
    assert own.base == last.own


def test_a_fill_repeated_after_a_frame_is_applied_once(framed):
    kernel, own = seeker(framed)
    records = own.records.records
    end = records[-1] + 1
    first = next(e for _, e in own.records.nth(0, len(records)) if type(e) is OrderFilled)
    again = [
        i
        for i, (_, e) in enumerate(own.records.nth(0, len(records)))
        if type(e) is OrderFilled and e.trade_id == first.trade_id
    ]
    assert len(again) == 2  # recorded twice: the second at 39.3 s
    frames = [f.own for f in own.frames.frames]
    before = max(f for f in frames if f <= again[1])  # the last frame before the repeat
    assert again[0] < before and min(f for f in frames if f > again[1]) > again[1] + 2
    past = records[again[1] + 2]  # the repeat applied, no frame after it yet

    async def go() -> dict:
        own.jump(end, 0, own.start_ns)
        assert own.base == frames[-1] > again[1]
        assert own.jump(past, end, own.start_ns) == again[1] + 2 - before  # from that frame
        assert own.base == before
        return shown(kernel)

    state = asyncio.run(go())
    assert state == rebuilt(framed, past)
    assert sum(f[0] == first.trade_id for f in state["fills"]) == 1


def test_a_recording_without_frames_seeks_as_before(tmp_path):
    path = record(tmp_path / "plain.ttj", frames=False)
    kernel, own = seeker(path, every=100)
    assert own.frames.frames == []
    records = own.records.records
    target = records[-5]

    async def go() -> tuple[int, dict]:
        return own.jump(target, 0, own.start_ns), shown(kernel)

    applied, state = asyncio.run(go())
    assert applied == own.records.before(target) and own.base == 0
    assert state == rebuilt(path, target)


def test_a_reader_without_the_index_steps_over_the_frames(framed, tmp_path):
    cut = tmp_path / "cut.ttj"
    shutil.copy(framed, cut)
    with open(cut, "r+b") as fh:
        fh.truncate(cut.stat().st_size - TRAILER_SIZE)  # the trailer lost: a scan
    with JournalReader(framed) as whole, JournalReader(cut) as scanned:
        assert not scanned.clean and whole.clean
        assert scanned.records == whole.records
        assert list(scanned.keyframes.record) == list(whole.keyframes.record)
        assert [b.topics for b in scanned.blocks()] == [b.topics for b in whole.blocks()]
    kernel, own = seeker(cut)
    assert len(own.frames.frames) == len(JournalReader(framed).keyframes)


@pytest.mark.parametrize("part", ["state", "keys"])
def test_a_damaged_frame_is_not_used_and_the_seek_starts_from_one_before(framed, tmp_path, part):
    """The last frame's state damaged: the frame before serves. The keys of the third last
    damaged: no frame from it on can know its fills, the fourth last serves."""
    bad = tmp_path / "bad.ttj"
    shutil.copy(framed, bad)
    kernel, own = seeker(framed)
    frames = own.frames.frames
    hit = frames[-1] if part == "state" else frames[-3]
    at = hit.offset + hit.length - 3 if part == "state" else hit.offset + HEAD_SIZE + 5
    with open(bad, "r+b") as fh:  # a byte flipped: its checksum fails
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 0xFF]))
    kernel, own = seeker(bad)
    end = own.records.records[-1] + 1
    serves = frames[-2] if part == "state" else frames[-4]

    async def go() -> tuple[int, dict]:
        return own.jump(end, 0, own.start_ns), shown(kernel)

    applied, state = asyncio.run(go())
    assert own.base == serves.own and applied == len(own.records.records) - serves.own
    assert state == rebuilt(framed, end)


def test_a_frame_whose_count_disagrees_with_the_numbering_is_not_used(framed):
    kernel, own = seeker(framed)
    frames = own.frames.frames
    frames[-1].own -= 1  # as if a record before it had been dropped as it was recorded
    end = own.records.records[-1] + 1

    async def go() -> dict:
        own.jump(end, 0, own.start_ns)
        return shown(kernel)

    state = asyncio.run(go())
    assert own.base == frames[-2].own
    assert state == rebuilt(framed, end)
