"""Live mode end to end: the kernel with the native Binance venue against the loopback exchange,
through risk, the OMS, the durable store and the journal. The account's key and secret are
canaries: after the session, no file under the data dir may contain them."""

import asyncio

from tests.live_session import (
    LiveSession,
    canary_keys,
    counterparty,
    exchange_settings,
    files_containing,
)
from tests.loopback_session import wait_until
from tradeterm.domain.orders import OrderStatus
from tradeterm.venues.loopback import LoopbackServer
from tradeterm.trading.results import Denied, OrderSent, RequestSent


def exchange_orders(server: LoopbackServer, key: str, client_id: str) -> list:
    return [o for o in server.exchange.accounts[key].orders if o.client_order_id == client_id]


async def test_confirmed_lifecycle_and_the_keys_never_reach_a_file(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        live = LiveSession(server, tmp_path, key, secret)
        kernel = await live.start(confirm=False)
        server.exchange.market.pause()  # only our orders and the counterparty's move the book
        assert kernel.views.status.mode == "LIVE"
        # nothing leaves before the trader typed the venue's name
        early = kernel.submit(live.passive_buy("0.01"))
        assert isinstance(early, Denied) and early.denial.reason == "LIVE_NOT_CONFIRMED"
        assert not server.exchange.accounts[key].orders
        assert not kernel.confirm_live("Binance") and not kernel.confirm_live("yes")
        assert kernel.confirm_live("binance") and kernel.live_confirmed
        # submit -> ack -> partial fill -> cancel, through the OMS
        cmd = live.passive_buy("0.01")
        inst = live.instrument()
        sent = kernel.submit(cmd)
        assert isinstance(sent, OrderSent), sent
        order = sent.order
        assert order.status is OrderStatus.SUBMITTED
        await wait_until(
            lambda: live.order(cmd.client_order_id).status is OrderStatus.ACCEPTED, 3, "the ack"
        )
        counterparty(server, "SELL", "0.004", inst.format_price(cmd.price))
        await wait_until(
            lambda: live.order(cmd.client_order_id).filled_qty == inst.qty_to_lots("0.004"),
            3,
            "the partial fill",
        )
        assert live.order(cmd.client_order_id).status is OrderStatus.PARTIALLY_FILLED
        await wait_until(
            lambda: kernel.desk.portfolio.qty(inst.id) == inst.qty_to_lots("0.004"),
            3,
            "the position (told once the fill is on disk)",
        )
        assert kernel.cancel(cmd.client_order_id) == RequestSent(cmd.client_order_id)
        await wait_until(
            lambda: live.order(cmd.client_order_id).status is OrderStatus.CANCELED, 3, "the cancel"
        )
        assert exchange_orders(server, key, cmd.client_order_id)[0].status == "CANCELED"
        await live.stop()
        assert kernel.recorder is not None and kernel.recorder.path.exists()
    written = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert any(n.endswith(".ttj") for n in written) and "tradeterm.db" in written
    assert "test.log" in written and (tmp_path / "logs" / "test.log").stat().st_size > 0
    assert files_containing(tmp_path, [key, secret]) == []
    assert files_containing(tmp_path, [cmd.client_order_id])  # the search does find things


async def test_5xx_and_timeout_on_submit_resolve_by_query_without_a_duplicate(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        live = LiveSession(server, tmp_path, key, secret, oms={"ack_timeout_ms": 300})
        kernel = await live.start()
        server.exchange.market.pause()
        server.injector.fail_rest(1, 503, processed=True, path="/api/v3/order", method="POST")
        first = live.passive_buy("0.01")
        kernel.submit(first)
        await wait_until(
            lambda: live.order(first.client_order_id).status is OrderStatus.ACCEPTED,
            5,
            "the 5xx order resolved",
        )
        server.injector.hold_rest(1.5, 1, path="/api/v3/order", method="POST")
        second = live.passive_buy("0.01")
        kernel.submit(second)
        await wait_until(
            lambda: live.order(second.client_order_id).status is OrderStatus.ACCEPTED,
            6,
            "the timed-out order resolved",
        )
        await asyncio.sleep(0.3)
        for cmd in (first, second):
            assert len(exchange_orders(server, key, cmd.client_order_id)) == 1  # placed once
        assert live.venue.execution.resolved_by_query >= 1
        await live.stop()


async def test_a_duplicated_fill_is_applied_once_through_the_oms(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        live = LiveSession(server, tmp_path, key, secret)
        kernel = await live.start()
        server.exchange.market.pause()
        cmd = live.passive_buy("0.01")
        inst = live.instrument()
        kernel.submit(cmd)
        await wait_until(
            lambda: live.order(cmd.client_order_id).status is OrderStatus.ACCEPTED, 3, "the ack"
        )
        server.injector.duplicate_next_fill()
        counterparty(server, "SELL", "0.003", inst.format_price(cmd.price))
        await wait_until(lambda: live.venue.execution.duplicates_dropped == 1, 3, "the dup")
        await asyncio.sleep(0.2)
        assert live.order(cmd.client_order_id).filled_qty == inst.qty_to_lots("0.003")
        assert kernel.desk.portfolio.qty(inst.id) == inst.qty_to_lots("0.003")
        assert kernel.store.fill_sums()[inst.id] == inst.qty_to_lots("0.003")
        await live.stop()


async def test_restart_reconciles_fills_and_orders_from_while_we_were_away(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        first = LiveSession(server, tmp_path, key, secret, session={"cancel_on_exit": False})
        kernel = await first.start()
        server.exchange.market.pause()
        cmd = first.passive_buy("0.01")
        inst = first.instrument()
        kernel.submit(cmd)
        await wait_until(
            lambda: first.order(cmd.client_order_id).status is OrderStatus.ACCEPTED, 3, "the ack"
        )
        await first.stop()
        # while no session runs: our order partly fills, and an order is placed elsewhere
        counterparty(server, "SELL", "0.004", inst.format_price(cmd.price))
        market = server.exchange.market.symbols["BTCUSDT"]
        server.exchange.new_order(
            server.exchange.accounts[key],
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.002",
                "price": market.price_str(market.book.best_bid - 50),
                "newClientOrderId": "from-the-website",
            },
        )
        second = LiveSession(server, tmp_path, key, secret)
        kernel = await second.start()
        result = kernel.desk.reconciliations[0]  # at start, before any order could go out
        assert all(r.clean for r in kernel.desk.reconciliations)
        assert result.clean and result.missed_fills == 1 and result.adopted == 1
        order = second.order(cmd.client_order_id)
        assert order.status is OrderStatus.PARTIALLY_FILLED
        assert order.filled_qty == inst.qty_to_lots("0.004")
        await wait_until(
            lambda: kernel.desk.portfolio.qty(inst.id) == inst.qty_to_lots("0.004"),
            3,
            "the position (told once the fill is on disk)",
        )
        assert second.order("from-the-website") is not None
        await second.stop()
