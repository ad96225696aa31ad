"""Every pane and screen of the workstation at 80x24, 120x40 and 200x60, frozen: a seeded
session run on the simulated clock and stopped (the engine does not run during the snapshot),
inputs without a blinking cursor. Look at a changed SVG before accepting it (README, Test)."""

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.snapshots.conftest import SIZES, size_id

SHIPPED = (
    Path(__file__).resolve().parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
)


async def still(pilot) -> None:
    """No blinking cursor in any field, so a frame does not depend on when it is taken."""
    for screen in pilot.app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_main_screen(snap_compare, seeded_app, size):
    assert snap_compare(seeded_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_trading_screen(snap_compare, trading_app, size):
    """Working orders in the blotter (short ids), fills, positions, PnL and risk in use."""
    assert snap_compare(trading_app(), terminal_size=size)


@pytest.mark.parametrize("key", [f"f{n}" for n in range(1, 9)])
def test_side_panes_at_80_columns(snap_compare, trading_app, key):
    assert snap_compare(trading_app(), terminal_size=(80, 24), press=[key])


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_ledger_balance_and_fees_per_currency(snap_compare, ledger_app, size):
    """A commission paid in BTC: the BTC position shows its base balance under the lots
    position and the fees as charged; a BNB fee no instrument prices shows as not in PnL, in
    the positions and the PnL panes (at 80x24 the positions pane is the one on screen)."""
    assert snap_compare(ledger_app(), terminal_size=size, press=["f3"] if size[0] < 100 else [])


def test_ledger_pnl_pane_at_80_columns(snap_compare, ledger_app):
    assert snap_compare(ledger_app(), terminal_size=(80, 24), press=["f4"])


def test_second_instrument_selected(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(120, 40), press=["]"])


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_help_screen(snap_compare, seeded_app, size):
    assert snap_compare(seeded_app(), terminal_size=size, press=["question_mark"])


@pytest.mark.parametrize(
    "theme", ["tradeterm-light", "tradeterm-colorblind", "tradeterm-high-contrast"]
)
def test_themes(snap_compare, seeded_app, theme):
    async def switch(pilot):
        pilot.app.theme = theme
        await pilot.pause()

    assert snap_compare(seeded_app(), terminal_size=(120, 40), run_before=switch)


@pytest.mark.parametrize("theme", ["tradeterm-light", "tradeterm-colorblind"])
def test_themes_narrow(snap_compare, seeded_app, theme):
    async def switch(pilot):
        pilot.app.theme = theme
        await pilot.pause()

    assert snap_compare(seeded_app(), terminal_size=(80, 24), run_before=switch)


def test_ladder_cursor_and_manual_scroll(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(120, 40), press=["up", "up", "pagedown"])


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_kill_switch_tripped(snap_compare, trading_app, size):
    """The HALTED banner names what the trip did (three orders cancelled), never cut."""

    async def trip(pilot):
        await pilot.press("ctrl+k")
        await pilot.pause()

    assert snap_compare(trading_app(), terminal_size=size, run_before=trip)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_rearm_screen(snap_compare, trading_app, size):
    async def rearm(pilot):
        await pilot.press("ctrl+k")
        pilot.app.action_rearm()
        await pilot.pause()
        pilot.app.screen.query_one("#rearm-reason", Input).value = "checked the book"
        await still(pilot)

    assert snap_compare(trading_app(), terminal_size=size, run_before=rearm)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_command_line_error(snap_compare, seeded_app, size):
    async def typed(pilot):
        await pilot.press("colon")
        pilot.app.query_one("#cmd-input").value = "b 0.5 @ 61800.3"
        await pilot.press("enter")
        await still(pilot)

    assert snap_compare(seeded_app(), terminal_size=size, run_before=typed)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_command_line_open(snap_compare, seeded_app, size):
    async def typing(pilot):
        await pilot.press("colon", *"b 0.1 @ bid-2t")
        await still(pilot)

    assert snap_compare(seeded_app(), terminal_size=size, run_before=typing)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_ticket_with_a_risk_error(snap_compare, seeded_app, size):
    async def ticket(pilot):
        await pilot.press("t")
        await pilot.pause()
        pilot.app.screen.query_one("#ticket-input").value = "b 500 @ 61800"  # over the limits
        await still(pilot)
        await pilot.pause(0.3)  # the preview follows the text: let it settle on a loaded machine

    assert snap_compare(seeded_app(), terminal_size=size, run_before=ticket)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_live_confirmation(snap_compare, trading_app, size):
    """A LIVE session starts by asking for the venue's name; the header is red."""
    app = trading_app(mode="live")
    app.kernel.desk.live_unconfirmed = True
    assert snap_compare(app, terminal_size=size, run_before=still)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_live_order_confirmation(snap_compare, trading_app, size):
    async def order(pilot):
        await pilot.press("colon", *"b 0.1 @ bid-2t", "enter")
        await still(pilot)

    assert snap_compare(trading_app(mode="live"), terminal_size=size, run_before=order)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_quit_question(snap_compare, trading_app, size):
    assert snap_compare(trading_app(), terminal_size=size, press=["q"])


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_command_palette(snap_compare, seeded_app, size):
    async def palette(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await still(pilot)
        await pilot.pause(0.3)

    assert snap_compare(seeded_app(), terminal_size=size, run_before=palette)


def replay_app(tmp_path):
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel, RunOptions
    from tradeterm.ui.app import create_app

    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(mode="replay", replay=SHIPPED, speed=1.0, interactive=True, record=False),
    )
    kernel.replay.pause()
    return create_app(kernel)


async def stepped(pilot) -> None:
    """The shipped recording, paused at the start and stepped 2000 events: a fixed frame."""
    replay = pilot.app.kernel.replay
    await pilot.pause(0.3)
    for _ in range(2000):
        replay.step()
    for _ in range(400):  # the venue's loop publishes them; wait for the last one on a busy box
        await pilot.pause(0.05)
        if not replay._steps:
            break
    assert not replay._steps
    # the ladder's size-bar scale is sticky (it depends on the frames drawn while stepping):
    # show the instrument afresh so the frame depends on the book alone
    pilot.app.instrument_keys.show()
    await pilot.pause(0.5)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_replay_paused(snap_compare, tmp_path, size):
    assert snap_compare(replay_app(tmp_path), terminal_size=size, run_before=stepped)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_replay_goto(snap_compare, tmp_path, size):
    async def goto(pilot):
        await stepped(pilot)
        await pilot.press("g")
        await pilot.pause()
        pilot.app.screen.query_one("#goto-time", Input).value = "+90s"
        await still(pilot)

    assert snap_compare(replay_app(tmp_path), terminal_size=size, run_before=goto)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_replay_goto_refused(snap_compare, tmp_path, size):
    """A time outside the recording (seeking back is no longer refused, issue 16): the modal
    stays and says the recording's span."""

    async def back(pilot):
        await stepped(pilot)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"00:00:05", "enter")
        await still(pilot)

    assert snap_compare(replay_app(tmp_path), terminal_size=size, run_before=back)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_backtest_at_its_end(snap_compare, tmp_path, size):
    """13.7: a backtest (``replay --paper --speed max``) at the end of its recording stays up
    for review and the header says REPLAY END (an order refused at the end: test_replay_end)."""
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel, RunOptions
    from tradeterm.ui.app import create_app

    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(
            mode="replay", replay=SHIPPED, paper=True, speed=None, interactive=True, record=False
        ),
    )

    async def at_the_end(pilot):
        for _ in range(600):
            await pilot.pause(0.05)
            if kernel.replay.state.done:
                break
        assert kernel.replay.state.done
        for _ in range(100):  # the throughput falls to 0 ev/s: no event after the end
            if kernel.views.status.events_per_s == 0:
                break
            await pilot.pause(0.05)
        assert kernel.views.status.events_per_s == 0
        pilot.app.instrument_keys.show()  # the size bars' sticky scale: from the book alone
        await pilot.pause(0.5)

    assert snap_compare(create_app(kernel), terminal_size=size, run_before=at_the_end)
