"""Live sessions against the loopback exchange with its faults on, where the OMS meets the
races a real venue produces (issue 12.1): a 503 on the POST (never placed) while the order is
being cancelled and the connection drops, must not be called "acknowledged but no record"."""

from tests.live_session import LiveSession, canary_keys, exchange_settings
from tests.loopback_session import wait_until
from tradeterm.domain.events import TradingState
from tradeterm.domain.orders import OrderStatus
from tradeterm.venues.loopback import LoopbackServer
from tradeterm.trading.results import OrderSent, RequestSent


async def test_a_503_on_the_post_then_a_cancel_and_a_reconnect_do_not_halt(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        live = LiveSession(server, tmp_path, key, secret)
        kernel = await live.start()
        server.exchange.market.pause()
        server.injector.fail_rest(1, 503, processed=False, path="/api/v3/order", method="POST")
        cmd = live.passive_buy("0.01")
        sent = kernel.submit(cmd)
        assert isinstance(sent, OrderSent), sent
        order = sent.order
        await live.sent()
        assert order.status is OrderStatus.SUBMITTED
        # the kill switch, the quoter, the trader
        assert kernel.cancel(cmd.client_order_id) == RequestSent(cmd.client_order_id)
        assert order.status is OrderStatus.PENDING_CANCEL
        before = len(kernel.desk.reconciliations)
        server.injector.drop_connections()  # the reconnect reconciles while it is pending
        await wait_until(lambda: len(kernel.desk.reconciliations) > before, 5, "a reconcile")
        await wait_until(lambda: live.order(cmd.client_order_id).is_terminal, 5, "settled")
        assert kernel.desk.killswitch.state is TradingState.ACTIVE, kernel.desk.killswitch.reason
        assert all(r.clean for r in kernel.desk.reconciliations)
        assert live.order(cmd.client_order_id).status is OrderStatus.REJECTED
        assert not [
            o
            for o in server.exchange.accounts[key].orders
            if o.client_order_id == cmd.client_order_id
        ]
        await live.stop()


async def test_a_session_that_died_while_cancelling_a_503_order_restarts_clean(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        first = LiveSession(server, tmp_path, key, secret, session={"cancel_on_exit": False})
        kernel = await first.start()
        server.exchange.market.pause()
        server.injector.fail_rest(1, 503, processed=False, path="/api/v3/order", method="POST")
        cmd = first.passive_buy("0.01")
        kernel.submit(cmd)
        await first.sent()
        assert kernel.cancel(cmd.client_order_id) == RequestSent(cmd.client_order_id)
        await first.stop()  # gone before any answer: stored as PENDING_CANCEL
        second = LiveSession(server, tmp_path, key, secret)
        kernel = await second.start()
        assert kernel.desk.killswitch.state is TradingState.ACTIVE, kernel.desk.killswitch.reason
        assert all(r.clean for r in kernel.desk.reconciliations)
        # within its recvWindow it could still arrive: asked again, then closed as not placed
        await wait_until(lambda: second.order(cmd.client_order_id).is_terminal, 5, "settled")
        order = second.order(cmd.client_order_id)
        assert order.status is OrderStatus.REJECTED and order.reason == "NOT_RECEIVED"
        assert kernel.desk.killswitch.state is TradingState.ACTIVE
        await second.stop()
