"""A plain replay that reached its end under review (the TUI) seeks back and plays again
(issue 16): `g` to a time, `-5m`, the previous-fill keys. The market opens again (new orders
are not refused for the end any more), the replay's loop runs again from the target, and at the
end the market closes again."""

import asyncio

from tests.integration.test_replay_navigation import recorded_paper_session
from tests.integration.test_replay_paper_rewind import S, settle
from tradeterm.config import load_settings
from tradeterm.record.replay_time import parse_time
from tradeterm.runtime.kernel import Kernel, RunOptions


def test_a_plain_replay_at_its_end_seeks_back_and_plays_again(tmp_path):
    recording = recorded_paper_session(tmp_path / "session.ttj")
    kernel = Kernel(
        load_settings(sim={"seed": 1}),
        RunOptions(mode="replay", replay=recording, interactive=True, record=False),
    )
    replay, nav = kernel.replay, kernel.replay.navigator
    start, total = replay.state.start_ns, replay.state.total

    def at_end() -> bool:
        return replay.state.done and kernel.views.status.ended != ""

    async def drive():
        task = asyncio.create_task(kernel.run())
        await settle(replay, at_end)
        assert kernel.desk.closed_reason and replay.state.published == total
        fills_at_end = len(kernel.views.fills.items)
        assert fills_at_end >= 2  # not vacuous: the recorded session traded

        assert replay.seek(start + 5 * S)  # g 23:..: back from the end
        assert not replay.state.done and replay.state.message == "at seek target"
        await settle(replay, lambda: kernel.views.status.ended == "")
        assert kernel.desk.closed_reason == ""  # the market is open again
        assert replay.state.paused  # at the target, as any seek
        await asyncio.sleep(0.05)
        assert not replay.state.done and kernel.views.status.ended == ""
        replay.play()
        await settle(replay, at_end)  # it played on to the end again
        assert replay.state.published == total
        assert len(kernel.views.fills.items) == fills_at_end  # each fill once

        back = parse_time("-5s", start, replay.state.end_ns, kernel.clock.timestamp_ns())
        assert replay.seek(back)  # g -5s: an offset from the replay clock at the end
        assert not replay.state.done
        replay.play()
        await settle(replay, at_end)
        assert nav.prev_fill()  # the previous-fill key at the end
        assert not replay.state.done and replay.state.message.startswith("fill #")
        replay.play()
        await settle(replay, at_end)
        assert len(kernel.views.fills.items) == fills_at_end
        kernel.request_stop()
        await asyncio.wait_for(task, 10)

    asyncio.run(drive())
