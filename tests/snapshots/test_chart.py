"""The chart pane at 80x24, 120x40 and 200x60: the seeded session that traded (a BTC buy fill,
working orders), frozen, with the chart shown beside the ladder: the mid as a line at 80x24,
1s candles at 120x40, 5s candles at 200x60."""

from __future__ import annotations

import pytest

from tests.snapshots.conftest import SIZES, size_id

KEYS = {(80, 24): ("G",), (120, 40): ("G", "C"), (200, 60): ("G", "C", "I")}


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_chart(snap_compare, trading_app, size):
    async def show(pilot):
        await pilot.press(*KEYS[size])
        await pilot.pause()

    assert snap_compare(trading_app(), terminal_size=size, run_before=show)
