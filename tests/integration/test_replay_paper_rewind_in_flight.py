"""Going back in a `replay --paper` to a moment when requests were on their way to the paper venue
(issue 16): each is sent again at the target and arrives after the paper latency, as it would
have. A submit not answered there is SUBMITTED again and then works; a cancel not answered is
PENDING_CANCEL again and then cancels; a modify, PENDING_UPDATE and then modifies; a held OCO
whose limit leg was on its way has an order behind it again."""

import asyncio

from tests.integration.test_replay_paper_rewind import SHIPPED, S, settle, submit
from tradeterm.config import load_settings
from tradeterm.domain.commands import CancelOrder, HoldOco, ModifyOrder
from tradeterm.domain.held import HeldKind, HeldLeg, HeldState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.runtime.kernel import Kernel, RunOptions

LATENCY_MS = 50


def slow_paper_kernel() -> Kernel:
    settings = load_settings(
        sim={"seed": 1}, paper={"latency_ms": LATENCY_MS, "latency_jitter_ms": 0}
    )
    return Kernel(
        settings,
        RunOptions(mode="replay", replay=SHIPPED, paper=True, speed=1.0, record=False),
    )


def resting(kernel) -> dict[str, int | None]:
    """The paper venue's resting orders: client order id -> price."""
    execution = kernel.execution.execution
    by_oid = {t.client_order_id: oid for oid, t in execution._tracked.items()}
    return {
        coid: o.price
        for coid, oid in by_oid.items()
        for book in execution.books.values()
        if (o := book.orders.get(oid)) is not None
    }


def hold_oco(kernel, inst, below: int, trigger: int) -> tuple[str, str]:
    held_id, limit_id, stop_id = (kernel.next_order_id() for _ in range(3))
    result = kernel.desk.execute(
        HoldOco(
            kernel.clock.timestamp_ns(),
            held_id,
            inst.id,
            limit_id,
            HeldLeg(Side.BUY, 10_000, HeldKind.LIMIT, price=below),
            stop_id,
            HeldLeg(Side.BUY, 10_000, HeldKind.STOP, trigger_price=trigger),
        )
    )
    assert type(result).__name__ == "HeldPlaced", result
    return held_id, limit_id


def test_requests_in_flight_at_the_target_are_sent_again():
    kernel = slow_paper_kernel()
    replay, oms = kernel.replay, kernel.desk.oms
    emulator = kernel.desk.held.emulator
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    start = replay.state.start_ns
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 20 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        bid = kernel.views.books[inst.id].best_bid
        to_cancel = submit(kernel, inst, Side.BUY, bid - 10_000)
        to_modify = submit(kernel, inst, Side.BUY, bid - 20_000)
        assert replay.seek(start + 30 * S)  # forward: both accepted on the way
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert {to_cancel, to_modify} <= set(resting(kernel))
        old_price = resting(kernel)[to_modify]

        # at the target, paused: three requests and a held OCO's limit leg on their way
        bid = kernel.views.books[inst.id].best_bid
        new = submit(kernel, inst, Side.BUY, bid - 30_000)
        now = kernel.clock.timestamp_ns()
        kernel.desk.execute(CancelOrder(now, to_cancel, inst.id))
        kernel.desk.execute(ModifyOrder(now, to_modify, inst.id, price=bid - 25_000))
        held_id, leg = hold_oco(kernel, inst, bid - 40_000, bid + 50_000)
        at_target = {c: oms.get(c).status for c in (new, to_cancel, to_modify, leg)}
        assert at_target == {
            new: OrderStatus.SUBMITTED,
            to_cancel: OrderStatus.PENDING_CANCEL,
            to_modify: OrderStatus.PENDING_UPDATE,
            leg: OrderStatus.SUBMITTED,
        }

        assert replay.seek(start + 90 * S)  # forward: all answered after the target
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert to_cancel not in resting(kernel) and resting(kernel)[to_modify] == bid - 25_000

        assert replay.seek(start + 30 * S, discard=True)
        assert replay.state.message == "at seek target"
        back = {c: (o.status if (o := oms.get(c)) else None) for c in at_target}
        assert back == at_target  # as the trader saw them there, each on its way again
        assert emulator.book.get(leg).state is HeldState.WORKING
        assert resting(kernel)[to_modify] == old_price  # its old terms until the modify arrives

        assert replay.seek(start + 31 * S)  # past the latency: each request arrives
        await settle(replay, lambda: replay.state.message == "at seek target")
        there = resting(kernel)
        assert to_cancel not in there and oms.get(to_cancel).status is OrderStatus.CANCELED
        assert there[to_modify] == bid - 25_000
        assert there[new] == bid - 30_000 and there[leg] == bid - 40_000
        assert oms.get(new).status is OrderStatus.ACCEPTED
        assert oms.get(leg).status is OrderStatus.ACCEPTED
        assert emulator.book.get(held_id) is not None
        kernel.request_stop()
        await task

    asyncio.run(drive())
