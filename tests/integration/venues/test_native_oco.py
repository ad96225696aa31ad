"""A held OCO on the native Binance venue goes out as Binance's order list (``orderList/oco``)
against the loopback exchange: stored first, one list at the exchange, its legs followed by
their own execution reports (one fills, the venue expires the other, the list ALL_DONE), the
kill switch cancels the list, a 503 on the placement fails safe, and a restart reconciles."""

from __future__ import annotations

import pytest

from tests.live_session import LiveSession, canary_keys, counterparty, exchange_settings
from tests.loopback_held import ArrivalWatch, engine_sees_the_exchange, touch
from tests.loopback_session import wait_until
from tradeterm.domain.commands import CancelOrder, HoldOco, TripKillSwitch
from tradeterm.domain.held import HeldKind, HeldLeg, HeldState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.runtime.kernel import Kernel
from tradeterm.trading.results import HeldPlaced
from tradeterm.venues.loopback import LoopbackServer

S = HeldState


class Oco:
    """A sell OCO placed in ``live``: a limit ``up`` ticks above the touch, a stop ``down``
    below it."""

    def __init__(self, live: LiveSession, kernel: Kernel, qty: str = "0.002", up=3, down=3):
        bid, ask, last = touch(live)
        inst = live.instrument()
        self.ids = [kernel.next_order_id() for _ in range(3)]
        self.parent, self.limit, self.stop = self.ids
        self.limit_price, self.stop_price = max(ask, last) + up, min(bid, last) - down
        lots = inst.qty_to_lots(qty)
        self.cmd = HoldOco(
            kernel.clock.timestamp_ns(),
            self.parent,
            inst.id,
            self.limit,
            HeldLeg(Side.SELL, lots, HeldKind.LIMIT, self.limit_price),
            self.stop,
            HeldLeg(Side.SELL, lots, HeldKind.STOP, None, self.stop_price),
        )


def held(kernel: Kernel, held_id: str):
    emulator = kernel.desk.held.emulator
    return emulator.book.get(held_id) or kernel.desk.oms.store.held.load(held_id)


def exchange_list(server: LoopbackServer, list_id: str):
    lists = server.exchange.lists.lists.values()
    return next((lst for lst in lists if lst.client_id == list_id), None)


async def start(tmp_path, **sections):
    key, secret = canary_keys()
    server = LoopbackServer(exchange_settings(key, secret).exchange)
    await server.__aenter__()
    watch = ArrivalWatch(server, key, tmp_path / "tradeterm.db")
    live = LiveSession(server, tmp_path, key, secret, **sections)
    kernel = await live.start()
    server.exchange.market.pause()
    # the streams deliver what the market did before the pause: price from the touch the
    # engine sees (a stop placed off a touch the engine had not seen yet was WOULD_TRIGGER)
    await wait_until(lambda: engine_sees_the_exchange(live, kernel), 5, "the engine's touch")
    live.keys = (key, secret)
    return server, watch, live, kernel, key


async def place(live: LiveSession, kernel: Kernel, watch: ArrivalWatch, **kw) -> Oco:
    oco = Oco(live, kernel, **kw)
    watch.legs.update(oco.ids)
    result = kernel.desk.execute(oco.cmd)
    assert isinstance(result, HeldPlaced), result
    await live.sent()
    return oco


async def test_one_leg_fills_the_venue_expires_the_other_and_the_list_is_all_done(tmp_path):
    server, watch, live, kernel, _key = await start(tmp_path)
    try:
        oco = await place(live, kernel, watch)
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        order_list = exchange_list(server, oco.parent)
        assert [o.client_order_id for o in order_list.orders] == [oco.stop, oco.limit]
        assert sorted(watch.arrived) == sorted([oco.limit, oco.stop]) and not watch.unrecorded
        assert held(kernel, oco.parent).role == "list"
        assert {held(kernel, oco.limit).state, held(kernel, oco.stop).state} == {S.WORKING}
        market = server.exchange.market.symbols["BTCUSDT"]
        counterparty(server, "BUY", "5", market.price_str(oco.limit_price))  # through the limit
        await wait_until(lambda: held(kernel, oco.parent).is_terminal, 3, "the OCO to end")
        assert order_list.order_status == "ALL_DONE"
        limit, stop = held(kernel, oco.limit), held(kernel, oco.stop)
        assert (limit.state, limit.filled, limit.reason) == (S.DONE, limit.qty, "FILLED")
        assert (stop.state, stop.filled) == (S.DONE, 0)
        assert live.order(oco.stop).status is OrderStatus.EXPIRED
        assert held(kernel, oco.parent).state is S.DONE
        fills = kernel.desk.oms.store.order_fills(oco.limit)
        assert sum(f.qty for f in fills) == limit.qty  # each fill once
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


async def test_the_kill_switch_cancels_the_list(tmp_path):
    server, watch, live, kernel, key = await start(tmp_path)
    try:
        oco = await place(live, kernel, watch)
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        kernel.desk.execute(TripKillSwitch(kernel.clock.timestamp_ns(), "test", source="key"))
        await wait_until(lambda: held(kernel, oco.parent).is_terminal, 3, "the OCO to end")
        await wait_until(lambda: not kernel.desk.oms.working, 3, "nothing working")
        assert exchange_list(server, oco.parent).order_status == "ALL_DONE"
        assert not server.exchange.accounts[key].open_orders
        assert held(kernel, oco.parent).state is S.CANCELED
        assert {held(kernel, i).state for i in (oco.limit, oco.stop)} == {S.DONE}
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


async def test_cancelling_one_leg_cancels_the_list(tmp_path):
    server, watch, live, kernel, key = await start(tmp_path)
    try:
        oco = await place(live, kernel, watch)
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        kernel.desk.execute(CancelOrder(kernel.clock.timestamp_ns(), oco.stop, oco.cmd.instrument))
        await wait_until(lambda: held(kernel, oco.parent).is_terminal, 3, "the OCO to end")
        assert not server.exchange.accounts[key].open_orders
        assert held(kernel, oco.parent).state is S.CANCELED
        assert live.order(oco.limit).status is OrderStatus.CANCELED
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


@pytest.mark.parametrize("processed", [False, True])
async def test_a_503_on_the_list_fails_safe(tmp_path, processed):
    """Not placed: both legs end REJECTED (never placed) and the OCO with them, saying why;
    placed after all: found by their client ids and followed. Never a silent orphan."""
    server, watch, live, kernel, key = await start(tmp_path)
    try:
        path = "/api/v3/orderList/oco"
        server.injector.fail_rest(1, 503, processed=processed, path=path, method="POST")
        oco = await place(live, kernel, watch)
        if processed:
            await wait_until(
                lambda: live.order(oco.limit).status is OrderStatus.ACCEPTED, 5, "found"
            )
            assert exchange_list(server, oco.parent) is not None
            assert held(kernel, oco.parent).state is S.HELD  # the OCO stands
            assert {held(kernel, i).state for i in (oco.limit, oco.stop)} == {S.WORKING}
        else:
            await wait_until(lambda: held(kernel, oco.parent).is_terminal, 8, "the OCO to end")
            assert exchange_list(server, oco.parent) is None
            assert not server.exchange.accounts[key].open_orders
            for leg in (oco.limit, oco.stop):
                assert live.order(leg).status is OrderStatus.REJECTED
                assert held(kernel, leg).state is S.DONE
            parent = held(kernel, oco.parent)
            assert parent.state is S.CANCELED and parent.reason
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


async def test_a_restart_reconciles_a_list_that_filled_while_we_were_away(tmp_path):
    server, watch, live, kernel, _key = await start(tmp_path, session={"cancel_on_exit": False})
    second = None
    try:
        oco = await place(live, kernel, watch)
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        await live.stop()
        market = server.exchange.market.symbols["BTCUSDT"]
        counterparty(server, "BUY", "5", market.price_str(oco.limit_price))
        assert exchange_list(server, oco.parent).order_status == "ALL_DONE"
        second = LiveSession(server, tmp_path, *live.keys)
        kernel = await second.start()
        await wait_until(lambda: held(kernel, oco.parent).is_terminal, 5, "the OCO to end")
        assert held(kernel, oco.parent).state is S.DONE
        limit, stop = held(kernel, oco.limit), held(kernel, oco.stop)
        assert limit.filled == limit.qty and stop.filled == 0 and stop.state is S.DONE
        assert sum(f.qty for f in kernel.desk.oms.store.order_fills(oco.limit)) == limit.qty
        assert all(r.clean for r in kernel.desk.reconciliations)
    finally:
        await (second or live).stop()
        await server.__aexit__(None, None, None)


async def test_a_stop_leg_below_our_own_bid_is_not_a_self_cross(tmp_path):
    """The stop leg trades only once the venue triggers it: our own resting buy above its
    trigger does not make the list a self-cross (the limit leg is checked as any order)."""
    server, watch, live, kernel, _key = await start(tmp_path)
    try:
        buy = live.passive_buy("0.001")
        kernel.submit(buy)
        await wait_until(lambda: live.order(buy.client_order_id).status is OrderStatus.ACCEPTED)
        oco = await place(live, kernel, watch)
        assert oco.stop_price < buy.price < oco.limit_price
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        assert {held(kernel, i).state for i in (oco.limit, oco.stop)} == {S.WORKING}
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)
