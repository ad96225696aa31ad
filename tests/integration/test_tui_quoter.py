"""The quoter panel and the log filter with the engine running (Textual pilot): the quoter of
the selected instrument switched off and on from its key (refused while HALTED, confirmed when
confirmations are on), its parameters edited through the modal (a bad value applies nothing),
and the log pane's level filter."""

from __future__ import annotations

from textual.widgets import Input, Label

from tests.integration.test_tui_trading import message, until
from tradeterm.config import load_settings
from tradeterm.domain.events import LogLine, TradingState
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.quoter_params import QuoterParamsScreen
from tradeterm.ui.widgets.log_pane import LogPane
from tradeterm.ui.widgets.quoter_pane import QuoterPane

BTC = "sim:SIM-BTC/USD"
# sigma, k and A given: the quoter quotes as soon as the book is synced (no warm-up)
QUOTER = {"sigma": 2.0, "k": 0.5, "A": 2.0, "symbols": ["SIM-BTC/USD"]}


def quoter_kernel(tmp_path, **ui) -> Kernel:
    settings = load_settings(sim={"seed": 3}, data_dir=str(tmp_path), ui=ui, quoter=QUOTER)
    return Kernel(settings, RunOptions(record=False, quoter="glft"))


def working(kernel) -> list:
    return [o for o in kernel.views.orders.orders.values() if not o.is_terminal]


async def test_quoter_off_and_on_from_its_key_and_refused_while_halted(tmp_path):
    kernel = quoter_kernel(tmp_path)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        view = kernel.views.quoters[BTC]
        assert await until(pilot, lambda: view.state == "QUOTING" and working(kernel))
        await pilot.press("m")  # off: the quoter's orders are pulled
        assert await until(pilot, lambda: not working(kernel))
        assert not kernel.quoters[BTC].enabled and view.state == "OFF"
        assert "off" in message(app)
        await pilot.pause(0.3)
        assert not working(kernel)  # and it stays out of the market
        await pilot.press("m")  # on again (paper, no confirmations configured)
        assert await until(pilot, lambda: view.state == "QUOTING" and working(kernel))
        assert kernel.quoters[BTC].enabled
        await pilot.press("ctrl+k")
        assert await until(pilot, lambda: not view.enabled and not working(kernel))
        await pilot.press("m")  # HALTED: refused with the reason, nothing switched on
        assert "HALTED" in message(app) and "re-arm" in message(app)
        await pilot.pause(0.3)
        assert not kernel.quoters[BTC].enabled and not working(kernel)
        assert kernel.desk.killswitch.state is TradingState.HALTED


async def test_switching_the_quoter_on_asks_when_confirmations_are_on(tmp_path):
    kernel = quoter_kernel(tmp_path, confirm_orders=True)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        view = kernel.views.quoters[BTC]
        assert await until(pilot, lambda: view.state == "QUOTING")
        await pilot.press("m")  # off: never asks
        assert await until(pilot, lambda: not view.enabled)
        await pilot.press("m")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert await until(pilot, lambda: "left off" in message(app)), message(app)
        assert not kernel.quoters[BTC].enabled and "left off" in message(app)
        await pilot.press("m")
        await pilot.press("y")
        assert await until(pilot, lambda: view.state == "QUOTING")


async def test_no_quoter_says_how_to_start_one():
    from tests.helpers import fast_kernel

    kernel = fast_kernel(seed=1, seconds=1)
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        assert "--quoter" in message(app) and "[quoter]" in message(app)
        await pilot.press("p")
        assert not isinstance(app.screen, QuoterParamsScreen)
        assert "--quoter" in message(app)
        # the three actions are in the command palette and the help screen, with their ids
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Quoter on/off", "Quoter params", "Log level"} <= titles
        from tradeterm.ui.screens.help import HelpScreen

        ids = {row[3] for row in HelpScreen(app.palette.binding_nodes()).entries}
        assert {"quoter.toggle", "quoter.edit", "log.level"} <= ids


async def test_parameters_edited_in_the_modal_reach_the_engine(tmp_path):
    kernel = quoter_kernel(tmp_path)
    app = create_app(kernel)
    async with app.run_test(size=(80, 24)) as pilot:
        quoter = kernel.quoters[BTC]
        assert await until(pilot, lambda: quoter.view.state == "QUOTING")
        await pilot.press("p")
        assert isinstance(app.screen, QuoterParamsScreen)
        screen = app.screen
        assert screen.query_one("#param-gamma", Input).value == "0.05"
        screen.query_one("#param-gamma", Input).value = "0.2"
        screen.query_one("#param-levels", Input).value = "2"
        await pilot.press("enter")
        assert await until(pilot, lambda: not isinstance(app.screen, QuoterParamsScreen))
        assert quoter.setup.config.gamma == 0.2 and quoter.setup.config.levels == 2
        assert quoter.view.params["levels"] == 2
        # the panel (shown at 80x24 by the key) has the new values
        assert await until(
            pilot, lambda: "0.2" in "\n".join(app.query_one(QuoterPane).plain_lines())
        )
        text = "\n".join(app.query_one(QuoterPane).plain_lines())
        assert "γ risk aversion  0.2" in text and "2×1t" in text
        # the quoter now works two levels a side
        assert await until(pilot, lambda: len(quoter.view.bids) == 2)

        before = quoter.setup.config
        await refused(pilot, "gamma", "-1", "greater than 0")  # the engine's range check
        assert quoter.setup.config == before


async def refused(pilot, field: str, value: str, reason: str) -> None:
    """Open the modal, type a bad value (and a good one), Enter: the modal stays open with the
    reason and marks the field; Esc closes it."""
    app = pilot.app
    await pilot.press("p")
    screen = app.screen
    assert isinstance(screen, QuoterParamsScreen)
    screen.query_one(f"#param-{field}", Input).value = value
    screen.query_one("#param-max_quote_age_s", Input).value = "12"  # a good change too
    await pilot.press("enter")
    await pilot.pause(0.05)
    assert app.screen is screen  # stays open
    error = str(screen.query_one("#params-error", Label).render())
    assert reason in error and "nothing applied" in error, error
    assert screen.query_one(f"#param-{field}", Input).has_class("-invalid")
    await pilot.press("escape")
    assert not isinstance(app.screen, QuoterParamsScreen)


async def test_bad_parameter_values_apply_nothing():
    kernel = quoted_session()
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        quoter = kernel.quoters[BTC]
        before = quoter.setup.config
        await refused(pilot, "gamma", "abc", "not a number")  # the form's own check
        await refused(pilot, "gamma", "0", "greater than 0")  # the engine's range check
        await refused(pilot, "levels", "11", "less than or equal to 10")
        await refused(pilot, "levels", "1.5", "not a whole number")
        await refused(pilot, "max_spread_ticks", "0", "greater than or equal to 1")
        await refused(pilot, "order_size", "0.00015", "not a multiple of the lot size")
        await refused(pilot, "sigma", "nan", "not a finite number")
        # values the model cannot mean (issue 13.17: gamma = 1e9 was accepted)
        await refused(pilot, "gamma", "1e9", "less than or equal to 10")
        await refused(pilot, "k", "1e9", "less than or equal to 1000")
        await refused(pilot, "sigma", "1e300", "less than or equal to 1000000")
        await refused(pilot, "levels", "\uff12", "not a number (digits 0-9)")  # fullwidth 2
        assert quoter.setup.config == before  # nothing applied, not even the good field
        # blank means automatic: a configured sigma goes back to being estimated
        await pilot.press("p")
        app.screen.query_one("#param-sigma", Input).value = ""
        await pilot.press("enter")
        assert quoter.setup.config.sigma is None and "sigma" in quoter.view.params
        assert quoter.view.params["sigma"] is None and "sigma auto" in message(app)


def quoted_session(seconds: float = 3, **ui) -> Kernel:
    """A seeded --fast session with the quoter on BTC (not run yet)."""
    settings = load_settings(sim={"seed": 7}, quoter=QUOTER, ui=ui)
    return Kernel(
        settings, RunOptions(mode="paper", fast=True, seconds=seconds, quoter="glft", record=False)
    )


async def test_the_quoter_box_names_its_keys_remaps_included():
    kernel = quoted_session(keys={"quoter.edit": "e"})
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.query_one("#quoter-box").border_subtitle == "m on/off · e params"
        from tradeterm.ui.screens.help import HelpScreen

        keys = {row[3]: row[1] for row in HelpScreen(app.palette.binding_nodes()).entries}
        assert keys["quoter.edit"] == "e" and keys["quoter.toggle"] == "m"
        await pilot.press("e")
        assert isinstance(app.screen, QuoterParamsScreen)
        await pilot.press("escape")
        # LIVE: switching a quoter on always asks (the session is over: answer no)
        kernel.views.status.mode = "LIVE"
        await pilot.press("m")  # off (the stopped session left it switched on): never asks
        assert not kernel.views.quoters[BTC].enabled and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("m")
        assert isinstance(app.screen, ConfirmScreen) and "LIVE" in app.screen.title_text
        await pilot.press("n")
        assert not kernel.quoters[BTC].enabled and "left off" in message(app)


async def test_log_filter_hides_info_at_warning_and_shows_it_again(tmp_path):
    from tests.helpers import fast_kernel

    kernel = fast_kernel(seed=2, seconds=2)
    await kernel.run()
    ts = kernel.clock.timestamp_ns()
    kernel.views.log.append(LogLine(ts, ts, "WARNING", "tradeterm.test", "a warning line"))
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(LogPane)

        def shown() -> str:
            return " ".join(strip.text.strip() for strip in pane.lines)

        assert await until(pilot, lambda: "a warning line" in shown()), shown()
        assert "session stopped" in shown() and "a warning line" in shown()
        assert app.query_one("#log-box").border_title == "Log F8"
        await pilot.press("l")
        assert "session stopped" not in shown() and "a warning line" in shown()
        assert app.query_one("#log-box").border_title == "Log ≥WARNING F8"
        # a new INFO line arriving under the filter stays hidden; a new ERROR shows
        kernel.views.log.append(LogLine(ts, ts, "INFO", "tradeterm.test", "quiet info"))
        kernel.views.log.append(LogLine(ts, ts, "ERROR", "tradeterm.test", "loud error"))
        # both lines came in one go: the frame that shows the error would show the info too
        assert await until(pilot, lambda: "loud error" in shown()), shown()
        assert "quiet info" not in shown() and "loud error" in shown()
        await pilot.press("l")  # ERROR
        assert "a warning line" not in shown() and "loud error" in shown()
        await pilot.press("l")  # back to INFO: every retained line again
        assert "quiet info" in shown() and "a warning line" in shown()
        assert app.query_one("#log-box").border_title == "Log F8"
