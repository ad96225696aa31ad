"""The fill log line in trader units (issue 13.11): before, ``BUY 99 lots @ 123599 ticks``."""

from __future__ import annotations

import logging

from tests.trading_harness import MID, Harness
from tradeterm.domain.market import Side


async def test_the_fill_log_line_says_sizes_and_prices_not_lots_and_ticks(caplog):
    h = Harness()
    await h.start()
    order = h.submit(Side.BUY, 99, MID - 1)
    with caplog.at_level(logging.INFO, logger="tradeterm"):
        h.venue.fill(order.client_order_id, 99, fee="0.03")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("fill ")]
    assert lines == [
        f"fill T1 BUY 0.0099 BTC/USD @ 59999.5, fee 0.03 USD (order {order.client_order_id})"
    ], lines
    assert "lots" not in lines[0] and "ticks" not in lines[0]
