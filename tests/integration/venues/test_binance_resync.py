"""A book resync is quick even when its snapshot request meets a fault (issue 12.3): measured
against the loopback with the default timeouts and reconnect backoff."""

import asyncio
import time

from tests.loopback_session import Session, loopback_settings, wait_until
from tradeterm.domain.events import ConnectionState as CS
from tradeterm.venues.loopback import LoopbackServer

DEFAULTS = {"request_timeout_s": 10.0, "reconnect_min_s": 0.5, "reconnect_max_s": 30.0}


async def resync_seconds(server: LoopbackServer, session: Session) -> float:
    """Break BTC/USDT's chain of updates; the seconds until the feed is CONNECTED again."""
    await session.wait_flowing()
    n = len(session.statuses)
    started = time.monotonic()
    server.injector.gap("BTCUSDT")
    await wait_until(lambda: CS.RESYNCING in session.states()[n:], 3, "the resync")
    await wait_until(lambda: session.state is CS.CONNECTED, 15, "CONNECTED again")
    return time.monotonic() - started


async def test_a_resync_whose_snapshot_answer_is_held_back_does_not_wait_for_it():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server, symbols=["BTC/USDT"], **DEFAULTS).start()
        # the loopback's "timeout": held past the 3 s the test allows, but not to the REST
        # timeout (10 s), which the server's stop would wait out for nothing
        server.injector.hold_rest(4.5, 1, path="/api/v3/depth")
        took = await resync_seconds(server, session)
        assert took < 3.0, f"resync took {took:.1f}s"  # before: the held answer, 4.5 s
        assert session.venue.feed.stats.snapshot_failures == 1
        await session.stop()


async def test_a_resync_that_meets_503s_retries_the_snapshot_at_once():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server, symbols=["BTC/USDT"], **DEFAULTS).start()
        server.injector.fail_rest(4, 503, path="/api/v3/depth")
        took = await resync_seconds(server, session)
        assert took < 2.0, f"resync took {took:.1f}s"  # before: 4 reconnect backoffs, 4-7.5 s
        assert session.venue.feed.stats.snapshot_failures == 4
        assert CS.DISCONNECTED not in session.states()  # the connection stayed up
        await session.stop()


async def test_reconnects_back_off_with_the_configured_bounds():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = Session(server, reconnect_min_s=1.0, reconnect_max_s=8.0)
        await session.start(wait_synced=False)
        backoff = session.venue.feed.reconnects
        assert (backoff.first_s, backoff.max_s) == (1.0, 8.0)
        delays = [backoff.delay() for _ in range(8)]
        assert 0.5 <= delays[0] <= 1.0 and all(4.0 <= d <= 8.0 for d in delays[4:])
        await session.stop()
        await asyncio.sleep(0)
