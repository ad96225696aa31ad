"""A working leg of an emulated group (a bracket's entry, an OCO's limit leg) on a venue that
cannot amend an order in place (Binance, ccxt: the OMS cancel-replaces): the cancel ended the
group (its exits, or its other leg, cancelled) while the replacement went out alone, with no
stop behind it. Refused now, with the reason, and the group stands. On a venue that amends in
place (sim, paper) the leg is modified as before."""

from __future__ import annotations

from tests.integration.venues.test_native_oco import exchange_list, held, start
from tests.loopback_held import touch
from tradeterm.domain.commands import HoldBracket, HoldOco, ModifyOrder
from tradeterm.domain.held import HeldKind, HeldLeg, HeldState
from tradeterm.domain.market import Side
from tradeterm.trading.results import HeldPlaced, RequestRefused

S = HeldState
REFUSED = (
    "a leg of an OCO or a bracket cannot be modified on this venue (its cancel-replace would "
    "end the group and send the new order alone): cancel the group and place it again"
)


async def test_a_brackets_working_entry_is_not_cancel_replaced_out_of_its_bracket(tmp_path):
    server, _watch, live, kernel, key = await start(tmp_path)
    try:
        bid, ask, _last = touch(live)
        inst = live.instrument()
        gid, entry, tp, sl = (kernel.next_order_id() for _ in range(4))
        lots = inst.qty_to_lots("0.002")
        cmd = HoldBracket(
            kernel.clock.timestamp_ns(), gid, inst.id, Side.BUY, lots, bid - 5, ask + 50,
            bid - 50, entry, tp, sl,
        )  # fmt: skip
        assert isinstance(kernel.desk.execute(cmd), HeldPlaced)
        await live.sent()
        assert held(kernel, entry).state is S.WORKING
        move = ModifyOrder(kernel.clock.timestamp_ns(), entry, inst.id, price=bid - 6)
        assert kernel.desk.execute(move) == RequestRefused(entry, REFUSED)
        await live.sent()
        assert held(kernel, gid).state is S.HELD and not held(kernel, gid).is_terminal
        assert {held(kernel, i).state for i in (tp, sl)} == {S.HELD}
        at_venue = server.exchange.accounts[key].orders
        assert [(o.client_order_id, o.status) for o in at_venue] == [(entry, "NEW")]
        assert list(kernel.desk.oms.working) == [entry]
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


async def test_an_emulated_ocos_limit_leg_is_not_cancel_replaced_alone(tmp_path):
    """A trailing leg keeps the OCO emulated on Binance (not sent as its order list)."""
    server, _watch, live, kernel, key = await start(tmp_path)
    try:
        bid, ask, last = touch(live)
        inst = live.instrument()
        gid, limit, stop = (kernel.next_order_id() for _ in range(3))
        lots = inst.qty_to_lots("0.002")
        cmd = HoldOco(
            kernel.clock.timestamp_ns(), gid, inst.id,
            limit, HeldLeg(Side.BUY, lots, HeldKind.LIMIT, bid - 5),
            stop, HeldLeg(Side.BUY, lots, HeldKind.TRAIL, trail=max(ask, last) - bid + 50),
        )  # fmt: skip
        assert isinstance(kernel.desk.execute(cmd), HeldPlaced)
        await live.sent()
        assert exchange_list(server, gid) is None  # held by the engine, not Binance's list
        assert held(kernel, limit).state is S.WORKING
        move = ModifyOrder(kernel.clock.timestamp_ns(), limit, inst.id, price=bid - 6)
        assert kernel.desk.execute(move) == RequestRefused(limit, REFUSED)
        await live.sent()
        assert held(kernel, stop).state is S.HELD and not held(kernel, gid).is_terminal
        at_venue = server.exchange.accounts[key].orders
        assert [(o.client_order_id, o.status) for o in at_venue] == [(limit, "NEW")]
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)
