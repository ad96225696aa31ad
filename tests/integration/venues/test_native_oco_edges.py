"""Edges of a held OCO sent as Binance's order list, against the loopback exchange: a store
that fails between the legs' records sends nothing and halts; a leg cannot be modified (the
cancel of Binance's cancel-replace would end the list and leave the replacement alone); a leg
whose own end was lost is looked up when the list's ``listStatus`` says ALL_DONE; the blotter
reads the legs as it reads an emulated OCO's."""

from __future__ import annotations

from tests.integration.venues.test_native_oco import exchange_list, held, place, start
from tests.live_session import counterparty
from tests.loopback_session import wait_until
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.held import HeldState
from tradeterm.domain.orders import OrderStatus
from tradeterm.oms.reasons import NOT_SENT, STORE_ERROR
from tradeterm.trading.results import RequestRefused
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter

S = HeldState


async def test_a_store_failure_between_the_legs_sends_nothing_ends_both_and_halts(tmp_path):
    """The OCO and its first leg's order are written, the second leg's write fails: nothing
    goes to the venue, the first leg's row ends NOT_SENT (not open for the next start to look
    for), and the kill switch trips saying why."""
    server, watch, live, kernel, key = await start(tmp_path)
    try:
        store = kernel.desk.oms.store
        insert, calls = store.insert_order, []

        def insert_order(order, venue, session):
            calls.append(order.client_order_id)
            if len(calls) == 2:
                raise OSError("disk full")
            insert(order, venue, session)

        store.insert_order = insert_order
        oco = await place(live, kernel, watch)
        assert calls == [oco.limit, oco.stop]
        assert not watch.arrived and exchange_list(server, oco.parent) is None
        assert not server.exchange.accounts[key].orders
        first = store.load_order(oco.limit)
        assert (first.status, first.reason) == (OrderStatus.CANCELED, NOT_SENT)
        assert store.load_order(oco.stop) is None
        assert oco.limit not in [o.client_order_id for o, _venue in store.load_open_orders()]
        assert not kernel.desk.oms.working
        assert kernel.desk.killswitch.halted
        assert kernel.desk.killswitch.reason == "store write failed: disk full"
        assert (held(kernel, oco.limit).state, held(kernel, oco.limit).reason) == (S.DONE, NOT_SENT)
        assert (held(kernel, oco.stop).state, held(kernel, oco.stop).reason) == (
            S.DONE,
            STORE_ERROR,
        )
        assert held(kernel, oco.parent).is_terminal
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


async def test_modifying_a_leg_is_refused_saying_why_and_the_list_stands(tmp_path):
    """Binance amends no list leg: a modify went as cancel-replace, whose cancel ended the
    whole list (the stop too) while the new limit went out alone, and the trader read
    'sent'. Refused now, with the reason; the list is untouched."""
    server, watch, live, kernel, key = await start(tmp_path)
    try:
        oco = await place(live, kernel, watch)
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        for leg, price in ((oco.limit, oco.limit_price + 1), (oco.stop, oco.stop_price - 1)):
            cmd = ModifyOrder(kernel.clock.timestamp_ns(), leg, oco.cmd.instrument, price=price)
            assert kernel.desk.execute(cmd) == RequestRefused(
                leg, "an OCO leg cannot be modified: cancel the OCO and place it again"
            )
        await live.sent()
        assert exchange_list(server, oco.parent).order_status == "EXECUTING"
        at_venue = server.exchange.accounts[key].orders
        assert sorted(o.client_order_id for o in at_venue) == sorted([oco.limit, oco.stop])
        assert all(o.status == "NEW" for o in at_venue)
        assert {held(kernel, i).state for i in (oco.limit, oco.stop)} == {S.WORKING}
        assert held(kernel, oco.parent).state is S.HELD
        assert sorted(kernel.desk.oms.working) == sorted([oco.limit, oco.stop])
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


async def test_the_lists_all_done_looks_up_a_leg_whose_end_was_lost(tmp_path):
    """The limit leg fills, Binance expires the stop and the list is ALL_DONE; the stop's
    EXPIRED report is lost on the way. The listStatus makes the engine look the stop up (it
    stayed working, the OCO open, until the stream reconnected)."""
    server, watch, live, kernel, key = await start(tmp_path)
    try:
        oco = await place(live, kernel, watch)
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        settlement, lost = server.exchange.settlement, []
        send = settlement.user

        def user(account, payload, fill=False):
            if payload.get("e") == "executionReport" and (payload["c"], payload["x"]) == (
                oco.stop,
                "EXPIRED",
            ):
                lost.append(payload)
                return
            send(account, payload, fill)

        settlement.user = user
        market = server.exchange.market.symbols["BTCUSDT"]
        counterparty(server, "BUY", "5", market.price_str(oco.limit_price))
        await wait_until(lambda: held(kernel, oco.parent).is_terminal, 3, "the OCO to end")
        assert lost and exchange_list(server, oco.parent).order_status == "ALL_DONE"
        assert live.order(oco.stop).status is OrderStatus.EXPIRED
        assert (held(kernel, oco.stop).state, held(kernel, oco.stop).filled) == (S.DONE, 0)
        assert held(kernel, oco.parent).state is S.DONE
        assert not kernel.desk.oms.working
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)


async def test_the_blotter_reads_a_native_ocos_legs_as_an_emulated_ocos(tmp_path):
    """Each leg names its role and its OCO (``first of #1``), as an emulated OCO's legs do;
    the stop leg at the venue shows its trigger as a held stop does (``stop 61800.15``), not
    ``MKT``: a market order working there would be news to the trader."""
    server, watch, live, kernel, _key = await start(tmp_path)
    try:
        oco = await place(live, kernel, watch)
        await wait_until(lambda: exchange_list(server, oco.parent) is not None, 3, "the list")
        inst = live.instrument()
        blotter = OrdersBlotter(kernel.views.orders, {inst.id: inst}, kernel.views.held)
        rows = ["".join(cell[0] for cell in row).split() for row in blotter.rows()]
        by_id = {row[1] if row[0] == "›" else row[0]: row for row in rows[1:]}
        limit, stop = by_id["#2"], by_id["#3"]
        assert limit[-3:] == ["first", "of", "#1"] and inst.format_price(oco.limit_price) in limit
        assert stop[-3:] == ["second", "of", "#1"] and "MKT" not in stop
        assert " ".join(stop).count(f"stop {inst.format_price(oco.stop_price)}") == 1
    finally:
        await live.stop()
        await server.__aexit__(None, None, None)
