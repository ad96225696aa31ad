"""The replay transport in the TUI: header badge, keys, go-to-time."""

from pathlib import Path

from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.status_header import StatusHeader

SHIPPED = (
    Path(__file__).resolve().parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
)


def header_text(app) -> str:
    return "".join(text for text, _ in app.query_one(StatusHeader).status_row())


async def test_transport_keys_drive_the_replay(tmp_path):
    kernel = Kernel(
        load_settings(sim={"seed": 1}),
        RunOptions(
            mode="replay",
            replay=SHIPPED,
            speed=1.0,
            interactive=True,
            recording=tmp_path / "review.ttj",
        ),
    )
    replay = kernel.replay
    replay.pause()
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        text = header_text(app)
        assert "REPLAY" in text and "PAUSED" in text and "1x" in text and "23:54:13" in text
        assert replay.state.published == 0
        await pilot.press("full_stop")
        await pilot.pause(0.1)
        assert replay.state.published == 1 and replay.state.paused
        await pilot.press("plus")
        assert replay.state.speed == 2.0
        await pilot.press("minus", "minus")
        assert replay.state.speed == 0.5
        await pilot.press("n")
        await pilot.pause(0.3)
        assert replay.state.message == "found"
        await pilot.press("g")
        await pilot.pause(0.1)
        await pilot.press(*"+120s", "enter")
        for _ in range(50):
            await pilot.pause(0.1)
            if replay.state.message == "at seek target":
                break
        assert replay.state.message == "at seek target"
        assert "23:56:1" in header_text(app)
        await pilot.press("space")
        assert not replay.state.paused
        await pilot.press("q")
        await pilot.pause(0.2)
    assert kernel._stop.is_set()
    from tradeterm.record.journal import JournalReader

    with JournalReader(tmp_path / "review.ttj") as journal:  # the trader's actions are recorded
        actions = [e.action for _, _, t, e in journal.records_iter() if t == "replay.control"]
    assert actions[:2] == ["paused", "step"] and "seek" in actions and "playing" in actions


# --- navigation (issue 13.14) -----------------------------------------------------------------
def review_app(tmp_path, recording=SHIPPED):
    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(mode="replay", replay=recording, speed=1.0, interactive=True, record=False),
    )
    kernel.replay.pause()
    return create_app(kernel)


async def wait_for(pilot, done, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if done():
            return


async def goto(pilot, text: str) -> str:
    """g, type ``text``, Enter: '' when the replay went there, else what the modal says."""
    from textual.widgets import Label

    from tradeterm.ui.screens.replay_goto import GotoTimeScreen

    def answered() -> bool:  # the modal went, or says why it stays
        screen = pilot.app.screen
        return not isinstance(screen, GotoTimeScreen) or bool(
            str(screen.query_one("#goto-error", Label).render())
        )

    await pilot.press("g")
    await pilot.pause()
    await pilot.press(*text, "enter")
    for _ in range(100):
        if answered():
            break
        await pilot.pause(0.05)
    screen = pilot.app.screen
    if not isinstance(screen, GotoTimeScreen):
        return ""
    said = str(screen.query_one("#goto-error", Label).render())
    await pilot.press("escape")
    await pilot.pause()
    return said


async def test_o_without_order_events_says_so_and_the_replay_stays(tmp_path):
    app = review_app(tmp_path)
    replay = app.kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await pilot.press(*"....")
        await wait_for(pilot, lambda: replay.state.published == 4)
        await pilot.press("o")
        await pilot.pause(0.5)
        assert replay.state.published == 4 and not replay.state.done and replay.state.paused
        assert app.cmdline.message == "✗ no order events in this recording"


async def test_plus_and_minus_count_from_the_replay_clock(tmp_path):
    app = review_app(tmp_path)
    replay = app.kernel.replay
    start = replay.state.start_ns
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        for hop in (1, 2):
            assert await goto(pilot, "+60s") == ""
            await wait_for(pilot, lambda: replay.state.message == "at seek target")
            now = app.kernel.clock.timestamp_ns()
            assert start + (hop * 60 - 1) * 10**9 < now <= start + hop * 60 * 10**9
            replay.state.message = ""
        assert await goto(pilot, "-30s") == ""  # back, from the keyframes
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        back = app.kernel.clock.timestamp_ns()
        assert now - 31 * 10**9 < back <= now - 30 * 10**9
        replay.state.message = ""
        said = await goto(pilot, "00:00:05")
        assert said == (
            "✗ 00:00:05 (2024-08-09 00:00:05) is not in this recording: it runs "
            "2024-08-08 23:54:13 to 23:59:59 UTC"
        )
        assert (await goto(pilot, "noon")).startswith("✗ cannot read time 'noon'")


async def test_a_clock_time_after_midnight_goes_to_the_next_day(tmp_path):
    from tests.journal_samples import MS, write_sample

    t0 = 1_723_161_590 * 10**9  # 2024-08-08 23:59:50 UTC, 20 s of trades
    rec = write_sample(tmp_path / "midnight.ttj", blocks=4, per_block=50, t0=t0, step=100 * MS)
    app = review_app(tmp_path, rec)
    replay = app.kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "00:00:05") == ""
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        assert app.kernel.clock.timestamp_ns() == t0 + 15 * 10**9 - 100 * MS
        assert replay.position == 150  # the first record at 00:00:05 is next
        replay.state.message = ""
        assert await goto(pilot, "23:59:55") == ""  # back across midnight
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        assert app.kernel.clock.timestamp_ns() == t0 + 5 * 10**9 - 100 * MS
        assert replay.position == 50  # the first record at 23:59:55 is next


async def test_an_order_in_a_plain_replay_says_how_to_trade(tmp_path):
    app = review_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "+5s") == ""  # the books are up
        await wait_for(pilot, lambda: app.kernel.replay.state.message == "at seek target")
        await pilot.press("b")
        await wait_for(pilot, lambda: "REPLAY_READ_ONLY" in app.cmdline.message)
        assert "REPLAY_READ_ONLY" in app.cmdline.message
        assert "replay with --paper to trade" in app.cmdline.message


async def test_the_goto_box_now_line_follows_the_playing_replay(tmp_path):
    """The box's "now" is the one its offsets count from: the replay clock, while it plays (it
    showed the clock at the moment the box opened, however long the trader took to type)."""
    from textual.widgets import Label

    from tradeterm.record.replay_time import say_time
    from tradeterm.ui.screens.replay_goto import GotoTimeScreen

    app = review_app(tmp_path)
    replay = app.kernel.replay
    start = replay.state.start_ns
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GotoTimeScreen))
        where = lambda: str(app.screen.query_one("#goto-where", Label).render())  # noqa: E731
        opened = say_time(replay.now_ns, start)
        assert where().endswith(f"now {opened}")
        replay.set_speed(10.0)
        replay.play()
        await wait_for(pilot, lambda: say_time(replay.now_ns, start) != opened, 5)
        replay.pause()
        await wait_for(pilot, lambda: where().endswith(f"now {say_time(replay.now_ns, start)}"), 2)
        assert not where().endswith(f"now {opened}")
        assert where().endswith(f"now {say_time(replay.now_ns, start)}")
