"""Issue 16: the seek-equivalence property for the session's own trading. For any sequence of
seeks (back and forth, at random) and stretches played on the bus, a plain replay of a recorded
paper session shows the working orders, fills, positions and PnL that playing the recording
from its start to the same point shows."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.integration.test_replay_navigation import replay_kernel
from tests.integration.test_replay_own_trading import own_state, play_to, seek, stop
from tradeterm.config import load_settings
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.record.journal import JournalReader
from tradeterm.record.own_trades import OwnTradeRecords
from tradeterm.runtime.kernel import Kernel, RunOptions

S = 10**9
SECONDS = 30


def traded_session(path: Path) -> Path:
    """30 s of a simulated paper session, keyframes every 4 s: orders that fill at once, rest
    and fill later, rest and are cancelled, in both directions, on both instruments."""
    cfg = load_settings(sim={"seed": 11}, record={"keyframe_interval_s": 4})
    kernel = Kernel(cfg, RunOptions(mode="paper", fast=True, seconds=SECONDS, recording=path))
    insts = list(kernel.instruments.values())
    sent: list[str] = []

    def order(k: int, side: Side, away: int):
        inst = insts[k % len(insts)]

        def send(_ts: int) -> None:
            book = kernel.views.books[inst.id]
            price = book.best_ask + away if side is Side.BUY else book.best_bid - away
            coid = kernel.next_order_id()
            sent.append(coid)
            kernel.submit(
                SubmitOrder(
                    kernel.clock.timestamp_ns(),
                    coid,
                    inst.id,
                    side,
                    inst.qty_to_lots("0.01") * (1 + k % 3),
                    price=price,
                )
            )

        return send

    start = kernel.clock.timestamp_ns()
    plan = [(2, Side.BUY, 5), (4, Side.SELL, -3), (6, Side.BUY, -2), (9, Side.SELL, 4)]
    plan += [(11, Side.BUY, -60), (14, Side.SELL, 2), (17, Side.SELL, -1), (19, Side.BUY, 3)]
    plan += [(22, Side.BUY, -1), (25, Side.SELL, 6)]
    for k, (at, side, away) in enumerate(plan):
        kernel.clock.set_alert(f"o{k}", start + at * S, order(k, side, away))
    kernel.clock.set_alert("cancel", start + 20 * S, lambda _ts: kernel.cancel(sent[4]))
    asyncio.run(kernel.run())
    return path


class Reference:
    """Own trading played from the start: the state before each own-trading record."""

    def __init__(self, path: Path) -> None:
        with JournalReader(path) as reader:
            self.own = OwnTradeRecords(reader).records
            self.start = reader.start_ns or 0
            self.times = [t for _, t, _, _ in reader.records_iter()]
        kernel = replay_kernel(path, speed=1.0)
        kernel.replay.pause()
        self.states = asyncio.run(self._play(kernel))

    async def _play(self, kernel: Kernel) -> list[dict]:
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        states = [own_state(kernel)]  # before the first own record
        replay = kernel.replay
        replay.seeker = None  # play on the bus
        for record in self.own:
            assert replay.go_to_record(record, "own")
            while replay.position <= record:
                await asyncio.sleep(0.005)
            states.append(own_state(kernel))
        await stop(kernel, task)
        return states

    def at(self, position: int) -> dict:
        """The state with records ``0 .. position - 1`` played."""
        return self.states[sum(r < position for r in self.own)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Reference]:
    path = traded_session(tmp_path_factory.mktemp("prop") / "traded.ttj")
    return path, Reference(path)


def test_the_session_is_worth_the_property(reference):
    path, ref = reference
    with JournalReader(path) as reader:
        assert len(reader.keyframes) >= 5
    finals = ref.states[-1]
    assert finals["applied"] >= 6 and len(finals["fills"]) >= 6
    assert any(s["working"] for s in ref.states)  # orders rest at some point
    assert any(len({v[0] for v in s["working"].values()}) for s in ref.states)
    assert len({str(s["positions"]) for s in ref.states}) >= 5


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    moves=st.lists(
        st.tuples(st.booleans(), st.floats(min_value=0.0, max_value=SECONDS - 0.5)),
        min_size=1,
        max_size=6,
    )
)
@example(moves=[(False, 29.0), (True, 0.0), (True, 0.0), (True, 0.0)])  # play past the end
@example(moves=[(False, 29.0), (False, 21.0), (False, 26.0), (False, 9.0), (False, 14.5)])
@example(
    moves=[(True, 20.0), (False, 3.0), (False, 18.0), (True, 24.0), (False, 8.0), (False, 27.0)]
)
def test_after_any_seeks_the_own_trading_is_the_one_played_from_the_start(reference, moves):
    """Checkpoints of the own trading every 3 records (``OwnTradingSeek.every``): a seek back
    restores one of many, across several, and applies the records after it; a seek forward
    restores the nearest one ahead of the replay (the records played on the bus take them too)."""
    path, ref = reference
    kernel = replay_kernel(path, speed=1.0)
    kernel.replay.pause()
    assert kernel.replay.own is not None
    kernel.replay.own.every = 3

    async def drive() -> None:
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.02)
        clock = kernel.clock.timestamp_ns
        for played, seconds in moves:
            if played and ref.start + int(seconds * S) < clock():
                seconds = (clock() - ref.start) / S + 0.5  # the bus plays forward only
                if seconds > SECONDS - 0.5:
                    continue  # no recording left to play on the bus (it ends at 30 s)
            state = await (play_to if played else seek)(kernel, seconds)
            assert state == ref.at(kernel.replay.position), (played, seconds)
        await stop(kernel, task)

    asyncio.run(drive())
