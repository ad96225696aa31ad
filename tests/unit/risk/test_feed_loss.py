"""Feed loss vs. a feed that is recovering (issue 12.3), and which episodes reconcile again
(the spurious "reconnected: reconciling" at every live start, issue 12)."""

import asyncio
import logging

from tests.trading_harness import Harness
from tradeterm.domain.events import ConnectionState, TradingState, VenueStatus

CS = ConnectionState


async def started(**kw) -> Harness:
    h = Harness(**kw)
    await h.start()
    return h


def status(h: Harness, state: ConnectionState, detail: str = "") -> None:
    now = h.clock.timestamp_ns()
    h.bus.publish("venue.fake", VenueStatus(now, now, "fake", state, detail))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_resync_longer_than_the_loss_grace_is_not_feed_loss():
    h = await started(risk={"feed_loss_grace_s": 2, "resync_grace_s": 30})
    status(h, CS.RESYNCING, "BTC/USD: gap at update 17")
    h.advance(6)  # three times the loss grace: the connection is up, the book is being rebuilt
    assert h.desk.killswitch.state is TradingState.ACTIVE
    status(h, CS.CONNECTED)
    h.advance(60)
    assert h.desk.killswitch.state is TradingState.ACTIVE


async def test_a_resync_that_never_finishes_trips_after_the_resync_grace():
    h = await started(risk={"feed_loss_grace_s": 2, "resync_grace_s": 10})
    status(h, CS.RESYNCING, "BTC/USD: gap at update 17")
    h.advance(9.5)
    assert h.desk.killswitch.state is TradingState.ACTIVE
    h.advance(1)
    assert h.desk.killswitch.state is TradingState.HALTED
    assert h.desk.killswitch.source == "feed_loss"
    assert "not recovered" in h.desk.killswitch.reason and "10s" in h.desk.killswitch.reason


async def test_a_reconnect_that_then_resyncs_past_the_loss_grace_does_not_trip():
    h = await started(risk={"feed_loss_grace_s": 2, "resync_grace_s": 30})
    status(h, CS.CONNECTED)
    status(h, CS.DISCONNECTED, "reconnecting in 0.5s")
    h.advance(0.5)
    status(h, CS.CONNECTING)
    status(h, CS.RESYNCING, "syncing books")  # connected again: recovering, not lost
    h.advance(4)
    assert h.desk.killswitch.state is TradingState.ACTIVE
    status(h, CS.CONNECTED)
    await settle()
    assert len(h.desk.reconciliations) == 2  # after an outage the orders are checked again


async def test_a_feed_that_flaps_for_longer_than_the_resync_grace_trips():
    h = await started(risk={"feed_loss_grace_s": 2, "resync_grace_s": 8})
    for _ in range(6):  # down 1.5 s, resyncing 0.5 s, down again...
        status(h, CS.DISCONNECTED)
        h.advance(1.5)
        status(h, CS.RESYNCING)
        h.advance(0.5)
    assert h.desk.killswitch.state is TradingState.HALTED
    assert h.desk.killswitch.source == "feed_loss"


async def test_a_lost_feed_still_trips_after_the_loss_grace():
    h = await started(risk={"feed_loss_grace_s": 2, "resync_grace_s": 30})
    status(h, CS.STALE, "no market data for 5s")
    h.advance(2.5)
    assert h.desk.killswitch.state is TradingState.HALTED
    assert "lost (STALE)" in h.desk.killswitch.reason


async def test_the_first_sync_at_start_is_no_reconnect(caplog):
    h = await started()
    caplog.set_level(logging.INFO, "tradeterm.desk")
    status(h, CS.CONNECTING, "wss://...")
    status(h, CS.RESYNCING, "syncing books")
    status(h, CS.CONNECTED)
    await settle()
    assert "reconnected" not in caplog.text
    assert len(h.desk.reconciliations) == 1  # the one at start


async def test_a_book_resync_alone_does_not_reconcile_the_orders():
    h = await started()
    status(h, CS.CONNECTED)
    status(h, CS.RESYNCING, "BTC/USD: gap at update 17")
    status(h, CS.CONNECTED)
    await settle()
    assert len(h.desk.reconciliations) == 1


async def test_a_venue_lost_while_the_session_stops_does_not_trip_on_a_closed_store():
    """At shutdown the desk stops and the store closes before the venue task ends; the venue then
    reports itself DISCONNECTED. That used to start the feed-loss timer again, which fired after
    the store had closed: "Cannot operate on a closed database" from the kill switch (a soak)."""
    h = await started(risk={"feed_loss_grace_s": 2})
    status(h, CS.CONNECTED)
    h.desk.stop()
    h.store.close()
    status(h, CS.DISCONNECTED, "the session is stopping")
    h.advance(5)  # past the grace: nothing to trip, nothing written
    assert h.desk.killswitch.state is TradingState.ACTIVE
