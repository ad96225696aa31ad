"""The workstation at the end of a plain replay: `g -5s` goes back and space plays it to the end
again; `D` (previous fill) goes back too (issue 16)."""

import asyncio

from tests.integration.test_replay_navigation import recorded_paper_session
from tests.integration.test_replay_tui import goto, wait_for
from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app


def test_g_and_previous_fill_at_the_end_of_a_replay_play_it_again(tmp_path):
    recording = recorded_paper_session(tmp_path / "session.ttj")  # runs its own loop
    asyncio.run(review_to_the_end_and_back(recording, tmp_path))


def review_kernel(recording, tmp_path) -> Kernel:
    """The workstation's kernel reviewing ``recording`` (a plain replay, interactive)."""
    return Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(mode="replay", replay=recording, interactive=True, record=False),
    )


async def review_to_the_end_and_back(recording, tmp_path) -> None:
    kernel = review_kernel(recording, tmp_path)
    app = create_app(kernel)
    replay = kernel.replay

    def at_end() -> bool:
        return replay.state.done and kernel.views.status.ended != ""

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, at_end)
        assert at_end()
        assert await goto(pilot, "-5s") == ""  # not refused at the end any more
        await wait_for(pilot, lambda: kernel.views.status.ended == "")
        assert not replay.state.done and replay.state.message == "at seek target"
        await pilot.press("space")
        await wait_for(pilot, at_end)
        assert at_end() and replay.state.published == replay.state.total
        await pilot.press("D")
        await wait_for(pilot, lambda: kernel.views.status.ended == "")
        assert not replay.state.done and replay.state.message.startswith("fill #")
        await pilot.press("space")
        await wait_for(pilot, at_end)
        assert at_end()


def test_minus_seconds_at_the_end_count_from_where_the_recording_ended(tmp_path):
    """At the end the engine's clock follows the wall (timers still fire) while the header shows
    where the recording ended: `-5s` counted from the wall's clock and landed a few seconds
    later than the header promised (seen in tmux: -60s landed 50 s back)."""
    recording = recorded_paper_session(tmp_path / "session.ttj")
    asyncio.run(minus_five_at_the_end(recording, tmp_path))


async def minus_five_at_the_end(recording, tmp_path) -> None:
    kernel = review_kernel(recording, tmp_path)
    app = create_app(kernel)
    replay = kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: replay.state.done and kernel.views.status.ended != "")
        ended = replay.state.clock_ns
        # the engine's clock runs on with the wall
        await wait_for(pilot, lambda: kernel.clock.timestamp_ns() > ended + 10**9)
        assert kernel.clock.timestamp_ns() > ended + 10**9
        assert await goto(pilot, "-5s") == ""
        await wait_for(pilot, lambda: kernel.views.status.ended == "")
        assert ended - 6 * 10**9 < kernel.clock.timestamp_ns() <= ended - 5 * 10**9
