"""The native Binance feed end to end against the loopback exchange: real websockets, real REST,
the real book keeper. Every fault is the exchange's doing; the client code is not mocked."""

import asyncio

from tests.loopback_session import Session, loopback_settings, wait_until
from tradeterm.domain.events import ConnectionState as CS
from tradeterm.venues.loopback import LoopbackServer


async def test_books_equal_the_exchange_after_thousands_of_updates():
    async with LoopbackServer(loopback_settings(events_per_second=4000).exchange) as server:
        session = await Session(server).start()
        market = server.exchange.market
        await wait_until(
            lambda: min(s.update_id for s in market.symbols.values()) > 2500,
            10,
            "thousands of updates",
        )
        await session.settle()
        for symbol in ("BTC/USDT", "ETH/USDT"):
            assert session.book_matches_exchange(symbol), symbol
        assert session.venue.feed.stats.snapshots == 2
        assert session.venue.feed.stats.resyncs == 0
        assert session.crossed_shown == 0
        assert [s for s in session.states()] == [
            CS.CONNECTING,
            CS.RESYNCING,
            CS.RESYNCING,
            CS.CONNECTED,
        ]
        stats = {b.instrument: b.gaps for b in session.views.books.values()}
        assert set(stats.values()) == {0}
        await session.stop()


async def test_a_gap_forces_a_new_snapshot_and_no_crossed_book_is_shown():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server).start()
        await session.wait_flowing()  # else the skipped update may be one the snapshot covers
        server.injector.gap("BTCUSDT")
        await wait_until(lambda: session.venue.feed.stats.resyncs >= 1, 3, "the resync")
        await session.wait_connected()
        assert CS.RESYNCING in session.states()[3:]
        book = session.views.books[session.instrument().id]
        assert book.gaps == 1  # the keeper saw the gap and stopped trusting the book
        await session.settle()
        assert session.book_matches_exchange("BTC/USDT")
        assert session.book_matches_exchange("ETH/USDT")
        assert session.venue.feed.stats.snapshots == 3
        assert session.crossed_shown == 0
        await session.stop()


async def test_a_dropped_connection_reconnects_and_resyncs():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server).start()
        assert server.injector.drop_connections() == 1
        await wait_until(lambda: session.venue.feed.stats.connects == 2, 3, "the reconnect")
        await session.wait_connected()
        states = session.states()
        assert CS.DISCONNECTED in states and states[-1] is CS.CONNECTED
        await session.settle()
        assert session.book_matches_exchange("BTC/USDT")
        assert session.venue.feed.stats.snapshots == 4  # each book synced afresh
        assert session.crossed_shown == 0
        await session.stop()


async def test_a_quiet_feed_shows_stale_then_recovers():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server, stale_after_s=0.3).start()
        server.injector.go_stale(0.8)
        await wait_until(lambda: session.state is CS.STALE, 2, "STALE")
        assert "no market data" in session.statuses[-1].detail
        # data flows again; what was lost shows as a gap, so the books resync
        await session.wait_connected(3)
        assert session.venue.feed.stats.stale >= 1
        await session.settle()
        assert session.book_matches_exchange("BTC/USDT")
        assert session.crossed_shown == 0
        await session.stop()


async def test_stale_for_too_long_reconnects():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server, stale_after_s=0.2, stale_reconnect_s=0.5).start()
        server.injector.go_stale(1.5)
        await wait_until(lambda: session.venue.feed.stats.connects >= 2, 3, "a new connection")
        await session.stop()


async def test_server_shutdown_reconnects_at_once():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server).start()
        server.injector.server_shutdown()
        await wait_until(lambda: session.venue.feed.stats.connects == 2, 2, "the new connection")
        assert session.venue.feed.stats.planned_reconnects == 1
        await session.wait_connected()
        await session.stop()


async def test_the_connection_is_replaced_before_its_age_limit():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server, max_connection_age_s=0.5).start()
        await wait_until(lambda: session.venue.feed.stats.connects >= 2, 3, "the rotation")
        assert session.venue.feed.stats.planned_reconnects >= 1
        assert CS.DISCONNECTED not in session.states()  # planned: no outage shown
        await session.stop()


async def test_server_pings_are_answered():
    # the server drops a connection that does not answer its pings within heartbeat / 2
    # (test_loopback_streams proves it does drop one that stays silent)
    async with LoopbackServer(loopback_settings(heartbeat_s=0.4).exchange) as server:
        session = await Session(server).start()
        await asyncio.sleep(1.5)
        assert session.venue.feed.stats.connects == 1
        assert session.state is CS.CONNECTED
        await session.stop()


async def test_delayed_and_duplicated_messages_keep_the_book_exact():
    settings = loopback_settings(faults="delay=30,dup=0.2")
    async with LoopbackServer(settings.exchange) as server:
        session = await Session(server).start()
        await asyncio.sleep(0.8)
        await session.settle()
        assert session.book_matches_exchange("BTC/USDT")
        assert session.book_matches_exchange("ETH/USDT")
        assert session.venue.feed.stats.duplicates > 0
        assert session.venue.feed.stats.resyncs == 0
        await session.stop()


async def test_a_duplicated_trade_message_is_one_trade():
    """The trade stream delivered twice (the loopback's dup fault) reached the bus twice: the
    tape listed the trade twice, the day's volume counted it twice, and a paper order on this
    data moved up its queue twice for one trade. Every trade reaches the bus once, in order."""
    settings = loopback_settings(faults="dup=0.5")
    async with LoopbackServer(settings.exchange) as server:
        session = await Session(server).start()
        trades: list = []
        session.bus.subscribe("trade.*", trades.append)
        await wait_until(lambda: len(trades) >= 200, 10, "200 trades")
        await session.stop()
    ids: dict[str, list[int]] = {}
    for trade in trades:
        ids.setdefault(trade.instrument, []).append(trade.trade_id)
    assert ids and all(got == sorted(set(got)) for got in ids.values()), ids
    assert session.venue.feed.trades.dropped > 0  # not vacuous


async def test_unreachable_exchange_shows_disconnected_and_keeps_trying():
    async with LoopbackServer(loopback_settings().exchange) as server:
        session = await Session(server).start()
        await server.stop()  # the exchange goes away entirely
        await wait_until(lambda: session.state is CS.DISCONNECTED, 3, "DISCONNECTED")
        await asyncio.sleep(0.5)
        assert session.venue.feed.stats.reconnects >= 2
        await session.stop()
