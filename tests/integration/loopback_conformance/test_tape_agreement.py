"""Klines, the 24 hour ticker, the average price and the aggregate trades are built from the
loopback's own trade tape: bucket by bucket they agree with ``/api/v3/trades``."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from tests.integration.loopback_conformance.conftest import control
from tests.loopback_session import wait_until

MAX_TRADES = 1000  # /api/v3/trades keeps the last thousand: the whole tape must fit


async def _quiet_tape(server, http) -> None:
    """Some trading, then the agents paused: the tape stops growing."""
    tape = server.exchange.market.symbols["BTCUSDT"].tape
    await wait_until(
        lambda: tape.last is not None and tape.last[2] - tape.seconds.opens[0] > 1500,
        5,
        "trades over more than a second",
    )
    await control(http, "/loopback/market/pause")


def _expected(trades: list[dict], size_ms: int) -> dict[int, dict]:
    buckets: dict[int, list[dict]] = defaultdict(list)
    for t in trades:
        buckets[t["time"] - t["time"] % size_ms].append(t)
    out = {}
    for open_ms, group in buckets.items():
        prices = [Decimal(t["price"]) for t in group]
        out[open_ms] = {
            "open": prices[0],
            "high": max(prices),
            "low": min(prices),
            "close": prices[-1],
            "volume": sum(Decimal(t["qty"]) for t in group),
            "quote": sum(Decimal(t["quoteQty"]) for t in group),
            "count": len(group),
            "taker_buy": sum(Decimal(t["qty"]) for t in group if not t["isBuyerMaker"]),
        }
    return out


def _row(row: list) -> dict:
    return {
        "open": Decimal(row[1]),
        "high": Decimal(row[2]),
        "low": Decimal(row[3]),
        "close": Decimal(row[4]),
        "volume": Decimal(row[5]),
        "quote": Decimal(row[7]),
        "count": row[8],
        "taker_buy": Decimal(row[9]),
    }


async def test_klines_agree_with_the_trade_tape(server, client, http):
    await _quiet_tape(server, http)
    trades = await client.get_recent_trades(symbol="BTCUSDT", limit=MAX_TRADES)
    assert 0 < len(trades) < MAX_TRADES  # the whole tape
    for interval, size_ms in (("1s", 1000), ("1m", 60_000)):
        expected = _expected(trades, size_ms)
        rows = await client.get_klines(
            symbol="BTCUSDT", interval=interval, startTime=trades[0]["time"] - size_ms
        )
        traded = {row[0]: _row(row) for row in rows if row[8]}
        assert traded == expected, interval
        flat = [row for row in rows if not row[8]]  # seconds without trades: flat, no volume
        assert all(r[1] == r[2] == r[3] == r[4] and Decimal(r[5]) == 0 for r in flat)


async def test_ticker_average_and_aggregates_agree_with_the_tape(server, client, http):
    await _quiet_tape(server, http)
    trades = await client.get_recent_trades(symbol="BTCUSDT", limit=MAX_TRADES)
    assert 0 < len(trades) < MAX_TRADES
    day = await client.get_ticker(symbol="BTCUSDT")
    prices = [Decimal(t["price"]) for t in trades]
    first, last = trades[0]["id"], trades[-1]["id"]
    assert (day["firstId"], day["lastId"], day["count"]) == (first, last, len(trades))
    assert Decimal(day["openPrice"]) == prices[0] and Decimal(day["lastPrice"]) == prices[-1]
    assert Decimal(day["highPrice"]) == max(prices) and Decimal(day["lowPrice"]) == min(prices)
    assert Decimal(day["volume"]) == sum(Decimal(t["qty"]) for t in trades)
    quote = sum(Decimal(t["quoteQty"]) for t in trades)
    assert Decimal(day["quoteVolume"]) == quote
    assert Decimal(day["lastQty"]) == Decimal(trades[-1]["qty"])
    average = quote / Decimal(day["volume"])
    assert abs(
        Decimal((await client.get_avg_price(symbol="BTCUSDT"))["price"]) - average
    ) < Decimal("1E-8")
    aggs = await client.get_aggregate_trades(symbol="BTCUSDT", limit=1000)
    assert aggs[0]["f"] == first and aggs[-1]["l"] == last
    by_id = {t["id"]: t for t in trades}
    for agg in aggs:
        members = [by_id[i] for i in range(agg["f"], agg["l"] + 1)]
        assert {m["price"] for m in members} == {agg["p"]}
        assert sum(Decimal(m["qty"]) for m in members) == Decimal(agg["q"])
        assert {m["isBuyerMaker"] for m in members} == {agg["m"]}
