"""13.9: no figure is cut at any size. Every line-drawn pane, at 80x24, 120x40 and 200x60, with
working orders, fills and positions on screen (and a halted session's banner), draws rows no
wider than itself: a row that went past the edge would lose its right end (a price "61", a
status, the re-arm hint). The same for the replay of a real recording (BTCUSDT's 8-decimal
quantities) and its header."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.snapshots.conftest import SIZES, ledger_kernel, size_id
from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import SIDE_PANES, create_app
from tradeterm.ui.widgets.halt_banner import HaltBanner
from tradeterm.ui.widgets.pane import TextPane

SHIPPED = (
    Path(__file__).resolve().parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
)


def overflowing(app) -> list[str]:
    """Every drawn row that is wider than its pane, as 'Pane: row'."""
    out = []
    for pane in app.screen_stack[0].query(TextPane):
        if not pane.display or not pane.size.width or not pane.region.width:
            continue
        if isinstance(pane, HaltBanner) and not pane.has_class("-shown"):
            continue
        for line in pane.plain_lines():
            if cell_len(line.rstrip()) > pane.size.width:
                out.append(f"{type(pane).__name__} ({pane.size.width}): {line.rstrip()}")
    return out


async def look_at_every_pane(app, pilot) -> list[str]:
    problems = overflowing(app)
    if app.size.width < 100:  # one side pane at a time: show each
        for n in range(len(SIDE_PANES)):
            await pilot.press(f"f{n + 1}")
            await pilot.pause(0.05)
            problems += overflowing(app)
    return problems


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_no_pane_draws_past_its_edge(size):
    kernel = ledger_kernel()  # with a base balance and fees in BTC and BNB under a position

    async def check() -> list[str]:
        app = create_app(kernel, run_engine=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.1)
            problems = await look_at_every_pane(app, pilot)
            await pilot.press("ctrl+k")  # the banner, whatever the width
            await pilot.pause(0.1)
            return problems + await look_at_every_pane(app, pilot)

    assert asyncio.run(check()) == []


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_no_pane_draws_past_its_edge_in_a_backtest(size, tmp_path):
    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(
            mode="replay", replay=SHIPPED, paper=True, speed=None, interactive=True, record=False
        ),
    )

    async def check() -> list[str]:
        app = create_app(kernel)
        async with app.run_test(size=size) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if all(b.best_bid for b in kernel.views.books.values()):
                    break
            await pilot.press("colon", *"b 0.001 @ bid-500t", "enter")
            for _ in range(400):
                await pilot.pause(0.05)
                if kernel.replay.state.done:
                    break
            await pilot.pause(0.3)
            problems = await look_at_every_pane(app, pilot)
            await pilot.press("q")
            return problems

    assert asyncio.run(check()) == []
