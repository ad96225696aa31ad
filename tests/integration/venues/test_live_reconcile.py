"""Live reconciliations against the loopback meet 503s and ride them out (issue 12.2); the
first sync of a live start is no reconnect (issue 12, "Also")."""

import asyncio

from tests.live_session import LiveSession, canary_keys, exchange_settings
from tests.loopback_session import wait_until
from tradeterm.domain.events import TradingState
from tradeterm.venues.loopback import LoopbackServer


async def test_503s_during_reconciliations_are_retried_and_trading_stays_active(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        server.injector.fail_rest(2, 503, path="/api/v3/openOrders")  # at start
        session = LiveSession(server, tmp_path, key, secret)
        kernel = await session.start()
        desk = kernel.desk
        assert desk.killswitch.state is TradingState.ACTIVE, desk.killswitch.reason
        assert desk.reconciliations[0].clean and desk.reconciliations[0].attempts == 3
        # an outage: the market data connection drops; the reconciliation after it meets 503s
        server.injector.fail_rest(3, 503, path="/api/v3/openOrders")
        server.injector.drop_connections()
        await wait_until(lambda: len(desk.reconciliations) >= 2, 10, "the reconciliation")
        assert desk.reconciliations[1].clean and desk.reconciliations[1].attempts == 4
        assert desk.killswitch.state is TradingState.ACTIVE, desk.killswitch.reason
        log = (tmp_path / "logs" / "test.log").read_text()
        assert log.count("reconnected: reconciling") == 1  # the drop; not the start
        await session.stop()


async def test_a_venue_that_stays_unreachable_halts_after_the_retry_time(tmp_path):
    key, secret = canary_keys()
    async with LoopbackServer(exchange_settings(key, secret).exchange) as server:
        session = LiveSession(server, tmp_path, key, secret, oms={"reconcile_retry_s": 1.0})
        kernel = await session.start()
        server.injector.fail_rest(10_000, 503, path="/api/v3/openOrders")
        server.injector.drop_connections()
        desk = kernel.desk
        await wait_until(lambda: desk.killswitch.halted, 10, "the halt")
        assert desk.killswitch.source == "reconciliation"
        assert "unreachable for 1s" in desk.killswitch.reason
        assert "HTTP 503" in desk.killswitch.reason
        server.injector.rest_queue.clear()
        await asyncio.sleep(0)
        await session.stop()
