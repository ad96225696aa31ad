"""The TUI with the engine running, driven by Textual's pilot."""

import asyncio
import time

from tests.helpers import fast_kernel
from tests.integration.test_tui_trading import until
from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.tape import TradesTape


async def test_live_screen_moves_and_q_quits():
    kernel = Kernel(load_settings(sim={"seed": 1, "activity": "busy"}), RunOptions())
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.query_one(Ladder)
        assert await until(pilot, lambda: ladder.book.best_bid and ladder.plain_lines())
        first = (ladder.book.version, ladder.plain_lines())
        tape = lambda: app.query_one(TradesTape).tape  # noqa: E731
        assert await until(
            pilot,
            lambda: (
                ladder.book.version > first[0] + 20  # the market is moving
                and ladder.plain_lines() != first[1]  # and the screen follows
                and len(tape()) > 10
            ),
        ), (ladder.book.version, first[0], len(tape()))
        await pilot.press("q")
        assert await until(pilot, kernel._stop.is_set)


async def test_switching_instruments():
    kernel = fast_kernel(seed=2, seconds=5)
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        ids = list(kernel.instruments)
        assert app.query_one(Ladder).book is kernel.views.books[ids[0]]
        await pilot.press("]")
        assert app.query_one(Ladder).book is kernel.views.books[ids[1]]
        await pilot.press("[")
        await pilot.press("2")
        assert app.query_one(TradesTape).tape is kernel.views.trades[ids[1]]


async def test_ui_redraws_are_bounded_not_per_event():
    """A flood of market data must not make the panes redraw more often than the timer."""
    kernel = Kernel(load_settings(sim={"seed": 3, "activity": "storm"}), RunOptions())
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.query_one(Ladder)
        calls = 0
        original = ladder.ladder_rows

        def counting(*args):
            nonlocal calls
            calls += 1
            return original(*args)

        ladder.ladder_rows = counting
        before, started = kernel.market.md_events, time.monotonic()
        await asyncio.sleep(1.0)
        while kernel.market.md_events - before <= 300 and time.monotonic() - started < 5:
            await asyncio.sleep(0.1)  # a loaded machine makes the storm slower: wait for it
        events, elapsed = kernel.market.md_events - before, time.monotonic() - started
        await pilot.press("q")
    assert events > 300 and events > 10 * calls  # a flood: many market events per redraw
    assert calls <= elapsed * min(kernel.settings.ui.refresh_hz, 1 / Ladder.REDRAW_S) + 3


async def test_help_lists_every_binding_with_its_id():
    kernel = fast_kernel(seed=2, seconds=2)
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        from tradeterm.ui.screens.help import HelpScreen, HelpTable

        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(app.screen.query_one(HelpTable).plain_lines())
        for binding_id in (
            "app.quit",
            "app.help",
            "instrument.next",
            "ladder.centre",
            "ladder.cursor_up",
        ):
            assert binding_id in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_are_remappable_from_the_config(caplog):
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel, RunOptions

    settings = load_settings(
        sim={"seed": 1}, ui={"keys": {"instrument.next": "n", "no.such.binding": "x"}}
    )
    kernel = Kernel(settings, RunOptions(fast=True, seconds=2))
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    ids = list(kernel.instruments)
    with caplog.at_level("WARNING", logger="tradeterm.ui"):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("]")  # the old key no longer switches
            assert app.query_one(Ladder).book is kernel.views.books[ids[0]]
            await pilot.press("n")
            assert app.query_one(Ladder).book is kernel.views.books[ids[1]]
    assert 'ui.keys."no.such.binding": no key binding has this id' in caplog.text


async def test_a_key_remapped_to_a_character_works():
    """``"instrument.next" = "/"``: the checker names the key ``slash`` as Textual does, and
    the remap works."""
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel, RunOptions

    settings = load_settings(sim={"seed": 1}, ui={"keys": {"instrument.next": "/"}})
    kernel = Kernel(settings, RunOptions(fast=True, seconds=2))
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    ids = list(kernel.instruments)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        assert app.query_one(Ladder).book is kernel.views.books[ids[1]]


async def test_ladder_cursor_scroll_and_recentre():
    kernel = fast_kernel(seed=2, seconds=5)
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.query_one(Ladder)
        book = ladder.book
        mid = (book.best_bid + book.best_ask) // 2
        await pilot.press("up", "up")
        assert ladder.cursor == mid + 2 and ladder.manual_top is None
        await pilot.press("pageup")
        assert ladder.manual_top is not None
        top = ladder.manual_top
        assert (
            ladder.plain_lines()[1].strip().startswith(ladder.instrument.format_price(top))
            or ladder.instrument.format_price(top) in (ladder.plain_lines()[1])
        )
        await pilot.press("c")  # back to auto, and b / s back to the touch (no cursor)
        assert ladder.manual_top is None and ladder.cursor is None
        fmt = ladder.instrument.format_price
        assert f"b {fmt(book.best_bid)}  s {fmt(book.best_ask)}" in ladder.plain_lines()[-1]


async def test_theme_switch_changes_the_trading_palette():
    from tradeterm.ui.format import palette

    kernel = fast_kernel(seed=2, seconds=2)
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        dark_buy = palette().buy
        app.theme = "tradeterm-colorblind"
        await pilot.pause()
        assert palette().buy != dark_buy and palette().buy == "#56b4e9"
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Theme: colorblind" in commands and "Quit" in commands and "Help" in commands


async def test_panes_keep_updating_under_the_help_screen():
    kernel = Kernel(load_settings(sim={"seed": 1, "activity": "busy"}), RunOptions())
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        ladder = app.panes[2]
        before = ladder.plain_lines()
        await pilot.pause(0.6)  # many timer ticks while the modal is up: no crash
        assert ladder.plain_lines() != before
        await pilot.press("right_square_bracket")  # the modal keeps the keys: no crash
        app.instrument_keys.show()  # and redraws addressed to the main screen still work
        await pilot.press("escape", "q")
