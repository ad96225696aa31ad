"""The alerts modal (A) over a seeded session, frozen: alerts from the config and typed, one
fired once, one repeating that fired twice, armed ones; every frame the same."""

import pytest

from tests.helpers import fast_kernel
from tests.snapshots.conftest import SIZES, size_id
from tradeterm.core import topics
from tradeterm.domain.market import Side, Trade
from tradeterm.ui.app import create_app


@pytest.fixture
def alerts_app():
    def make():
        import asyncio

        kernel = fast_kernel(seed=7, seconds=30)
        asyncio.run(kernel.run())
        btc, eth = list(kernel.instruments.values())[:2]
        alerts = kernel.alerts
        for text in (
            f"{btc.base} > 70000",
            f"{eth.base} mid crosses 2650 repeat",
            "pnl < -500",
            "drawdown > 2%",
            f"{btc.base} crosses 61000.25 repeat",
            "stale",
        ):
            alerts.set(alerts.parse(text), "config" if text == "stale" else "typed")
        ts = kernel.clock.timestamp_ns()
        for price in ("69999.5", "70000.5", "60000", "62000", "60000"):
            msg = Trade(btc.id, btc.price_to_ticks(price), 1, Side.BUY, 1, ts, ts)
            kernel.bus.publish(topics.trade(btc.id), msg)
        return create_app(kernel, run_engine=False)

    return make


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_alerts_modal(snap_compare, alerts_app, size):
    async def open_modal(pilot):
        await pilot.press("A")
        await pilot.pause(0.3)

    assert snap_compare(alerts_app(), terminal_size=size, run_before=open_modal)
