"""Issue 16: a plain replay of a recorded paper session shows the session's own trading as it was
at the replay's clock (the working orders of the blotter, the fills, the positions, realized PnL
and fees), after any seek back or forward as after playing from the start; a fill is applied
once, however often the replay passes it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.integration.test_replay_navigation import recorded_paper_session, replay_kernel, settle
from tradeterm.core import topics
from tradeterm.domain.events import OrderUpdateRejected
from tradeterm.runtime.kernel import Kernel

S = 10**9


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    """Fills at 5 s and 12 s, an order resting from 15 s (cancelled at the end, 20 s)."""
    return recorded_paper_session(tmp_path_factory.mktemp("own") / "session.ttj")


def own_state(kernel: Kernel) -> dict:
    """What the blotter, the fills pane, the positions and the PnL pane show."""
    pf = kernel.views.portfolio
    return {
        "working": {
            coid: (o.status.value, o.side, o.qty, o.price, o.filled_qty)
            for coid, o in kernel.views.orders.orders.items()
        },
        "fills": [(f.trade_id, f.qty, f.price, f.fee) for f in kernel.views.fills],
        "positions": {
            iid: (row.qty, row.realized, row.fees, dict(row.paid))
            for iid, row in pf.positions.items()
        },
        "pnl": (pf.realized, pf.fees, pf.currency),
        "applied": kernel.desk.oms.fills_applied,
    }


def at(kernel: Kernel, seconds: float) -> int:
    return kernel.replay.state.start_ns + int(seconds * S)


async def seek(kernel: Kernel, seconds: float) -> dict:
    replay = kernel.replay
    replay.state.message = ""
    assert replay.seek(at(kernel, seconds)), replay.state.message
    await settle(replay, lambda: replay.state.message == "at seek target")
    assert replay.state.paused
    return own_state(kernel)


async def play_to(kernel: Kernel, seconds: float) -> dict:
    """Play on the bus (every record published) up to the first record at ``seconds``."""
    replay = kernel.replay
    seeker, replay.seeker = replay.seeker, None  # the forward seek of old: plays the bus
    try:
        return await seek(kernel, seconds)
    finally:
        replay.seeker = seeker


async def stop(kernel: Kernel, task: asyncio.Task) -> None:
    kernel.request_stop()
    kernel.replay._wake.set()  # a paused replay waits for the transport: wake it to stop
    await task


def straight(path: Path, seconds: list[float]) -> list[dict]:
    """The reference: one replay played from its start through each point in turn."""
    kernel = replay_kernel(path, speed=1.0)
    kernel.replay.pause()

    async def drive() -> list[dict]:
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        states = [await play_to(kernel, s) for s in sorted(seconds)]
        await stop(kernel, task)
        return states

    return dict(zip(sorted(seconds), asyncio.run(drive())))  # type: ignore[return-value]


def test_after_seeks_back_and_forth_the_own_trading_is_the_one_played_from_the_start(
    session, caplog
):
    points = [3.0, 6.0, 13.0, 16.0]
    reference = straight(session, points)
    # not vacuous: the recorded session's orders, fills and position are there when played
    assert reference[3.0]["fills"] == [] and reference[3.0]["working"] == {}
    assert len(reference[6.0]["fills"]) == 1 and reference[6.0]["positions"]
    assert len(reference[13.0]["fills"]) == 2
    resting = reference[16.0]["working"]
    assert [s for s, *_ in resting.values()] == ["ACCEPTED"]

    kernel = replay_kernel(session, speed=1.0)
    kernel.replay.pause()
    kernel.replay.own.every = 2  # checkpoints of the own trading between its few records

    async def drive() -> list[tuple[float, dict]]:
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        seen = [(13.0, await play_to(kernel, 13.0))]  # played past both fills
        for s in (3.0, 16.0, 6.0, 13.0, 3.0):  # back, forward, back...
            seen.append((s, await seek(kernel, s)))
        seen.append((16.0, await play_to(kernel, 16.0)))  # and played on again
        await stop(kernel, task)
        return seen

    with caplog.at_level(logging.WARNING, logger="tradeterm"):
        seen = asyncio.run(drive())
    for s, state in seen:
        assert state == reference[s], f"at {s} s"
    unknown = [r.getMessage() for r in caplog.records if "unknown order" in r.getMessage()]
    assert unknown == []


async def test_the_panes_show_the_fills_and_orders_of_the_replay_clock_after_going_back(
    session, tmp_path
):
    """Pilot: g to fill #2, back to fill #1, then on past the resting order: the fills pane and
    the blotter show what the recorded session had there, not what was played."""
    from tests.integration.test_replay_tui import goto, review_app, wait_for
    from tradeterm.ui.widgets.fills_pane import FillsPane
    from tradeterm.ui.widgets.orders_blotter import OrdersBlotter

    def shown(pane) -> str:
        return "\n".join(pane.plain_lines())

    app = review_app(tmp_path, session)
    replay = app.kernel.replay
    fills = replay.navigator.session.fills
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "#2") == ""
        await wait_for(pilot, lambda: replay.position == fills[1].record + 1)
        await pilot.pause(0.2)
        assert shown(app.query_one(FillsPane)).count("SIM-BTC/USD") == 2
        assert await goto(pilot, "#1") == ""  # back: the second fill has not happened yet
        await wait_for(pilot, lambda: replay.position == fills[0].record + 1)
        await pilot.pause(0.2)
        assert shown(app.query_one(FillsPane)).count("SIM-BTC/USD") == 1
        assert len(app.kernel.views.fills) == 1
        assert app.kernel.desk.portfolio.qty("sim:SIM-BTC/USD") == 100  # bought 0.01
        assert "no working orders" in shown(app.query_one(OrdersBlotter))  # filled at once
        assert await goto(pilot, "+11s") == ""  # past the order resting from 15 s
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        await pilot.pause(0.2)
        blotter = shown(app.query_one(OrdersBlotter))
        assert "#3 SIM-BTC/USD BUY  0.0100 0.0000 61644.5 ACCEPTED manual" in blotter
        assert shown(app.query_one(FillsPane)).count("SIM-BTC/USD") == 2
        assert app.kernel.desk.portfolio.qty("sim:SIM-BTC/USD") == 0


def test_at_the_end_of_a_plain_replay_the_recorded_resting_order_stays_as_recorded(tmp_path):
    """The session was stopped with an order working (no cancel on exit): the replay that
    reached its end (under review) shows it working, as the recording left it; closing the
    market cancels only a --paper replay's own orders."""
    from tradeterm.config import load_settings
    from tradeterm.domain.commands import SubmitOrder
    from tradeterm.domain.market import Side
    from tradeterm.runtime.kernel import RunOptions

    path = tmp_path / "left.ttj"
    cfg = load_settings(sim={"seed": 5}, session={"cancel_on_exit": False})
    rec = Kernel(cfg, RunOptions(mode="paper", fast=True, seconds=4, recording=path))
    inst = next(iter(rec.instruments.values()))

    def rest(_ts: int) -> None:
        price = rec.views.books[inst.id].best_bid - 300
        coid = rec.next_order_id()
        rec.submit(SubmitOrder(_ts, coid, inst.id, Side.BUY, inst.qty_to_lots("0.01"), price=price))

    rec.clock.set_alert("rest", rec.clock.timestamp_ns() + 2 * S, rest)
    asyncio.run(rec.run())

    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(mode="replay", replay=path, record=False, interactive=True),
    )

    async def drive() -> dict:
        task = asyncio.create_task(kernel.run())
        await settle(kernel.replay, lambda: bool(kernel.views.status.ended))
        assert kernel.views.status.ended
        await asyncio.sleep(0.3)
        state = own_state(kernel)
        await stop(kernel, task)
        return state

    working = asyncio.run(drive())["working"]
    assert [(status, side) for status, side, *_ in working.values()] == [("ACCEPTED", Side.BUY)]


def test_a_recorded_refusal_asks_no_venue_and_a_seek_past_it_stays_quiet(session):
    """A refused modify in the recording (the venue's OrderUpdateRejected) had the OMS query
    the venue as the replay played it or a seek applied it; a plain replay has no venue to ask
    (the recording holds what followed), and after a seek back the OMS no longer knew the order:
    "Task exception was never retrieved ... KeyError('')"."""
    kernel = replay_kernel(session, speed=1.0)
    kernel.replay.pause()
    problems: list[dict] = []

    async def drive() -> tuple[bool, bool]:
        asyncio.get_running_loop().set_exception_handler(lambda _l, c: problems.append(c))
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        state = await play_to(kernel, 16.0)
        (coid,) = state["working"]  # the resting order
        order = kernel.desk.oms.get(coid)
        venue = order.instrument.split(":", 1)[0]
        now = kernel.clock.timestamp_ns()
        refused = OrderUpdateRejected(now, now, coid, order.instrument, "modify", "X", "")
        kernel.bus.publish(topics.orders(venue), refused)  # as the replay plays a record
        flight = kernel.desk.oms.inflight.get(coid)
        asked = flight is not None and flight.querying
        for s in (3.0, 16.0, 3.0):
            await seek(kernel, s)
        await asyncio.sleep(0.2)
        await stop(kernel, task)
        return asked, order.uncertain

    asked, uncertain = asyncio.run(drive())
    assert not asked and not uncertain
    assert problems == [], problems
