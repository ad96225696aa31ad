"""The chart pane in the workstation: ``v`` swaps the panes beside the ladder for it and back,
it draws the ladder's instrument with the session's fills marked (buy ▲, sell ▼) and its
working orders as levels, ``d`` cycles the interval and ``C`` line / candles, at every size
without a row wider than the pane."""

from __future__ import annotations

import asyncio

import pytest

from tests.snapshots.conftest import SIZES, size_id, trading_kernel
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.chart_pane import ChartPane


def text(pane: ChartPane) -> str:
    return "\n".join(pane.plain_lines())


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_the_chart_toggles_draws_the_fills_and_cycles_its_interval(size):
    kernel = trading_kernel()
    btc, eth = list(kernel.instruments.values())[:2]
    assert {f.side for f in kernel.views.fills if f.instrument == btc.id} == {1}
    assert {f.side for f in kernel.views.fills if f.instrument == eth.id} == {-1}

    async def run() -> None:
        app = create_app(kernel, run_engine=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            box, side = app.query_one("#chart-box"), app.query_one("#side")
            pane = app.query_one(ChartPane)
            assert not box.display or box.size.width == 0
            await pilot.press("G")
            await pilot.pause()
            assert app.screen.has_class("-chart") and box.size.width > 0
            assert side.size.width == 0
            pane.refresh_view()
            shown = text(pane)
            assert "▲" in shown and "▼" not in shown  # BTC: the session bought
            assert "pos" in shown and "PnL" in shown
            assert "┤" in shown  # the price axis
            assert box.border_title == f"Chart {btc.symbol}  line 1s"
            for line in pane.plain_lines():
                assert len(line) <= pane.size.width, line
            await pilot.press("I")
            await pilot.pause()
            assert box.border_title == f"Chart {btc.symbol}  line 5s"
            await pilot.press("C", "I", "I", "I")
            await pilot.pause()
            assert box.border_title == f"Chart {btc.symbol}  1s candles"
            await pilot.press("2")  # ETH: the session sold
            await pilot.pause()
            pane.refresh_view()
            assert box.border_title == f"Chart {eth.symbol}  1s candles"
            assert "▼" in text(pane) and "▲" not in text(pane)
            await pilot.press("G")
            await pilot.pause()
            assert not app.screen.has_class("-chart") and side.size.width > 0

    asyncio.run(run())


def test_the_working_orders_are_levels_on_the_chart():
    kernel = trading_kernel()
    btc = next(iter(kernel.instruments.values()))
    working = [o for o in kernel.views.orders.orders.values() if o.instrument == btc.id]
    assert working

    async def run() -> None:
        app = create_app(kernel, run_engine=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("G")
            await pilot.pause()
            pane = app.query_one(ChartPane)
            frame = pane.frame(btc, pane.clock(), 60, 20)
            assert sorted(frame.levels) == sorted((int(o.side), o.price) for o in working)
            levels = [line for line in pane.plain_lines() if line.count("─") > 20 and "├" in line]
            assert len(levels) >= 1  # at least one working order is near enough to be drawn

    asyncio.run(run())
