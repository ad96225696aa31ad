"""Pilot: going back in a `replay --paper` TUI (issue 16), on a short recorded session. At the
replay's end, `g` back asks (the end's cancels are discarded) and `y` goes back: the blotter
shows the order working at the target. Going back to a moment an order was on its way to the
paper venue, the blotter shows it on its way (SUBMITTED) until its answer arrives."""

from pathlib import Path

import pytest

from tests.integration.test_replay_navigation import recorded_paper_session
from tests.integration.test_replay_tui import goto, wait_for
from tradeterm.config import load_settings
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    return recorded_paper_session(tmp_path_factory.mktemp("rewind") / "session.ttj")


def paper_app(tmp_path, recording: Path, latency_ms: int):
    kernel = Kernel(
        load_settings(
            sim={"seed": 1},
            data_dir=str(tmp_path),
            paper={"latency_ms": latency_ms, "latency_jitter_ms": 0},
        ),
        RunOptions(mode="replay", replay=recording, paper=True, interactive=True, record=False),
    )
    kernel.replay.pause()
    return create_app(kernel)


def rest_an_order(kernel) -> str:
    """A buy under the bid: it works, it does not fill."""
    inst = next(iter(kernel.instruments.values()))
    coid = kernel.next_order_id()
    price = kernel.views.books[inst.id].best_bid - 1000
    kernel.submit(
        SubmitOrder(kernel.clock.timestamp_ns(), coid, inst.id, Side.BUY, 10_000, price=price)
    )
    return coid


def blotter_row(app, coid: str) -> str:
    """The blotter's row of ``coid`` ('' when it does not show it), after the selection mark."""
    short = f"#{int(coid.rsplit('-', 1)[1])} "
    lines = [line[2:] for line in app.query_one(OrdersBlotter).plain_lines()]
    return next((line for line in lines if line.startswith(short)), "")


async def test_at_the_end_g_back_asks_and_y_shows_the_orders_working_at_the_target(
    tmp_path, session
):
    app = paper_app(tmp_path, session, 0)
    kernel = app.kernel
    replay = kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "+5s") == ""
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        coid = rest_an_order(kernel)
        await wait_for(pilot, lambda: "ACCEPTED" in blotter_row(app, coid))
        replay.set_speed(None)
        replay.play()
        await wait_for(pilot, lambda: replay.state.done and kernel.views.status.ended != "")
        await wait_for(pilot, lambda: blotter_row(app, coid) == "")  # the end cancelled it
        assert kernel.desk.oms.get(coid).status is OrderStatus.CANCELED

        assert await goto(pilot, "-10s") == ""
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        assert " discards 1 order(s), 0 held order(s) and 0 fill(s) " in app.screen.shown
        await pilot.press("y")
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        assert not isinstance(app.screen, ConfirmScreen) and not replay.state.done
        await wait_for(pilot, lambda: blotter_row(app, coid) != "")
        row = blotter_row(app, coid)
        assert " BUY " in row and " ACCEPTED " in row, row  # working there, shown working


async def test_going_back_to_an_order_on_its_way_shows_it_on_its_way(tmp_path, session):
    app = paper_app(tmp_path, session, 1500)  # the answer comes 1.5 s after the order
    kernel = app.kernel
    replay = kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "+5s") == ""
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        coid = rest_an_order(kernel)
        await wait_for(pilot, lambda: "SUBMITTED" in blotter_row(app, coid))
        assert await goto(pilot, "+2s") == ""  # forward: its answer arrives on the way
        await wait_for(pilot, lambda: "ACCEPTED" in blotter_row(app, coid))

        replay.state.message = ""
        assert await goto(pilot, "-1s") == ""  # after the order went, before its answer
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        await wait_for(pilot, lambda: "SUBMITTED" in blotter_row(app, coid))
        row = blotter_row(app, coid)
        assert " SUBMITTED " in row, row  # on its way again, as the trader saw it there
        assert kernel.desk.oms.get(coid).status is OrderStatus.SUBMITTED

        replay.state.message = ""
        assert await goto(pilot, "+2s") == ""  # past the latency: the paper venue answers
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        await wait_for(pilot, lambda: "ACCEPTED" in blotter_row(app, coid))
        assert " ACCEPTED " in blotter_row(app, coid)
