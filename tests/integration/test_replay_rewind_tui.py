"""A seek back in a `replay --paper` TUI that would discard paper trades asks first (issue 16):
y goes back (the order made after the target is gone, from the blotter and the paper venue), n
stays (nothing changes); with nothing to discard it just goes."""

from tests.integration.test_replay_tui import goto, wait_for
from tradeterm.config import load_settings
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.confirm import ConfirmScreen

from tests.integration.test_replay_paper_rewind import SHIPPED


def paper_review_app(tmp_path):
    kernel = Kernel(
        load_settings(
            sim={"seed": 1},
            data_dir=str(tmp_path),
            paper={"latency_ms": 0, "latency_jitter_ms": 0},
        ),
        RunOptions(
            mode="replay",
            replay=SHIPPED,
            paper=True,
            speed=1.0,
            interactive=True,
            record=False,
        ),
    )
    kernel.replay.pause()
    return create_app(kernel)


def rest_an_order(kernel) -> str:
    """A buy far under the bid: it works, it does not fill."""
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    coid = kernel.next_order_id()
    price = kernel.views.books[inst.id].best_bid - 100_000
    kernel.submit(
        SubmitOrder(kernel.clock.timestamp_ns(), coid, inst.id, Side.BUY, 10_000, price=price)
    )
    return coid


def resting_at_paper(kernel) -> int:
    return sum(len(b.orders) for b in kernel.execution.execution.books.values())


async def test_seek_back_over_a_paper_order_asks_and_y_discards_it_n_keeps_it(tmp_path):
    app = paper_review_app(tmp_path)
    kernel = app.kernel
    replay = kernel.replay
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        assert await goto(pilot, "+60s") == ""
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        here = kernel.clock.timestamp_ns()
        coid = rest_an_order(kernel)
        await wait_for(pilot, lambda: resting_at_paper(kernel) == 1)
        assert coid in kernel.views.orders.orders

        # n: the replay stays, the order with it
        assert await goto(pilot, "-30s") == ""
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.shown.startswith("seek back to 23:54:")
        assert app.screen.shown.endswith(
            " discards 1 order(s), 0 held order(s) and 0 fill(s) made after it; they are kept "
            "in the run's journal as a branch — go back? y/n"
        )
        await pilot.press("n")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.cmdline.message == "stayed: the paper trades after the target are kept"
        assert kernel.clock.timestamp_ns() == here and replay.offer is None
        assert coid in kernel.views.orders.orders and resting_at_paper(kernel) == 1

        # y: back 30 s, the order discarded from the blotter and the paper venue
        assert await goto(pilot, "-30s") == ""
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        assert not isinstance(app.screen, ConfirmScreen)
        said = str(app.query_one("#cmd-msg").render())
        assert "went back to" in said and "discarded (kept in the run's journal" in said, said
        assert here - 31 * 10**9 < kernel.clock.timestamp_ns() <= here - 30 * 10**9
        assert coid not in kernel.views.orders.orders and resting_at_paper(kernel) == 0

        # nothing made after the next target: no question
        replay.state.message = ""
        assert await goto(pilot, "-10s") == ""
        await wait_for(pilot, lambda: replay.state.message == "at seek target")
        assert not isinstance(app.screen, ConfirmScreen)
