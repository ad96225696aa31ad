"""The command palette typed faster than the screen redraws: Textual's palette hands every key
to its search field before it acts on the Enter among them, so the keys after the Enter that runs
a command reached the closing palette. A second Enter then closed it again: with nothing above
the main screen the workstation ended (``ScreenStackError: Can't pop screen``), and with the
command's form above it the form was closed instead. And the command ran once more: a second
order for a palette action that buys at the bid. One opening of the palette runs one command."""

from __future__ import annotations

from tests.integration.test_tui_burst import burst, recorder
from tests.integration.test_tui_trading import live_kernel, until
from tradeterm.domain.events import TradingState
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.rearm import RearmScreen


async def open_palette_on(pilot, title: str) -> None:
    """ctrl+p, then the command's title typed into the search, its line listed first."""
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    assert await until(pilot, lambda: CommandPalette.is_open(app))
    burst(app, title)

    def listed() -> bool:
        found = app.screen.query(CommandList)
        return (
            bool(found)
            and found.first().option_count > 0
            and title in str(found.first().get_option_at_index(0).prompt)
        )

    assert await until(pilot, listed)


async def test_a_burst_after_a_palette_command_neither_ends_the_app_nor_closes_its_form(tmp_path):
    kernel = live_kernel(tmp_path, seed=14)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        await pilot.press("ctrl+k")
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.HALTED)
        await open_palette_on(pilot, "Re-arm trading")
        burst(app, "\r\rsafe now\rACTIVE\r")  # pick it, run it, and type on at once
        assert await until(pilot, lambda: isinstance(app.screen, RearmScreen))
        await pilot.pause(0.3)
        assert app.is_running and isinstance(app.screen, RearmScreen), app.screen_stack
        assert kernel.views.risk.state is TradingState.HALTED  # nothing typed re-armed it


async def test_a_palette_order_action_entered_twice_sends_one_order(tmp_path):
    kernel = live_kernel(tmp_path, seed=14)
    sent = recorder(kernel)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        assert await until(pilot, lambda: all(b.best_bid for b in kernel.views.books.values()))
        await open_palette_on(pilot, "Buy at best bid")
        burst(app, "\r\r\r")
        assert await until(pilot, lambda: len(sent) >= 1)
        await pilot.pause(0.5)
        assert app.is_running and len(app.screen_stack) == 1, app.screen_stack
        assert len(sent) == 1, sent
