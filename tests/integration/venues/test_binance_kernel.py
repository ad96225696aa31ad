"""The native Binance venue inside the real kernel: what the trader sees in the header."""

import asyncio

from tests.loopback_session import FAST_FEED, loopback_settings, wait_until
from tradeterm.config import load_settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.domain.events import ConnectionState as CS
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.runtime.venue_registry import VenueClients
from tradeterm.venues.binance import BinanceVenue
from tradeterm.venues.loopback import LoopbackServer


async def test_header_shows_stale_and_resyncing_and_the_books_stay_exact():
    async with LoopbackServer(loopback_settings().exchange) as server:
        settings = load_settings(
            binance={
                "rest_url": server.rest_url,
                "ws_url": server.ws_url,
                **FAST_FEED,
                "stale_after_s": 0.3,
            }
        )
        rules = await BinanceVenue.discover(settings.binance, settings.binance.symbols)
        clock = LiveClock()
        bus = MessageBus()
        venue = BinanceVenue(bus, clock, rules, settings.binance)
        kernel = Kernel(
            settings, RunOptions(mode="live"), clients=VenueClients.of(venue), clock=clock, bus=bus
        )
        status = kernel.views.status
        seen: list[CS] = []
        kernel.bus.subscribe("venue.binance", lambda m: seen.append(m.state))
        task = asyncio.create_task(kernel.run())
        await wait_until(lambda: status.connection is CS.CONNECTED, 5, "CONNECTED")
        assert status.mode == "LIVE" and status.venue == "binance"
        server.injector.go_stale(0.8)
        await wait_until(lambda: status.connection is CS.STALE, 2, "STALE in the header")
        # data flows again; what was lost shows as a gap, which forces a resync
        await wait_until(lambda: CS.RESYNCING in seen[seen.index(CS.STALE) :], 3, "RESYNCING")
        await wait_until(lambda: status.connection is CS.CONNECTED, 3, "recovery")
        server.exchange.market.pause()
        await asyncio.sleep(0.05)
        server.exchange.market.flush()
        for rule in rules:
            book = kernel.views.books[rule.instrument.id]
            exchange_book = server.exchange.market.symbols[rule.symbol]
            await wait_until(lambda b=book, e=exchange_book: b.last_update_id == e.update_id, 3)
            assert not book.is_crossed and book.synced
        kernel.request_stop()
        await asyncio.wait_for(task, 5)
        btc = kernel.summary()["instruments"]["BTC/USDT"]
        assert float(btc["best_bid"]) < float(btc["best_ask"]) and len(btc["bids"]) == 20
