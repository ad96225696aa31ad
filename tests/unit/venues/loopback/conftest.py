"""The loopback exchange and a venue REST client signed as the trader, for the loopback tests."""

import aiohttp
import pytest

from tests.loopback_session import TRADER_KEY, TRADER_SECRET, loopback_settings
from tradeterm.venues.binance_rest import BinanceRest, Credentials
from tradeterm.venues.loopback import LoopbackServer


@pytest.fixture
async def server():
    async with LoopbackServer(loopback_settings(events_per_second=500).exchange) as srv:
        yield srv


@pytest.fixture
async def rest(server):
    async with aiohttp.ClientSession() as session:
        yield BinanceRest(
            session,
            server.rest_url,
            Credentials(TRADER_KEY, TRADER_SECRET),
            recv_window_ms=5000,
            timeout_s=2,
        )
