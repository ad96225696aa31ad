"""Replay navigation in the TUI (issue 16): g by fill number and order id, the previous / next
keys (fill, order event, large trade, bookmark), bookmarks (set, list, go, rename, delete, kept
beside the recording across a restart of the replay) and the progress bar's marks."""

import json

import pytest

from tradeterm.domain.market import Trade

from tests.integration.test_replay_navigation import recorded_paper_session
from tests.integration.test_replay_tui import goto, review_app, wait_for
from tradeterm.record.bookmarks import bookmarks_path
from tradeterm.ui.screens.bookmarks import BookmarkNameScreen, BookmarksScreen
from tradeterm.ui.widgets.replay_bar import BOOKMARK, CURSOR, FILL, ReplayBar


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A recorded paper session: 2 fills (at 5 s and 12 s), 3 orders."""
    return recorded_paper_session(tmp_path_factory.mktemp("rec") / "session.ttj")


def copy_of(session, tmp_path):
    target = tmp_path / "session.ttj"
    target.write_bytes(session.read_bytes())
    return target


async def settled(pilot, replay) -> None:
    await wait_for(pilot, lambda: not replay._steps and replay._to_record is None)
    await pilot.pause(0.1)


async def test_g_goes_to_a_fill_by_number_and_to_an_order_by_id(session, tmp_path):
    app = review_app(tmp_path, copy_of(session, tmp_path))
    replay = app.kernel.replay
    fills = replay.navigator.session.fills
    orders = replay.navigator.session.orders
    assert len(fills) == 2 and len(orders) == 3
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "#2") == ""
        await settled(pilot, replay)
        assert replay.position == fills[1].record + 1  # the fill itself was played: shown
        assert replay.state.message == "fill #2" and replay.state.paused
        assert await goto(pilot, "fill 1") == ""  # back
        await settled(pilot, replay)
        assert replay.position == fills[0].record + 1
        last = list(orders)[-1]
        assert await goto(pilot, f"order {last}") == ""
        await settled(pilot, replay)
        assert replay.position == orders[last].record + 1
        assert await goto(pilot, list(orders)[0]) == ""  # a bare id of the recording's orders
        await settled(pilot, replay)
        assert replay.position == orders[list(orders)[0]].record + 1
        assert await goto(pilot, "#7") == "✗ fill #7: this recording has 2 fills (#1 to #2)"
        said = await goto(pilot, "order TT999999-00000001")
        assert said.startswith("✗ order TT999999-00000001 is not in this recording (3 orders: ")


async def test_g_fill_on_a_recording_without_fills_says_so(tmp_path):
    app = review_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "#1") == "✗ no fills in this recording"
        assert app.kernel.replay.state.published == 0


async def test_previous_and_next_keys_for_fills_order_events_and_large_trades(session, tmp_path):
    app = review_app(tmp_path, copy_of(session, tmp_path))
    replay = app.kernel.replay
    nav = replay.navigator
    fills = [m.record for m in nav.session.fills]
    events = [replay.order_events.next_from(0)]
    while (nxt := replay.order_events.next_from(events[-1] + 1)) is not None:
        events.append(nxt)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        reached = []
        for _ in fills:
            await pilot.press("d")
            await settled(pilot, replay)
            reached.append(replay.position - 1)
        assert reached == fills
        await pilot.press("d")
        await pilot.pause(0.2)
        assert app.cmdline.message == "✗ no later fill in this recording"
        assert replay.position - 1 == fills[-1]  # stayed
        await pilot.press("D")
        await settled(pilot, replay)
        assert replay.position - 1 == fills[0]
        await pilot.press("D")
        await pilot.pause(0.2)
        assert app.cmdline.message == "✗ no earlier fill in this recording"
        # order events, backwards from the end of the recording's last one
        assert await goto(pilot, "+10s") == ""
        await settled(pilot, replay)
        start, back = replay.position, []
        while True:
            here = replay.position
            await pilot.press("O")
            await settled(pilot, replay)
            if replay.position == here:
                break
            back.append(replay.position - 1)
        assert back == [e for e in reversed(events) if e < start - 1]
        assert len(back) >= 4 and back[-1] == events[0]
        assert app.cmdline.message == "✗ no earlier order event in this recording"
        # large trades ([replay] large_trade, default 1 BTC): each is a trade of 1 BTC or more
        insts = app.kernel.instruments
        was = replay.position
        await pilot.press("v")
        await settled(pilot, replay)
        first = replay.position - 1
        await pilot.press("v")
        await settled(pilot, replay)
        second = replay.position - 1
        assert first < second

        def large(record: int) -> bool:
            event = record_event(replay.reader, record)
            return type(event) is Trade and event.size >= insts[event.instrument].qty_to_lots("1")

        assert large(first) and large(second)
        assert not any(large(r) for r in range(was, first))  # the first one after the replay
        assert not any(large(r) for r in range(first + 1, second))
        await pilot.press("V")
        await settled(pilot, replay)
        assert replay.position - 1 == first


def record_event(reader, record):
    i, pos = reader.locate(record)
    return reader.read_block(i).events[pos]


async def set_bookmark(pilot, name: str | None) -> None:
    await pilot.press("M")
    await pilot.pause(0.1)
    assert isinstance(pilot.app.screen, BookmarkNameScreen)
    if name is not None:
        pilot.app.screen.query_one("#bookmark-name").value = name
    await pilot.press("enter")
    await pilot.pause(0.1)


async def test_bookmarks_set_list_go_rename_delete_and_kept_across_a_restart(session, tmp_path):
    recording = copy_of(session, tmp_path)
    before = recording.read_bytes()
    app = review_app(tmp_path, recording)
    replay = app.kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "+4s") == ""
        await settled(pilot, replay)
        first = (replay.position, replay.clock.timestamp_ns())
        await set_bookmark(pilot, None)  # the default name
        assert await goto(pilot, "+9s") == ""
        await settled(pilot, replay)
        second = replay.position
        await set_bookmark(pilot, "before the sell")
        await pilot.press("apostrophe")
        await pilot.pause(0.2)
        assert app.cmdline.message == "✗ no later bookmark in this recording"
        await pilot.press("quotation_mark")
        await settled(pilot, replay)
        assert (replay.position, replay.clock.timestamp_ns()) == first
        await pilot.press("apostrophe")
        await settled(pilot, replay)
        assert replay.position == second and replay.state.message == "bookmark before the sell"
        await pilot.press("L")
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, BookmarksScreen)
        assert [m.name for m in replay.navigator.bookmarks.marks] == [
            "bookmark 1",
            "before the sell",
        ]
        await pilot.press("enter")  # the first is highlighted: go there
        await settled(pilot, replay)
        assert not isinstance(app.screen, BookmarksScreen)
        assert replay.position == first[0]
        await pilot.press("L")
        await pilot.pause(0.2)
        await pilot.press("r")
        await pilot.pause(0.1)
        app.screen.query_one("#bookmark-name").value = "the buy"
        await pilot.press("enter")
        await pilot.pause(0.1)
        await pilot.press("down", "d")
        await pilot.pause(0.1)
        await pilot.press("escape")
        await pilot.pause(0.1)
    kept = json.loads(bookmarks_path(recording).read_text())
    assert [(m["name"], m["record"]) for m in kept["bookmarks"]] == [("the buy", first[0])]
    assert recording.read_bytes() == before  # the recording itself is never touched
    again = review_app(tmp_path, recording)  # the replay started again: the bookmark is back
    replay = again.kernel.replay
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert [m.name for m in replay.navigator.bookmarks.marks] == ["the buy"]
        await pilot.press("apostrophe")
        await settled(pilot, replay)
        assert (replay.position, replay.clock.timestamp_ns()) == first


async def test_the_progress_bar_marks_fills_and_bookmarks(session, tmp_path):
    app = review_app(tmp_path, copy_of(session, tmp_path))
    replay = app.kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "+2s") == ""
        await settled(pilot, replay)
        await set_bookmark(pilot, "early")
        assert await goto(pilot, "+6s") == ""  # the cursor moves off the bookmark
        await settled(pilot, replay)
        (line,) = app.query_one(ReplayBar).plain_lines()
        assert len(line) <= 120
        bar = line[1 : line.index("%") - 6]
        assert bar.count(FILL) == 2 and bar.count(BOOKMARK) == 1 and bar.count(CURSOR) == 1
        fills = replay.navigator.session.fills
        width, total = len(bar), replay.state.total
        assert [k for k, c in enumerate(bar) if c == FILL] == [
            m.record * width // total for m in fills
        ]
        assert line.endswith(f"{FILL} fill  {BOOKMARK} bookmark")
