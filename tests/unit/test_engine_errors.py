"""The fail-safe for the engine's own handlers (issue 11.8), piece by piece: the halt survives a
broken store, and a handler failing on every message does not flood the log."""

import logging

from tests.trading_harness import MID, Harness
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.runtime.engine_errors import REPEAT_S, EngineErrors


async def test_the_halt_and_the_cancels_happen_even_when_the_store_cannot_record_them():
    h = Harness()
    await h.start()
    order = h.submit(Side.BUY, 100, MID - 2)

    def broken(*_args):
        raise OSError("disk I/O error")

    h.store.controls.save_trading_state = broken  # what broke is the store itself
    h.desk.killswitch.persist = broken
    h.desk.kill.engine_error("engine error: OrderManager.on_order_event failed on order.fake: ...")
    assert h.desk.killswitch.state is TradingState.HALTED
    assert h.views.status.trading_state is TradingState.HALTED
    assert "OrderManager.on_order_event" in h.views.status.trading_state_reason
    assert h.venue.cancels == [order.client_order_id]
    assert h.submit().reason == "KILL_SWITCH"


def test_a_handler_failing_on_every_message_is_logged_once_then_summed_up(caplog):
    now = [0.0]
    halts = []
    errors = EngineErrors(halts.append, lambda: now[0])

    class Quoter:
        def on_book(self, msg):
            raise ValueError("sigma is inf")

    caplog.set_level(logging.ERROR, "tradeterm.engine")
    for i in range(25_000):
        now[0] = i * 0.001  # 25 s of book updates, one a millisecond
        errors.on_bus_error("book.x", i, ValueError("sigma is inf"), Quoter().on_book, True)
    lines = [r.getMessage() for r in caplog.records]
    assert REPEAT_S == 10 and len(lines) == 3, lines  # at 0 s, then 10 s and 20 s later
    assert lines[0] == "Quoter.on_book failed on book.x: ValueError: sigma is inf"
    assert "and 9999 more failures of it in the last 10s" in lines[1]
    assert len(halts) == 25_000 and "Quoter.on_book failed on book.x" in halts[0]
    assert caplog.records[0].exc_info is not None  # the traceback, once
