"""Going back in a `replay --paper` while the kill switch is HALTED (issue 16): the kill switch
wins. The rewind ends like a trip: nothing new reaches the paper venue (the submit and the
modify on their way at the target are not sent again: the submit ends CANCELED, NOT_SENT), the
orders working at the target end CANCELED with the kill switch's reason without going back to
the paper venue, the held ones too, and trading stays HALTED. REDUCING is treated alike."""

import asyncio

import pytest

from tests.integration.test_replay_paper_rewind import S, settle, submit
from tests.integration.test_replay_paper_rewind_in_flight import (
    hold_oco,
    resting,
    slow_paper_kernel,
)
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.held import HeldState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.oms.reasons import HELD_KILL_SWITCH, NOT_SENT


@pytest.mark.parametrize("state", [TradingState.HALTED, TradingState.REDUCING])
def test_a_seek_back_while_halted_puts_nothing_back_in_the_market(state):
    kernel = slow_paper_kernel()
    replay, oms, desk = kernel.replay, kernel.desk.oms, kernel.desk
    emulator = desk.held.emulator
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    start = replay.state.start_ns
    requests: list[str] = []  # what reaches the paper venue
    kernel.execution.watchers.append(lambda kind, _o, _p, _q: requests.append(kind))
    ended: dict[str, tuple[HeldState, str]] = {}  # held orders' last change: state, reason
    emulator.journal.watchers.append(
        lambda h, _r: ended.__setitem__(h.held_id, (h.state, h.reason))
    )
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 20 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        bid = kernel.views.books[inst.id].best_bid
        working = submit(kernel, inst, Side.BUY, bid - 10_000)
        to_modify = submit(kernel, inst, Side.BUY, bid - 20_000)
        held_id, leg = hold_oco(kernel, inst, bid - 40_000, bid + 50_000)
        assert replay.seek(start + 30 * S)  # forward: all accepted on the way
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert {working, to_modify, leg} <= set(resting(kernel))

        # at the target, paused: a submit and a modify on their way
        bid = kernel.views.books[inst.id].best_bid
        new = submit(kernel, inst, Side.BUY, bid - 30_000)
        now = kernel.clock.timestamp_ns()
        assert desk.execute(ModifyOrder(now, to_modify, inst.id, price=bid - 25_000))
        assert oms.get(new).status is OrderStatus.SUBMITTED

        assert replay.seek(start + 90 * S)  # forward: all answered after the target
        await settle(replay, lambda: replay.state.message == "at seek target")
        late = submit(kernel, inst, Side.BUY, bid - 35_000)  # on its way at the trip
        desk.kill.trip("test halt", "test")
        if state is TradingState.REDUCING:  # re-armed to trade down only: treated as HALTED
            assert type(desk.kill.rearm("trade down", state)).__name__ != "RearmRefused"
        assert replay.seek(start + 91 * S)  # the trip's cancels arrive
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert not oms.working and not resting(kernel) and late not in resting(kernel)

        requests.clear()
        ended.clear()
        assert replay.seek(start + 30 * S, discard=True)
        assert replay.state.message == "at seek target"
        assert not requests, requests  # nothing of the target reaches the paper venue again
        assert desk.killswitch.state is state
        # the orders working at the target: ended at once with the kill switch's reason, never
        # back on the paper venue's books (nothing can fill on the way out)
        assert not oms.working and not resting(kernel)
        for coid in (working, to_modify, leg):
            order = oms.get(coid)
            assert order.status is OrderStatus.CANCELED, (coid, order.status)
            assert order.reason.startswith(HELD_KILL_SWITCH), order.reason
        shown = {c: o.status for c, o in kernel.views.orders.orders.items()}
        assert new not in shown  # the blotter does not show it on its way
        assert oms.get(new).status is OrderStatus.CANCELED and oms.get(new).reason == NOT_SENT
        held_state, reason = ended[held_id]  # held again, then cancelled by the kill switch
        assert held_state is HeldState.CANCELED and reason.startswith(HELD_KILL_SWITCH), reason

        assert replay.seek(start + 31 * S)  # past the latency: nothing was on its way
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert not oms.working and not resting(kernel)
        assert not emulator.book.open_records() and not kernel.views.held.orders
        assert not requests, requests
        assert desk.killswitch.state is state
        kernel.request_stop()
        await task

    asyncio.run(drive())
