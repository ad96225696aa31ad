"""Issue 16: a seek back in a plain replay restores the nearest checkpoint of the recorded
session's own trading at or before the target and applies only the records after it, never the
session's whole trading from the recording's start; the blotter, fills, positions, realized PnL
and fees are those of playing the recording from its start to the target."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from tests.integration.test_replay_navigation import replay_kernel
from tests.integration.test_replay_own_trading import own_state, play_to, stop
from tradeterm.config import load_settings
from tradeterm.domain.market import BookDelta, BookSnapshot, TopOfBook, Trade
from tradeterm.record.codec import BlockDecoder
from tradeterm.record.schema import registry
from tradeterm.runtime.kernel import Kernel, RunOptions

EVERY = 100  # own records between two checkpoints, small: many of them


@pytest.fixture(scope="module")
def quoted(tmp_path_factory) -> Path:
    """45 s of a quoted paper session (its quoters start after 30 s): over a thousand
    own-trading records."""
    path = tmp_path_factory.mktemp("quoted") / "quoted.ttj"
    cfg = load_settings(sim={"seed": 3})
    options = RunOptions(mode="paper", fast=True, seconds=45, recording=path, quoter="on")
    asyncio.run(Kernel(cfg, options).run())
    return path


def rebuilt(path: Path, record: int) -> dict:
    """The own trading before ``record`` as the records from the start make it."""
    kernel = replay_kernel(path)
    own = kernel.replay.own
    assert own is not None
    own.every = 1 << 40  # no checkpoint: every record from the start

    async def jump() -> dict:
        own.jump(record, 0, own.start_ns)
        return own_state(kernel)

    return asyncio.run(jump())


def test_a_seek_back_applies_at_most_a_checkpoint_interval_and_is_the_played_state(quoted):
    kernel = replay_kernel(quoted)
    own = kernel.replay.own
    assert own is not None
    own.every = EVERY
    records = own.records.records
    end = records[-1] + 1
    assert len(records) > 10 * EVERY  # worth it: many checkpoints
    rng = random.Random(7)
    targets = [rng.randrange(end) for _ in range(12)] + [0, records[EVERY], records[5 * EVERY]]

    async def seeks() -> list[tuple[int, int, dict]]:
        assert own.jump(end, 0, own.start_ns) == len(records)  # played to the end
        assert len(own.checkpoints) == len(records) // EVERY + 1  # one at none
        seen, here = [], end
        for target in targets:
            if target >= here:  # forward: from where it stands, then back again from the end
                own.jump(end, here, own.start_ns)
                here = end
            seen.append((target, own.jump(target, here, own.start_ns), own_state(kernel)))
            here = target
        return seen

    seen = asyncio.run(seeks())
    for target, applied, _ in seen:
        assert applied <= EVERY, f"a seek back to record {target} applied {applied} records"
    for target, _, state in seen[:6] + seen[-3:]:
        assert state == rebuilt(quoted, target), f"before record {target}"
    # not vacuous: fills, positions and working orders among them
    assert any(len(s["fills"]) >= 10 and s["working"] for _, _, s in seen)


def test_a_checkpoint_keeps_what_changed_and_restores_into_the_same_objects(quoted):
    kernel = replay_kernel(quoted)
    own = kernel.replay.own
    assert own is not None
    own.every = EVERY
    desk = kernel.desk
    working, fills, positions = desk.oms.working, kernel.views.fills, desk.portfolio.positions
    records = own.records.records

    async def go() -> None:
        own.jump(records[-1] + 1, 0, own.start_ns)
        history = desk.oms.history
        assert history is not None
        held = len(history.held)
        steps = [len(step) for step in history.steps]
        # a checkpoint keeps the orders that changed since the last, not every order held
        assert held > 100 and max(steps) < held / 4
        own.jump(records[EVERY] + 1, records[-1] + 1, own.start_ns)
        # one ledger: the same OMS dict, fills pane and portfolio, their state put back
        assert desk.oms.working is working and kernel.views.fills is fills
        assert desk.portfolio.positions is positions
        kept = history.held
        assert not any(o is kept[c][0] for c, o in working.items())  # copies, never handed out

    asyncio.run(go())


def test_a_forward_seek_restores_the_nearest_checkpoint_ahead_of_the_replay(quoted):
    """After a seek back, the checkpoints after the target stay: a seek forward past one goes to
    the latest at or before its target and applies at most an interval of records."""
    kernel = replay_kernel(quoted)
    own = kernel.replay.own
    assert own is not None
    own.every = EVERY
    records = own.records.records
    end = records[-1] + 1
    back, forth = records[EVERY + 7], records[9 * EVERY + 3]

    async def go() -> tuple[int, dict]:
        own.jump(end, 0, own.start_ns)
        own.jump(back, end, own.start_ns)
        return own.jump(forth, back, own.start_ns), own_state(kernel)

    applied, state = asyncio.run(go())
    assert applied <= EVERY, f"a forward seek applied {applied} records"
    assert state == rebuilt(quoted, forth)


def test_records_played_on_the_bus_take_checkpoints(quoted):
    """Played to the end on the bus, never seeking: the first seek back applies at most an
    interval of records, the checkpoints taken as the records were played."""
    kernel = replay_kernel(quoted, speed=1.0)
    kernel.replay.pause()
    own = kernel.replay.own
    assert own is not None
    own.every = EVERY
    seconds = 44.0

    async def drive() -> tuple[int, int, int]:
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.02)
        await play_to(kernel, seconds)
        here = kernel.replay.position
        taken = len(own.checkpoints)
        target = own.records.records[2 * EVERY + 5]
        applied = own.jump(target, here, own.start_ns)
        await stop(kernel, task)
        return taken, applied, own.records.before(here)

    taken, applied, played = asyncio.run(drive())
    assert played > 10 * EVERY and taken == played // EVERY + 1
    assert applied <= EVERY


def test_the_scan_builds_no_event_and_a_seek_only_the_own_events_it_applies(quoted, monkeypatch):
    """Numbering the own records reads the blocks' topics only; a seek builds the events of
    the own records it applies (their blocks' order and command groups), no market event."""
    built: list[str] = []
    decode_group = BlockDecoder.decode_group

    def counted(self, tag, *args):
        built.append(tag)
        return decode_group(self, tag, *args)

    kernel = replay_kernel(quoted)
    own = kernel.replay.own
    assert own is not None
    monkeypatch.setattr(BlockDecoder, "decode_group", counted)
    monkeypatch.setattr(BlockDecoder, "decode", None)  # no whole block is decoded
    records = own.records.records
    assert len(records) > 1000 and built == []
    target = records[300]

    async def go() -> None:
        own.jump(target, 0, own.start_ns)

    asyncio.run(go())
    market = {
        s.tag
        for s in registry().by_tag.values()
        if s.cls in (BookDelta, BookSnapshot, Trade, TopOfBook)
    }
    assert built and not market & set(built)
    assert len(own.records._built) <= own.records.before(target)  # blocks up to the target
    assert max(own.records._built) < len(own.records._blocks) // 2
