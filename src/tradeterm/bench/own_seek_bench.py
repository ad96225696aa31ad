"""Seeking back in a plain replay of a session that traded (issue 16): the session's own trading
restored from its nearest checkpoint (``record/own_trades.py``) beside the full rebuild of
before (every own record applied again from the recording's start), on the same recording, in
the same run.

The recording is a quoted paper session recorded by the product itself (``--fast --quoter``:
the quoters start after 30 s, then a few thousand own-trading records a minute: commands,
acks, modifies, fills). Only the own trading's share of a seek is measured (the market's is
``replay.seek_p99``): ``OwnTradingSeek.jump`` as ``ReplayTransport`` calls it.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

from tradeterm.bench.registry import Figure, benchmark
from tradeterm.record.own_trades import CHECKPOINT_EVERY

if TYPE_CHECKING:
    from tradeterm.record.own_trades import OwnTradingSeek
    from tradeterm.runtime.kernel import Kernel

NO_CHECKPOINTS = 1 << 40


def record_quoting(path: Path, seconds: int) -> None:
    """``seconds`` of a quoted paper session (seed 3), recorded to ``path``."""
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel
    from tradeterm.runtime.options import RunOptions

    cfg = load_settings(sim={"seed": 3}, data_dir=str(path.parent))
    options = RunOptions(mode="paper", fast=True, seconds=seconds, recording=path, quoter="on")
    asyncio.run(Kernel(cfg, options).run())


def _replay(path: Path, every: int) -> tuple[Kernel, OwnTradingSeek]:
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel
    from tradeterm.runtime.options import RunOptions

    cfg = load_settings(sim={"seed": 1}, data_dir=str(path.parent))
    kernel = Kernel(cfg, RunOptions(mode="replay", replay=path, record=False))
    assert kernel.replay is not None
    own = kernel.replay.own
    assert own is not None  # a plain replay with its store in memory
    own.every = every
    return kernel, own


def _timed(own: OwnTradingSeek, record: int, here: int) -> tuple[float, int]:
    t = time.perf_counter()
    applied = own.jump(record, here, own.start_ns)
    return time.perf_counter() - t, applied


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def _checkpoint_bytes(path: Path) -> tuple[float, int]:
    """(mean bytes a checkpoint adds, bytes the checkpoints and their steps hold in all) at
    the recording's end, played from the start (no frame): traced memory with checkpoints less
    with none taken at all."""
    held = []
    for every in (NO_CHECKPOINTS, CHECKPOINT_EVERY):
        kernel, own = _replay(path, every)
        own.frames._frames = []  # every record applied, checkpoints taken all the way
        if every == NO_CHECKPOINTS:  # not even the one at none
            own.trading.checkpoint = lambda before: None  # type: ignore[method-assign]
        end = own.records.records[-1] + 1
        tracemalloc.start()
        own.jump(end, 0, own.start_ns)
        held.append(tracemalloc.get_traced_memory()[0])
        tracemalloc.stop()
        count = len(own.checkpoints)
        del kernel, own
    return (held[1] - held[0]) / max(count, 1), held[1] - held[0]


@benchmark("replay.seek_back_own_p99")
def seek_back_own_p99(quick: bool = False) -> Figure:
    seconds, seeks, rebuilds = (60, 30, 5) if quick else (300, 200, 20)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "quoted.ttj"
        record_quoting(path, seconds)

        async def measure() -> tuple[list[float], list[float], list[float], float, int, int]:
            kernel, own = _replay(path, CHECKPOINT_EVERY)
            records = own.records.records
            end = records[-1] + 1
            first, _ = _timed(own, end, 0)  # the first far seek: from the last own-state frame
            back, forth, most, here = [], [], 0, end
            targets = []
            for _ in range(seeks):  # uniform over the trading: back and forth
                target = rng.randrange(records[0], end)
                took, applied = _timed(own, target, here)
                if target < here:
                    back.append(took)
                    targets.append((target, here))
                    most = max(most, applied)
                else:
                    forth.append(took)
                here = target
            # the reference: today's full rebuild, the same seeks back
            _, old = _replay(path, NO_CHECKPOINTS)
            old.frames._frames = []  # nor frames: every own record from the start
            ref, stands = [], 0
            for target, here in targets[:rebuilds]:
                old.jump(here, stands, old.start_ns)  # where the seek back started from
                ref.append(_timed(old, target, here)[0])
                stands = target
            return back, forth, ref, first, most, len(records)

        back, forth, ref, first, most, own_records = asyncio.run(measure())
        mean, total = asyncio.run(_checkpoint_bytes(path))  # an answer may start a query
    return Figure(
        "replay.seek_back_own_p99",
        _p99(back) * 1000,
        "ms",
        "the full rebuild of before: every own record applied again from the start",
        _p99(ref) * 1000,
        target="<= 200 ms for any seek in a day",
        higher_is_better=False,
        note=(
            f"{len(back)} random seeks back (among {seeks} back and forth, uniform from the first "
            f"own record; the reference: the first {len(ref)} of them) on a recorded "
            f"{seconds} s quoted paper session "
            f"({own_records:,} own-trading records), checkpoints every {CHECKPOINT_EVERY} of "
            f"them, and an own-state frame after each keyframe: at most {most} applied by one; "
            f"the first seek to the end (from the last frame) {first * 1e3:.0f} ms; "
            f"forward seeks (from the nearest checkpoint ahead, or where the replay stands) "
            f"p99 {_p99(forth) * 1e3:.0f} ms; a checkpoint adds {mean / 1e3:.1f} kB on average "
            f"({total / 1e6:.2f} MB in all, {total / own_records:.0f} B per own record)"
        ),
    )
