"""Test harness: the ccxt venue through ccxt's real binance client (ccxt.pro when websockets are
on), pointed at the loopback exchange, inside the live kernel."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.loopback_session import wait_until
from tradeterm.config import load_settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.runtime.venue_registry import VenueClients
from tradeterm.runtime.credentials import VenueKeys

OPTIONS = {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False, "fetchMargins": False}
REST_ONLY = {"websockets": False, "poll_s": 0.05, "private_poll_s": 0.1}


async def ccxt_kernel(
    server: Any,
    tmp_path: Any,
    key: str,
    secret: str,
    confirm: bool = True,
    sections: dict[str, Any] | None = None,
    quoter: str | None = None,
    ready_s: float = 5.0,
    **ccxt: Any,
) -> tuple[Kernel, Any, asyncio.Task[None]]:
    """A live kernel trading ``BTC/USDT`` on the loopback through ``ccxt:binance``; returns once
    reconciled, with a book, and (``confirm``) confirmed for trading. ``sections``: more config
    sections; ``quoter``: as ``--quoter``."""
    from tradeterm.venues.ccxt_setup import create_exchange
    from tradeterm.venues.ccxt_venue import CcxtVenue

    settings = load_settings(
        data_dir=str(tmp_path),
        ccxt={"symbols": ["BTC/USDT"], "options": OPTIONS, "not_placed_after_s": 2.0, **ccxt},
        **(sections or {}),
    )
    keys = VenueKeys("ccxt:binance", key, secret)

    def make() -> Any:
        return create_exchange("binance", settings.ccxt, keys, api_url=server.rest_url)

    instruments = await CcxtVenue.discover(make, ["BTC/USDT"])
    bus, clock = MessageBus(), LiveClock()
    venue = CcxtVenue(bus, clock, make, instruments, settings.ccxt)
    kernel = Kernel(
        settings,
        RunOptions(mode="live", quoter=quoter),
        clients=VenueClients.of(venue),
        clock=clock,
        bus=bus,
    )
    task = asyncio.create_task(kernel.run())
    await wait_until(
        lambda: kernel.desk.risk.ready and kernel.views.status.connection.value == "CONNECTED",
        ready_s,
        "reconciled and a book",
    )
    if confirm:
        assert kernel.confirm_live("ccxt-binance")
    return kernel, venue, task


def order_of(kernel: Kernel, cid: str) -> Any:
    return kernel.desk.oms.working.get(cid) or kernel.desk.oms.known_id(cid)
