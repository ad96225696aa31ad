"""Going back in a `replay --paper` across a modify the paper venue refused: the rebuild applies
the recorded records only. The run's OMS asked the paper venue about the order after the refusal
(``VenueEventHandler._refused``: ask rather than assume); the rebuild hands the recorded
``OrderUpdateRejected`` to the same handler, and must not ask again: the venue it would ask is
the paper venue as restored at the target, and what the run learned is in the records."""

import asyncio

from tests.integration.test_replay_paper_rewind import S, paper_kernel, settle, state, submit
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import OrderUpdateRejected
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus


def test_a_rebuild_across_a_refused_modify_asks_the_paper_venue_nothing():
    kernel = paper_kernel(None)
    replay, oms = kernel.replay, kernel.desk.oms
    client = kernel.execution
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    start = replay.state.start_ns
    replay.pause()
    asked: list[str] = []
    query = client.query_order

    async def counted(client_order_id: str, instrument: str):
        asked.append(client_order_id)
        return await query(client_order_id, instrument)

    client.query_order = counted  # the OMS asks the client it holds: this one
    refused: list[OrderUpdateRejected] = []
    kernel.bus.subscribe(
        f"order.{kernel.clients.name}",
        lambda m: refused.append(m) if type(m) is OrderUpdateRejected else None,
    )

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 20 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        bid = kernel.views.books[inst.id].best_bid
        coid = submit(kernel, inst, Side.BUY, bid - 100_000)
        await settle(replay, lambda: oms.get(coid).status is OrderStatus.ACCEPTED)

        # the paper venue refuses the next modify of the order (as it refuses one for a size
        # under what has filled): its answer, then the run's OMS asks about the order
        book = kernel.execution.execution.books[inst.id]
        modify = book.modify
        book.modify = lambda oid, price, qty: "INVALID_QUANTITY"
        kernel.desk.execute(ModifyOrder(kernel.clock.timestamp_ns(), coid, inst.id, qty=20_000))
        await settle(replay, lambda: bool(refused) and bool(asked))
        book.modify = modify
        await settle(replay, lambda: not oms.get(coid).uncertain)
        assert oms.get(coid).status is OrderStatus.ACCEPTED and asked == [coid]

        assert replay.seek(start + 30 * S)  # forward past the refusal, on the bus
        await settle(replay, lambda: replay.state.message == "at seek target")
        at_target = state(kernel)
        assert at_target["paper"] and coid in at_target["orders"]  # not vacuous
        assert replay.seek(start + 60 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        submit(kernel, inst, Side.BUY, bid - 200_000)  # a trade after the target: a rebuild
        await asyncio.sleep(0.05)

        asked.clear()
        assert replay.seek(start + 30 * S, discard=True)
        assert replay.state.message == "at seek target"
        await asyncio.sleep(0.2)  # a query the rebuild started would have run by now
        assert asked == []
        assert not oms.get(coid).uncertain
        assert state(kernel) == at_target
        kernel.request_stop()
        await task

    asyncio.run(drive())
