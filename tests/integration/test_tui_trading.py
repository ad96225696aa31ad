"""Key flows of the workstation with the engine running (Textual pilot): command-line order ->
blotter -> fill -> position; ladder order and move; cancel all; kill switch; re-arm; quit."""

from __future__ import annotations


from textual.widgets import Input, Static

from tradeterm.config import load_settings
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.rearm import RearmScreen
from tradeterm.ui.widgets.halt_banner import HaltBanner
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter
from tradeterm.ui.widgets.positions_pane import PositionsPane


def live_kernel(tmp_path, seed: int = 1, **ui) -> Kernel:
    settings = load_settings(sim={"seed": seed}, data_dir=str(tmp_path), ui=ui)
    return Kernel(settings, RunOptions(record=False))


async def until(pilot, condition, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def message(app) -> str:
    return str(app.query_one("#cmd-msg", Static).render())


async def command(pilot, line: str) -> None:
    """Focus the command line with ':' and send a line (set at once: typing each key under a
    running engine is slow in the headless driver; typing itself is covered by the kill test)."""
    app = pilot.app
    if app.focused is not app.query_one("#cmd-input", Input):
        await pilot.press("colon")
    app.query_one("#cmd-input", Input).value = line
    await pilot.press("enter")


def working(kernel):
    return [o for o in kernel.views.orders.orders.values() if not o.is_terminal]


async def test_command_line_order_blotter_fill_position(tmp_path):
    kernel = live_kernel(tmp_path)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        # a marketable order fills and shows as a position
        await command(pilot, "b 0.05 mkt")
        assert await until(pilot, lambda: len(kernel.views.fills) >= 1)
        positions = lambda: "\n".join(app.query_one(PositionsPane).plain_lines())  # noqa: E731
        assert await until(pilot, lambda: "+0.05" in positions()), positions()
        await command(pilot, "b 0.1 @ bid-400t")
        assert await until(pilot, lambda: len(working(kernel)) == 1)
        order = working(kernel)[0]
        shown = f"#{int(order.client_order_id.rsplit('-', 1)[1])}"  # the short id it accepts
        blotter = lambda: "\n".join(app.query_one(OrdersBlotter).plain_lines())  # noqa: E731
        assert await until(pilot, lambda: shown in blotter()), blotter()
        # invalid input: a reason, nothing sent
        before = kernel.desk.submitted
        await command(pilot, "b 0.1 @ 12x")
        assert "not a number" in message(app)
        assert kernel.desk.submitted == before
        await pilot.press("escape", "ctrl+x")  # cancel all
        assert await until(pilot, lambda: not working(kernel))
        await pilot.press("q")  # flat of orders, no quoter: quits at once
        assert await until(pilot, kernel._stop.is_set)


async def test_ladder_order_move_and_blotter_cancel(tmp_path):
    kernel = live_kernel(tmp_path, seed=2)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        ladder = app.query_one(Ladder)
        await pilot.press(*["down"] * 5)
        ladder.action_cursor(-2000)  # far below the market, so the order stays working
        price = ladder.cursor
        await pilot.press("b")
        assert await until(pilot, lambda: len(working(kernel)) == 1), (
            message(app),
            kernel.views.orders.orders,
            list(kernel.views.log)[-3:],
        )
        order = working(kernel)[0]
        assert (order.side, order.price) == (Side.BUY, price)
        assert order.qty == kernel.instruments[order.instrument].qty_to_lots("0.01")
        # the ladder redraws at its own bounded rate: the order shows at its next frame
        assert await until(
            pilot,
            lambda: any(
                "B" in line and "q" in line
                for line in ladder.plain_lines()
                if ladder.instrument.format_price(price) in line
            ),
        ), ladder.plain_lines()
        await pilot.press("shift+up")  # one row: one tick unless the ladder groups prices
        assert await until(pilot, lambda: order.price == price + ladder.view.group)
        # q with a working order asks first; n keeps the app
        await pilot.press("q")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        app.query_one(OrdersBlotter).focus()
        await pilot.press("x")
        assert await until(pilot, lambda: not working(kernel))
        await pilot.press("q")
        assert await until(pilot, kernel._stop.is_set)


async def test_kill_switch_while_typing_then_rearm(tmp_path):
    kernel = live_kernel(tmp_path, seed=3)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        await command(pilot, "b 0.1 @ bid-400t")
        assert await until(pilot, lambda: len(working(kernel)) == 1)
        await pilot.press("colon", *"b 0.2")  # typing in the command line...
        assert app.focused is app.query_one("#cmd-input", Input)
        await pilot.press("ctrl+k")  # ...and the kill switch still trips
        assert kernel.views.risk.state is TradingState.HALTED
        # the half-typed line is dropped and the keys are back on the ladder
        assert app.focused is app.query_one(Ladder)
        assert app.query_one("#cmd-input", Input).value == ""
        assert await until(pilot, lambda: not working(kernel))
        shown = lambda: "\n".join(app.query_one(HaltBanner).plain_lines())  # noqa: E731
        assert await until(pilot, lambda: "1 order(s) cancelled" in shown()), shown()
        banner = shown()
        assert "HALTED" in banner and "1 order(s) cancelled" in banner
        assert "no quoter was running" in banner and "no flatten" in banner
        # a new order is denied with the reason code
        await command(pilot, "b 0.2 @ bid-400t")
        assert "DENIED" in message(app) and "KILL_SWITCH" in message(app)
        # re-arm: a typo does nothing, the typed state re-arms
        app.action_rearm()
        assert await until(
            pilot,
            lambda: isinstance(app.screen, RearmScreen) and app.screen.query("#rearm-confirm"),
        )
        app.screen.query_one("#rearm-reason", Input).value = "checked the book"
        app.screen.query_one("#rearm-confirm", Input).value = "ACTVE"
        await pilot.press("enter")
        assert isinstance(app.screen, RearmScreen)
        assert kernel.views.risk.state is TradingState.HALTED
        app.screen.query_one("#rearm-confirm", Input).value = "ACTIVE"
        await pilot.press("enter")
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        assert await until(pilot, lambda: not app.query_one(HaltBanner).has_class("-shown"))
        await pilot.press("q")
        assert await until(pilot, kernel._stop.is_set)


async def test_confirmation_when_configured(tmp_path):
    kernel = live_kernel(tmp_path, seed=4, confirm_orders=True)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        await command(pilot, "b 0.1 @ bid-400t")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        assert not working(kernel)
        await command(pilot, "b 0.1 @ bid-400t")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await until(pilot, lambda: len(working(kernel)) == 1)
        await pilot.press("escape", "ctrl+x")
        assert await until(pilot, lambda: not working(kernel))
        await pilot.press("q")
        assert await until(pilot, kernel._stop.is_set)


async def test_ticket_previews_and_sends(tmp_path):
    from tradeterm.ui.screens.ticket import TicketScreen

    kernel = live_kernel(tmp_path, seed=5)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        await pilot.press("t")
        assert await until(
            pilot,
            lambda: isinstance(app.screen, TicketScreen) and app.screen.query("#ticket-input"),
        )
        ticket = app.screen.query_one("#ticket-input", Input)
        shown = lambda: str(app.screen.query_one("#ticket-preview", Static).render())  # noqa: E731
        ticket.value = "b 500 @ bid-400t"
        assert await until(pilot, lambda: "-> 500.0000" in shown()), shown()
        preview = shown()
        assert "✗ max order notional: MAX_ORDER_NOTIONAL" in preview
        assert "position 0.0000 -> 500.0000" in preview
        ticket.value = "b 0.01 @ bid-400t"
        assert await until(pilot, lambda: "-> 0.0100" in shown()), shown()  # the new line's
        preview = shown()
        assert "✗" not in preview
        await pilot.press("enter")
        assert await until(pilot, lambda: len(working(kernel)) == 1)
        await pilot.press("ctrl+x")
        assert await until(pilot, lambda: not working(kernel))
        await pilot.press("q")
        assert await until(pilot, kernel._stop.is_set)


async def test_typing_fast_after_colon_goes_to_the_command_line_not_the_ladder(tmp_path):
    """A burst of keys (a fast typist, a paste, tmux send-keys) arrives before the app has
    processed the first one: ':' must move the focus at once, or 'b' reaches the ladder and
    places an order at the cursor."""
    from textual import events
    from textual.keys import _character_to_key

    app = create_app(live_kernel(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: app.kernel.views.risk.state is TradingState.ACTIVE)
        for char in ":b 0.05 @ 1":  # all queued before the app handles the first
            key = events.Key(_character_to_key(char), char)
            key.set_sender(app)
            app._driver.send_message(key)
        # every key handled: a 'b' the ladder took would be missing from the field
        field = app.query_one("#cmd-input", Input)
        assert await until(pilot, lambda: field.value == "b 0.05 @ 1"), field.value
        assert not app.kernel.views.orders.orders  # nothing was sent from the ladder
        await pilot.press("colon")  # in the field, ':' is text
        assert app.query_one("#cmd-input", Input).value == "b 0.05 @ 1:"
