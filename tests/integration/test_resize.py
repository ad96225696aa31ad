"""A terminal resized during a session (a tmux pane dragged, an SSH window maximised) lays the
screen out for its new size, as a session started at that size would: below 100 columns the
narrow layout (one side pane at a time, a 46-column ladder), above it the ladder grows."""

from __future__ import annotations

from tests.integration.test_tui_trading import live_kernel, until
from tradeterm.domain.events import TradingState
from tradeterm.ui.app import create_app


async def test_the_layout_follows_the_terminal_when_it_is_resized(tmp_path):
    kernel = live_kernel(tmp_path, seed=3)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        main = app.screen_stack[0]
        box = main.query_one("#ladder-box")
        assert not main.has_class("-narrow") and box.size.width == 56 - 2  # inside its border
        for size, narrow, width in (
            ((80, 24), True, 46),
            ((200, 60), False, 80),
            ((80, 24), True, 46),
            ((120, 40), False, 56),
        ):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.2)
            assert main.has_class("-narrow") is narrow, size
            assert box.outer_size.width == width, (size, box.outer_size)
