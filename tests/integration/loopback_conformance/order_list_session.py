"""The loopback exchange for the order list conformance tests: a quiet market (one agent order a
side, the agents paused through the exchange's own control) so the tests print the trades they
need with a second account, and third-party clients (python-binance, ccxt's binance) pointed at
it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import aiohttp

from tests.loopback_session import COUNTERPARTY_KEY, TRADER_KEY, TRADER_SECRET, loopback_settings
from tradeterm.venues.loopback import LoopbackServer

SYMBOL = "BTCUSDT"
COUNTERPARTY_SECRET = "counterparty-secret"


@asynccontextmanager
async def quiet_exchange() -> AsyncIterator[tuple[Any, Any, Any]]:
    """(server, trader, counterparty): the loopback with its agents paused through its own
    control, and a python-binance client for each of two accounts."""
    async with LoopbackServer(loopback_settings(seed_orders=1).exchange) as server:
        async with aiohttp.ClientSession() as http:
            async with http.post(server.rest_url + "/loopback/market/pause") as resp:
                assert resp.status == 200
        trader = python_binance(server)
        counterparty = python_binance(server, COUNTERPARTY_KEY, COUNTERPARTY_SECRET)
        try:
            yield server, trader, counterparty
        finally:
            await trader.close_connection()
            await counterparty.close_connection()


def python_binance(server: Any, key: str = TRADER_KEY, secret: str = TRADER_SECRET) -> Any:
    from binance import AsyncClient

    client = AsyncClient(key, secret)
    client.API_URL = server.rest_url + "/api"
    return client


class Tape:
    """Prints trades on the quiet market with the counterparty's orders."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def book(self) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        depth = await self.client.get_order_book(symbol=SYMBOL, limit=5000)
        bids = [(Decimal(p), Decimal(q)) for p, q in depth["bids"]]
        asks = [(Decimal(p), Decimal(q)) for p, q in depth["asks"]]
        return bids, asks

    async def last(self) -> Decimal:
        trades = await self.client.get_recent_trades(symbol=SYMBOL, limit=1)
        return Decimal(trades[-1]["price"]) if trades else Decimal(61800)

    async def print_at(self, price: Decimal, side: str, extra: Decimal = Decimal(0)) -> None:
        """A trade prints at ``price``: the counterparty rests an order there (and ``extra``
        more for whoever comes next) and takes everything up to it from the other side."""
        bids, asks = await self.book()
        rest_side = "BUY" if side == "SELL" else "SELL"
        own = Decimal("0.001")
        await self.client.create_order(
            symbol=SYMBOL,
            side=rest_side,
            type="LIMIT",
            timeInForce="GTC",
            quantity=str(own + extra),
            price=str(price),
        )
        before = [
            q
            for p, q in (bids if side == "SELL" else asks)
            if (p >= price if side == "SELL" else p <= price)
        ]
        await self.client.create_order(
            symbol=SYMBOL,
            side=side,
            type="LIMIT",
            timeInForce="IOC",
            quantity=str(sum(before, Decimal(0)) + own),
            price=str(price),
        )
