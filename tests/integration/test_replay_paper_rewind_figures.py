"""Going back in a `replay --paper` (issue 16) rewinds what the trader reads of the run besides
its orders: the chart's series and the equity curve end at the target, the throttle fills again
from there (the clock went back under it), today's PnL is the restored portfolio's, the kill
switch stays as it is, and one log line says what the seek discarded."""

import asyncio
import logging

from tests.integration.test_replay_paper_rewind import S, paper_kernel, settle, submit
from tradeterm.domain.market import Side


def test_seek_back_rewinds_the_chart_the_equity_curve_and_the_risk_state(caplog):
    kernel = paper_kernel(None)
    replay, desk, views = kernel.replay, kernel.desk, kernel.views
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    start = replay.state.start_ns
    replay.pause()
    caplog.set_level(logging.INFO, logger="tradeterm.trading.paper_rewind")

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 30 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        target = kernel.clock.timestamp_ns()
        day_pnl = views.portfolio.day_pnl
        assert replay.seek(start + 90 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        submit(kernel, inst, Side.BUY, views.books[inst.id].best_ask)  # a fill after it
        await asyncio.sleep(0.05)
        assert views.portfolio.day_pnl != day_pnl or views.fills.items  # it traded
        chart = views.history[inst.id]
        assert chart.last is not None and chart.last.ts > target  # not vacuous
        assert desk.risk.global_bucket.ts > target
        assert max(t for t, _e in views.portfolio.equity_curve) > target

        assert replay.seek(start + 30 * S, discard=True)
        now = kernel.clock.timestamp_ns()
        assert now <= target
        assert chart.last is None or chart.last.ts <= now
        assert all(b.start + 1 * S <= now for b in chart.fine.bars)
        assert max(t for t, _e in views.portfolio.equity_curve) <= now
        assert desk.risk.global_bucket.ts <= now
        assert views.portfolio.day_pnl == day_pnl  # the restored portfolio's
        assert desk.killswitch.state.value == "ACTIVE"
        kernel.request_stop()
        await task

    asyncio.run(drive())
    said = [r.getMessage() for r in caplog.records if "replay went back" in r.getMessage()]
    assert len(said) == 1
    assert "1 order(s), 0 held order(s) and 1 fill(s) made after the target discarded" in said[0]


def test_seek_back_restores_the_peak_and_drawdown_the_run_had_there():
    """A rebuild re-applies the fills before the target with the market of the target under
    them: a short opened at 30 s and closed at 150 s was valued, between its two fills, at the
    prices of 200 s, and today's peak kept that equity, which the run never had (the drawdown
    read too deep, and the drawdown limit measures from it)."""
    kernel = paper_kernel(None)
    replay, views = kernel.replay, kernel.views
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    start = replay.state.start_ns
    replay.pause()

    def trade(side: Side) -> None:
        book = views.books[inst.id]
        price = book.best_bid if side is Side.SELL else book.best_ask
        submit(kernel, inst, side, price, lots=5_000_000)

    async def at(seconds: int) -> None:
        assert replay.seek(start + seconds * S)
        await settle(replay, lambda: replay.state.message == "at seek target")

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        await at(30)
        trade(Side.SELL)  # short 0.05 BTC
        await settle(replay, lambda: kernel.desk.portfolio.qty(inst.id) < 0)
        await at(150)
        trade(Side.BUY)  # flat again
        await settle(replay, lambda: kernel.desk.portfolio.qty(inst.id) == 0)
        await at(200)
        ran = (views.portfolio.peak_equity, views.portfolio.drawdown, views.portfolio.equity)
        await at(240)
        trade(Side.BUY)  # a fill after the target: going back rebuilds
        await settle(replay, lambda: kernel.desk.portfolio.qty(inst.id) > 0)

        assert replay.seek(start + 200 * S, discard=True)
        back = (views.portfolio.peak_equity, views.portfolio.drawdown, views.portfolio.equity)
        assert back == ran
        kernel.request_stop()
        await task

    asyncio.run(drive())
