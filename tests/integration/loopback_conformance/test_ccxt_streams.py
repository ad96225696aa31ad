"""ccxt.pro's binance streams on the loopback: the same client a bot would use, its own
``watch_*`` methods, the answers in ccxt's unified shapes and agreeing with the REST answers."""

from __future__ import annotations

import asyncio

import pytest

from tests.ccxt_session import OPTIONS
from tests.loopback_session import TRADER_KEY, TRADER_SECRET
from tradeterm.venues.ccxt_setup import point_rest_at

# ccxt watches a ticker on Binance's @miniTicker stream, which carries no bid or ask
TICKER = {
    "symbol",
    "timestamp",
    "high",
    "low",
    "open",
    "close",
    "last",
    "baseVolume",
    "quoteVolume",
}


@pytest.fixture
async def pro(server):
    import ccxt.pro

    exchange = ccxt.pro.binance(
        {"apiKey": TRADER_KEY, "secret": TRADER_SECRET, "options": dict(OPTIONS)}
    )
    point_rest_at(exchange, server.rest_url)
    yield exchange
    await exchange.close()


async def test_ccxt_pro_watches_book_trades_ticker_and_candles(pro):
    await pro.load_markets()
    book = await asyncio.wait_for(pro.watch_order_book("BTC/USDT", limit=20), 5)
    assert book["bids"] and book["asks"]
    assert book["bids"][0][0] < book["asks"][0][0]
    trades = await asyncio.wait_for(pro.watch_trades("BTC/USDT"), 5)
    assert trades and {"id", "price", "amount", "side", "timestamp"} <= set(trades[0])
    assert all(t["symbol"] == "BTC/USDT" and t["amount"] > 0 for t in trades)
    ticker = await asyncio.wait_for(pro.watch_ticker("BTC/USDT"), 5)
    assert all(ticker[k] is not None for k in TICKER), ticker
    assert ticker["info"]["e"] == "24hrMiniTicker"
    assert ticker["low"] <= ticker["last"] <= ticker["high"]
    candles = await asyncio.wait_for(pro.watch_ohlcv("BTC/USDT", "1m"), 5)
    ts, o, h, lo, c, v = candles[-1]
    assert ts % 60_000 == 0 and lo <= min(o, c) <= max(o, c) <= h and v >= 0
    rest = await pro.fetch_ohlcv("BTC/USDT", "1m", limit=1)
    assert rest[-1][0] == ts  # the stream's open candle is the REST answer's last one
