"""The replay's progress bar with its marks (issue 16): a recorded paper session with two fills,
a bookmark set at 2 s, the replay gone to fill #2 (its fill shown in the fills pane)."""

import pytest

from tests.integration.test_replay_navigation import recorded_paper_session
from tests.snapshots.conftest import SIZES, size_id
from tests.snapshots.test_main_screen import still


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return recorded_paper_session(tmp_path_factory.mktemp("rec") / "session.ttj")


def marks_app(session, tmp_path):
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel, RunOptions
    from tradeterm.ui.app import create_app

    recording = tmp_path / "session.ttj"
    recording.write_bytes(session.read_bytes())
    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(mode="replay", replay=recording, speed=1.0, interactive=True, record=False),
    )
    kernel.replay.pause()
    return create_app(kernel)


async def at_fill_two(pilot) -> None:
    replay = pilot.app.kernel.replay
    nav = replay.navigator
    await pilot.pause(0.3)

    async def settle() -> None:
        for _ in range(200):
            await pilot.pause(0.05)
            if not replay._steps and replay._to_record is None:
                break

    assert replay.seek(replay.state.start_ns + 2 * 10**9)
    await settle()
    nav.set_bookmark("entry")
    assert nav.go("#2")
    await settle()
    pilot.app.instrument_keys.show()
    await pilot.pause(0.5)
    await still(pilot)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_replay_progress_bar_marks(snap_compare, session, tmp_path, size):
    assert snap_compare(marks_app(session, tmp_path), terminal_size=size, run_before=at_fill_two)
