"""The question before a seek back discards paper trades (issue 16): a `replay --paper` stepped
2000 events, an order resting on paper, then `g -5s`."""

import pytest

from tests.integration.test_replay_rewind_tui import paper_review_app, rest_an_order
from tests.snapshots.conftest import SIZES, size_id
from tests.snapshots.test_main_screen import stepped, still
from tradeterm.ui.screens.confirm import ConfirmScreen


async def asked(pilot) -> None:
    await stepped(pilot)
    rest_an_order(pilot.app.kernel)
    await pilot.pause(0.2)
    await pilot.press("g")
    await pilot.pause()
    await pilot.press(*"-5s", "enter")
    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(pilot.app.screen, ConfirmScreen):
            break
    assert isinstance(pilot.app.screen, ConfirmScreen)
    await still(pilot)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_replay_paper_seek_back_asks(snap_compare, tmp_path, size):
    assert snap_compare(paper_review_app(tmp_path), terminal_size=size, run_before=asked)
