"""The quoter panel with its parameters, and the parameter modal, over a seeded session with
the quoter on (run --fast, then frozen: every frame is the same)."""

import pytest

from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app

from tests.snapshots.conftest import SIZES, size_id


@pytest.fixture
def quoted_app():
    def make():
        import asyncio

        settings = load_settings(
            sim={"seed": 7},
            quoter={
                "warmup_bars": 10,
                "warmup_sweeps": 10,
                "gamma": 0.1,
                "levels": 2,
                "max_spread_ticks": 40,
            },
        )
        kernel = Kernel(
            settings, RunOptions(mode="paper", fast=True, seconds=30, quoter="glft", record=False)
        )
        asyncio.run(kernel.run())
        return create_app(kernel, run_engine=False)

    return make


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_quoter_panel(snap_compare, quoted_app, size):
    assert snap_compare(quoted_app(), terminal_size=size, press=["f6"])


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_quoter_params_modal(snap_compare, quoted_app, size):
    async def edit(pilot):
        await pilot.press("p")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#param-gamma").value = "-2"  # refused by the engine, with the reason
        await pilot.press("enter")
        await pilot.pause(0.2)
        for field in screen.query("Input"):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(quoted_app(), terminal_size=size, run_before=edit)
