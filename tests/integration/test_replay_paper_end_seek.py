"""A `replay --paper` that reached its end under review (the TUI) goes back like any seek back
(issue 16): its paper orders, cancelled at the end, are the trades it discards, so it asks
first; yes, and the market opens again at the target with the orders working there back at the
paper venue, and the replay plays on to the end again."""

import asyncio

from tests.integration.test_replay_navigation import recorded_paper_session
from tests.integration.test_replay_paper_rewind import S, settle, submit
from tradeterm.config import load_settings
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.runtime.kernel import Kernel, RunOptions


def test_a_paper_replay_at_its_end_goes_back_asking_first(tmp_path):
    recording = recorded_paper_session(tmp_path / "session.ttj")
    kernel = Kernel(
        load_settings(sim={"seed": 1}, paper={"latency_ms": 0, "latency_jitter_ms": 0}),
        RunOptions(mode="replay", replay=recording, paper=True, interactive=True, record=False),
    )
    replay, nav = kernel.replay, kernel.replay.navigator
    inst = next(iter(kernel.instruments.values()))
    start = replay.state.start_ns
    replay.pause()

    def at_end() -> bool:
        return replay.state.done and kernel.views.status.ended != ""

    def resting() -> int:
        return sum(len(b.orders) for b in kernel.execution.execution.books.values())

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 5 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        coid = submit(kernel, inst, Side.BUY, kernel.views.books[inst.id].best_bid - 1000)
        await asyncio.sleep(0.05)
        assert resting() == 1
        replay.set_speed(None)
        replay.play()
        await settle(replay, at_end)
        assert kernel.desk.oms.get(coid).status is OrderStatus.CANCELED  # the end cancelled it

        assert not replay.seek(start + 10 * S)  # asks: the cancel at the end is discarded
        assert " discards 1 order(s), 0 held order(s) and 0 fill(s)" in replay.state.message
        assert replay.state.done and replay.offer is not None
        assert replay.take_offer()
        assert not replay.state.done and replay.state.message == "at seek target"
        await settle(replay, lambda: kernel.views.status.ended == "")
        assert kernel.desk.closed_reason == ""  # the market is open again
        assert kernel.desk.oms.get(coid).status is OrderStatus.ACCEPTED and resting() == 1
        other = submit(kernel, inst, Side.BUY, kernel.views.books[inst.id].best_bid - 2000)
        await asyncio.sleep(0.05)
        assert kernel.desk.oms.get(other).status is OrderStatus.ACCEPTED  # not refused

        replay.play()
        await settle(replay, at_end)  # it plays on to the end again
        assert not nav.prev_fill()  # the previous-fill key asks too (the orders' cancels)
        assert " discards 2 order(s)" in replay.state.message and replay.offer is not None
        assert replay.take_offer()
        assert not replay.state.done and replay.state.message.startswith("fill #")
        kernel.request_stop()
        await asyncio.wait_for(task, 10)

    asyncio.run(drive())
