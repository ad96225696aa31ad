import pytest

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, seeded_app, size):
    assert snap_compare(seeded_app(), terminal_size=size)


def test_second_instrument_selected(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(120, 40), press=["]"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, seeded_app, size):
    assert snap_compare(seeded_app(), terminal_size=size, press=["question_mark"])


@pytest.mark.parametrize("theme", ["tradeterm-light", "tradeterm-colorblind",
                                   "tradeterm-high-contrast"])
def test_themes(snap_compare, seeded_app, theme):
    async def switch(pilot):
        pilot.app.theme = theme
        await pilot.pause()

    assert snap_compare(seeded_app(), terminal_size=(120, 40), run_before=switch)


def test_ladder_cursor_and_manual_scroll(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(120, 40), press=["up", "up", "pagedown"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_kill_switch_tripped(snap_compare, seeded_app, size):
    async def trip(pilot):
        # the frozen kernel has closed its store; the trip is shown, not persisted
        pilot.app.kernel.desk.killswitch.persist = None
        await pilot.press("ctrl+k")
        await pilot.pause()

    assert snap_compare(seeded_app(), terminal_size=size, run_before=trip)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_command_line_error(snap_compare, seeded_app, size):
    async def typed(pilot):
        await pilot.press("colon")
        pilot.app.query_one("#cmd-input").value = "b 0.5 @ 61800.3"
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(seeded_app(), terminal_size=size, run_before=typed)


def test_narrow_side_pane_switch(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(80, 24), press=["f5"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ticket_with_a_risk_error(snap_compare, seeded_app, size):
    async def ticket(pilot):
        await pilot.press("t")
        await pilot.pause()
        field = pilot.app.screen.query_one("#ticket-input")
        field.cursor_blink = False  # a frame must not depend on when it is taken
        field.value = "b 500 @ 61800"  # over the limits
        await pilot.pause()
        await pilot.pause(0.3)  # the preview follows the text: let it settle on a loaded machine

    assert snap_compare(seeded_app(), terminal_size=size, run_before=ticket)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_command_palette(snap_compare, seeded_app, size):
    async def palette(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"re-arm")
        await pilot.pause(0.3)

    assert snap_compare(seeded_app(), terminal_size=size, run_before=palette)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_replay_paused(snap_compare, tmp_path, size):
    """The shipped recording, paused at the start and stepped 200 events: a fixed frame."""
    from pathlib import Path

    from tradeterm.config import load_settings
    from tradeterm.kernel import Kernel, RunOptions
    from tradeterm.ui.app import create_app

    shipped = Path(__file__).resolve().parents[2] / "recordings" / \
        "binance-spot-btcusdt-ethusdt-20240808.ttj"
    kernel = Kernel(load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
                    RunOptions(mode="replay", replay=shipped, speed=1.0, interactive=True,
                               record=False))
    kernel.replay.pause()

    async def step(pilot):
        await pilot.pause(0.3)
        for _ in range(200):
            kernel.replay.step()
        await pilot.pause(0.3)

    assert snap_compare(create_app(kernel), terminal_size=size, run_before=step)


@pytest.mark.parametrize("theme", ["tradeterm-light", "tradeterm-colorblind"])
def test_themes_narrow(snap_compare, seeded_app, theme):
    async def switch(pilot):
        pilot.app.theme = theme
        await pilot.pause()

    assert snap_compare(seeded_app(), terminal_size=(80, 24), run_before=switch)
