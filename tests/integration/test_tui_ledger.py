"""The ledger in the panes: a position's base balance where fees paid in the coin left it under
the lots position, every fee as charged per currency, and fees no rate values (left out of
PnL), in the positions and the PnL panes at every size, on screen (a short pane shows the
positions first, then the balances), never cut (``test_no_cut.py`` uses the same session)."""

from __future__ import annotations

import asyncio

import pytest

from tests.snapshots.conftest import SIZES, ledger_kernel, size_id
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.fills_pane import FillsPane
from tradeterm.ui.widgets.pnl_pane import PnlPane
from tradeterm.ui.widgets.positions_pane import PositionsPane


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_positions_and_pnl_show_balance_fees_per_currency_and_unpriced_fees(size):
    kernel = ledger_kernel()
    btc = kernel.desk.portfolio.figures("sim:SIM-BTC/USD")
    assert btc.balance == btc.qty - btc.paid.amount("BTC")  # 0.00002 BTC under

    def on_screen(pane) -> str:  # the lines the pane's height shows
        return "\n".join(pane.plain_lines()[: pane.size.height])

    async def look() -> tuple[str, str, str]:
        app = create_app(kernel, run_engine=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.1)
            if size[0] < 100:
                await pilot.press("f2")
                await pilot.pause(0.1)
            fills = on_screen(app.query_one(FillsPane))
            if size[0] < 100:
                await pilot.press("f3")
                await pilot.pause(0.1)
            positions = on_screen(app.query_one(PositionsPane))
            if size[0] < 100:
                await pilot.press("f4")
                await pilot.pause(0.1)
            return positions, on_screen(app.query_one(PnlPane)), fills

    positions, pnl, fills = asyncio.run(look())
    # a fee in another currency than the quote says which (before: 0.00002 BTC read 0.0000)
    if " fee" in fills.splitlines()[0]:  # a narrow pane drops the whole column
        assert "0.00002000 BTC" in fills and "0.00310000 BNB" in fills, fills
    assert "fees not in PnL 0.00310000 BNB" in " ".join(pnl.split()), pnl
    joined = " ".join(positions.split())  # a detail may wrap at a word in a narrow pane
    assert f"BTC balance {btc.balance.normalize():f}" in joined, positions
    # the positions come first (a short pane shows them), then balances, then fees as charged
    if size[1] > 24:
        return  # 120x40: four rows (header, two positions, the balance)
    assert joined.index("SIM-ETH/USD") < joined.index("BTC balance"), positions
    assert f"BTC fees {btc.paid.amount('USD'):.2f} USD + 0.00002000 BTC" in joined, positions
    assert "ETH fees " in joined and "+ 0.00310000 BNB (BNB: no price, not in PnL)" in joined
