"""A backtest that reached the end of its recording (13.7): the session stays up while the
trader reviews it, the kill switch still works, the header says END and orders are refused
with the reason (before: the store was closed at END and the next order or ctrl+k crashed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Static

from tradeterm.config import load_settings
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.status_header import StatusHeader
from tradeterm.trading.results import Denied

SHIPPED = (
    Path(__file__).resolve().parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
)


def backtest(tmp_path, latency_ms: int = 0) -> Kernel:
    settings = load_settings(
        sim={"seed": 1}, data_dir=str(tmp_path), paper={"latency_ms": latency_ms}
    )
    return Kernel(
        settings,
        RunOptions(
            mode="replay", replay=SHIPPED, paper=True, speed=None, interactive=True, record=False
        ),
    )


async def until(condition, seconds: float = 20.0) -> bool:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


async def test_an_interactive_backtest_stays_up_at_the_end(tmp_path):
    kernel = backtest(tmp_path, latency_ms=5)
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    resting: list = []

    def rest(_ts: int) -> None:  # a bid far below the market, still working at the end
        book = kernel.views.books[inst.id]
        resting.append(
            kernel.submit(
                SubmitOrder(
                    kernel.clock.timestamp_ns(),
                    kernel.next_order_id(),
                    inst.id,
                    Side.BUY,
                    10_000,
                    price=book.best_bid - 200_000,
                )
            )
        )

    kernel.clock.set_alert("test.rest", kernel.clock.timestamp_ns() + 10 * 10**9, rest)
    task = asyncio.create_task(kernel.run())
    assert await until(lambda: kernel.replay.state.done)
    await asyncio.sleep(0.2)
    assert not task.done(), "the session stopped at the end of the recording"
    assert kernel.views.status.ended.startswith("replay ended")
    # the order left working at the end was cancelled: nothing can fill it any more
    assert resting and await until(lambda: not kernel.desk.oms.working)
    # a new order is refused with the reason, the store is open
    denied = kernel.submit(
        SubmitOrder(kernel.clock.timestamp_ns(), kernel.next_order_id(), inst.id, Side.SELL, 1000)
    )
    assert isinstance(denied, Denied) and denied.denial.reason == "REPLAY_ENDED"
    assert "replay ended" in denied.denial.message
    # the kill switch works
    kernel.trip_kill_switch("after the end", source="key")
    assert kernel.desk.killswitch.state is TradingState.HALTED
    assert kernel.store.controls.load_trading_state()[0] is TradingState.HALTED
    kernel.request_stop()
    await asyncio.wait_for(task, 5)


async def test_the_workstation_at_the_end_of_a_backtest(tmp_path):
    kernel = backtest(tmp_path)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if kernel.replay.state.done:
                break
        await pilot.pause(0.3)
        header = "".join(t for t, _ in app.query_one(StatusHeader).status_row())
        assert "REPLAY END" in header and "CONNECTED" not in header, header
        await pilot.press("colon", *"s 0.01 mkt", "enter")
        await pilot.pause(0.2)
        msg = str(app.query_one("#cmd-msg", Static).render())
        assert "REPLAY_ENDED" in msg and "replay ended" in msg, msg
        await pilot.press("ctrl+k")
        await pilot.pause(0.2)
        assert kernel.desk.killswitch.state is TradingState.HALTED
        assert "FAILED" not in str(app.query_one("#cmd-msg", Static).render())
        await pilot.press("q")
        await pilot.pause(0.3)
    assert kernel._stop.is_set()
