"""The recorder's copy of a replay's rebuild (``trading/own_frames.OwnTradingFrames``) takes a
modify the venue refused as a replay does: the recorded records only. Its OMS asking its venue
(which answers no query, as a plain replay's) closed the order UNKNOWN_AT_VENUE in the copy, so
a frame written after held an order ended that a plain replay of the recording shows working."""

from __future__ import annotations

import asyncio

from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderAccepted, OrderUpdateRejected
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.trading.own_frames import OwnTradingFrames


def test_the_frames_copy_takes_a_refused_modify_without_asking():
    kernel = Kernel(load_settings(sim={"seed": 1}), RunOptions(mode="paper", record=False))
    frames = OwnTradingFrames(kernel.desk)
    venue = kernel.execution.name
    inst = next(iter(kernel.instruments.values()))
    asked: list[str] = []
    for client in frames.oms.venues.values():
        query = client.query_order

        async def counted(coid: str, iid: str, query=query):
            asked.append(coid)
            return await query(coid, iid)

        client.query_order = counted  # type: ignore[method-assign]

    async def take() -> None:
        coid = "TT1-1"
        frames.take(topics.COMMAND, SubmitOrder(1, coid, inst.id, Side.BUY, 10_000, price=100))
        frames.take(topics.orders(venue), OrderAccepted(2, 2, coid, inst.id, "v1"))
        refused = OrderUpdateRejected(3, 3, coid, inst.id, "modify", "INVALID_QUANTITY", "")
        frames.take(topics.orders(venue), refused)
        await asyncio.sleep(0.1)  # a query the copy started would have run by now

    asyncio.run(take())
    order = frames.oms.get("TT1-1")
    assert order is not None
    assert (order.status, order.reason, order.uncertain) == (OrderStatus.ACCEPTED, "", False)
    assert asked == []
