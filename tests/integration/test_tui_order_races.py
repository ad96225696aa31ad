"""Order races seen from the workstation (issue 11.1): shift+up on an order the venue has not
acknowledged yet (a round trip on Binance or ccxt) used to raise IllegalTransition out of the
key handler and kill the session."""

from __future__ import annotations

from tests.integration.test_tui_trading import message, until, working
from tradeterm.config import load_settings
from tradeterm.domain.events import TradingState
from tradeterm.domain.orders import OrderStatus
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.ladder import Ladder


async def test_moving_an_order_before_its_ack_does_not_crash(tmp_path):
    settings = load_settings(
        sim={"seed": 2}, data_dir=str(tmp_path), oms={"ack_timeout_ms": 600_000}
    )  # no query while we look
    kernel = Kernel(settings, RunOptions(record=False))
    held = []  # the venue's answers are still on their way
    kernel.execution.submit_order = held.append
    kernel.execution.modify_order = lambda order, price, qty: held.append((price, qty)) or True
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        ladder = app.query_one(Ladder)
        # rows of one tick: a sparse moment of the book would otherwise group rows by two
        # ticks, and shift+up moves one row (CI met a group of 2 on a loaded machine)
        ladder.view.set_group(1, ladder.rows_visible, auto=False)
        await pilot.press(*["down"] * 5)
        ladder.action_cursor(-2000)
        await pilot.press("b")
        assert await until(pilot, lambda: len(working(kernel)) == 1), message(app)
        order = working(kernel)[0]
        assert order.status is OrderStatus.SUBMITTED and held == [order]
        await pilot.press("shift+up")
        await pilot.pause(0.1)
        assert app.is_running and order.status is OrderStatus.PENDING_UPDATE, message(app)
        # one row (one tick) above the order's own price (the cursor may have followed the
        # market between reading it above and the key, on a loaded machine)
        assert held[1] == (order.price + 1, None)
        assert str(kernel.instruments[order.instrument].format_price(order.price + 1)) in message(
            app
        )
        await pilot.press("q")
        await pilot.pause(0.1)
