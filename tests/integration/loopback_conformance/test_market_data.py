"""Public market data through python-binance's AsyncClient and ccxt's binance: the answers have
Binance's documented fields, and agree with each other and with the book."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

from tests.integration.loopback_conformance import shapes
from tests.loopback_session import wait_until


async def _trading(server) -> None:
    tape = server.exchange.market.symbols["BTCUSDT"].tape
    await wait_until(lambda: tape.last is not None, 5, "a first trade")


async def test_general_endpoints(client):
    assert await client.ping() == {}
    server_time = (await client.get_server_time())["serverTime"]
    assert abs(server_time - time.time() * 1000) < 1000
    info = await client.get_exchange_info()
    assert {s["symbol"] for s in info["symbols"]} == {"BTCUSDT", "ETHUSDT"}
    btc = next(s for s in info["symbols"] if s["symbol"] == "BTCUSDT")
    assert btc["cancelReplaceAllowed"] is True


async def test_klines_every_interval(server, client):
    await _trading(server)
    for interval in ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h"):
        rows = await client.get_klines(symbol="BTCUSDT", interval=interval)
        assert rows, interval
        for row in rows:
            assert len(row) == shapes.KLINE_LENGTH and row[11] == "0"
            o, h, low, c = (Decimal(x) for x in row[1:5])
            assert low <= min(o, c) <= max(o, c) <= h
            assert row[6] > row[0] and isinstance(row[8], int)
    for interval, opens_at in (("1d", 0), ("3d", 0), ("1w", 4 * 86_400_000), ("1M", None)):
        (row,) = await client.get_klines(symbol="BTCUSDT", interval=interval)
        if opens_at is not None:  # days from the epoch; weeks from Monday 1970-01-05
            size = {"1d": 86_400_000, "3d": 3 * 86_400_000, "1w": 7 * 86_400_000}[interval]
            assert (row[0] - opens_at) % size == 0 and row[6] == row[0] + size - 1
        else:
            assert time.gmtime(row[0] / 1000).tm_mday == 1  # calendar months
    assert await client.get_ui_klines(symbol="BTCUSDT", interval="1m")


async def test_klines_windows_and_time_zone(server, client):
    await _trading(server)
    await asyncio.sleep(1.1)
    rows = await client.get_klines(symbol="BTCUSDT", interval="1s", limit=2)
    assert len(rows) == 2 and rows[1][0] - rows[0][0] == 1000
    start = rows[0][0]
    from_start = await client.get_klines(
        symbol="BTCUSDT", interval="1s", startTime=start + 1, limit=1
    )
    assert from_start[0][0] == start + 1000  # the first candle opening at or after startTime
    up_to = await client.get_klines(symbol="BTCUSDT", interval="1s", endTime=start, limit=1)
    assert up_to[0][0] == start
    utc = await client.get_klines(symbol="BTCUSDT", interval="1h", limit=1)
    assert utc[0][0] % 3_600_000 == 0
    nepal = await client.get_klines(symbol="BTCUSDT", interval="1h", limit=1, timeZone="5:45")
    assert nepal[0][0] % 3_600_000 == 15 * 60_000  # 1h candles open at :00 in UTC+5:45


async def test_tickers_and_average_price(server, client):
    await _trading(server)
    one = await client.get_ticker(symbol="BTCUSDT")
    assert shapes.has_fields(one, shapes.TICKER_24HR_FULL)
    assert one["count"] > 0 and one["lastId"] - one["firstId"] + 1 == one["count"]
    both = await client.get_ticker()
    assert [t["symbol"] for t in both] == ["BTCUSDT", "ETHUSDT"]
    mini = await client.get_ticker(symbols='["ETHUSDT"]', type="MINI")
    assert len(mini) == 1 and shapes.has_fields(mini[0], shapes.TICKER_24HR_MINI)
    price = await client.get_symbol_ticker(symbol="BTCUSDT")
    assert shapes.has_fields(price, shapes.PRICE_TICKER)
    assert len(await client.get_symbol_ticker()) == 2
    top = await client.get_orderbook_ticker(symbol="BTCUSDT")
    assert shapes.has_fields(top, shapes.BOOK_TICKER)
    assert Decimal(top["bidPrice"]) < Decimal(top["askPrice"])
    avg = await client.get_avg_price(symbol="BTCUSDT")
    assert shapes.has_fields(avg, shapes.AVG_PRICE) and avg["mins"] == 5
    assert Decimal(one["lowPrice"]) <= Decimal(avg["price"]) <= Decimal(one["highPrice"])


async def test_book_trades_and_aggregate_trades(server, client):
    await _trading(server)
    book = await client.get_order_book(symbol="BTCUSDT", limit=5)
    assert shapes.has_fields(book, shapes.DEPTH) and len(book["bids"]) == 5
    trades = await client.get_recent_trades(symbol="BTCUSDT", limit=10)
    assert trades and all(shapes.has_fields(t, shapes.TRADE) for t in trades)
    aggs = await client.get_aggregate_trades(symbol="BTCUSDT")
    assert aggs and all(shapes.has_fields(a, shapes.AGG_TRADE) for a in aggs)
    assert all(a["l"] >= a["f"] for a in aggs)
    assert [a["a"] for a in aggs] == list(range(aggs[0]["a"], aggs[0]["a"] + len(aggs)))
    later = await client.get_aggregate_trades(symbol="BTCUSDT", fromId=aggs[-1]["a"], limit=1)
    assert later == [aggs[-1]]


async def test_ccxt_reads_the_market(server, ccxt_binance):
    await _trading(server)
    ohlcv = await ccxt_binance.fetch_ohlcv("BTC/USDT", "1m", limit=5)
    assert ohlcv and all(len(c) == 6 for c in ohlcv)
    ticker = await ccxt_binance.fetch_ticker("BTC/USDT")
    assert ticker["symbol"] == "BTC/USDT" and ticker["last"] > 0
    assert ticker["bid"] < ticker["ask"] and ticker["baseVolume"] > 0
    tickers = await ccxt_binance.fetch_tickers(["BTC/USDT", "ETH/USDT"])
    assert set(tickers) == {"BTC/USDT", "ETH/USDT"}
    book = await ccxt_binance.fetch_order_book("BTC/USDT", 5)
    assert len(book["bids"]) == 5 and book["bids"][0][0] < book["asks"][0][0]
    trades = await ccxt_binance.fetch_trades("BTC/USDT", limit=5)
    assert trades and all(t["symbol"] == "BTC/USDT" and t["amount"] > 0 for t in trades)
