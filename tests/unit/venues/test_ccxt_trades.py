"""Paging ccxt's trade lists and naming id-less trades (issue 11.6), against an exchange double
that pages the way Binance does (oldest first from ``since``, ``limit`` at most)."""

import asyncio
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.venues.ccxt_trades import PagingStuck, fetch_all, trade_ids


class PagedExchange:
    def __init__(self, trades, page=5):
        self.trades = sorted(trades, key=lambda t: t["timestamp"])
        self.page = page
        self.calls = []

    async def fetch_my_trades(self, symbol, since=None, limit=None, params=None):
        self.calls.append(since)
        n = min(limit or self.page, self.page)
        return [dict(t) for t in self.trades if since is None or t["timestamp"] >= since][:n]


def trade(ts, i=None, order="7", price=100.0, amount=0.5, side="buy"):
    return {
        "id": None if i is None else str(i),
        "order": order,
        "timestamp": ts,
        "price": price,
        "amount": amount,
        "side": side,
    }


def test_identical_trades_without_ids_are_numbered_and_never_none():
    same = [trade(1000), trade(1000), trade(1000, price=101.0), trade(1001)]
    ids = trade_ids(same)
    assert len(set(ids)) == 4 and not {"None", "0", ""} & set(ids)
    assert ids[0].endswith("#0") and ids[1].endswith("#1") and ids[2].endswith("#0")
    assert trade_ids(same) == ids  # stable
    assert trade_ids([trade(5, i=123)]) == ["123"]
    assert trade_ids([trade(5, amount=0.50)]) == trade_ids([trade(5, amount="0.5000")])


async def test_every_page_is_read_and_trades_sharing_a_millisecond_across_pages_are_kept():
    # 5 a page; 3 trades at 1004 straddle the first page boundary (ccxt's ts + 1 loses them)
    trades = [trade(1000 + i, i) for i in range(4)] + [trade(1004, 10 + i) for i in range(3)]
    trades += [trade(2000 + i, 20 + i) for i in range(9)]
    ex = PagedExchange(trades)
    got = await fetch_all(ex, "BTC/USDT", 1000, 5)
    assert [tid for tid, _ in got] == [t["id"] for t in trades]
    assert ex.calls[0] == 1000 and 1004 in ex.calls


async def test_id_less_trades_across_pages_count_once_each():
    trades = [trade(1000 + i // 3) for i in range(14)]  # triples of identical trades
    got = await fetch_all(PagedExchange(trades, page=4), "BTC/USDT", 0, 4)
    assert len(got) == 14 and len({tid for tid, _ in got}) == 14


async def test_a_full_page_in_one_millisecond_raises_rather_than_miss_fills():
    trades = [trade(1000, i) for i in range(3)] + [trade(1001, 10 + i) for i in range(6)]
    with pytest.raises(PagingStuck, match="1001"):
        await fetch_all(PagedExchange(trades, page=5), "BTC/USDT", 1000, 5)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=0, max_size=60),
    st.integers(2, 8),
    st.integers(0, 2**32),
)
def test_any_listing_is_read_whole(stamps, page, seed):
    """Whatever the timestamps (unless a page is one millisecond), every trade once."""
    rng = random.Random(seed)
    trades = [
        trade(1000 + ts, i if with_id else None, amount=rng.choice([0.5, 1.0]))
        for i, (ts, with_id) in enumerate(stamps)
    ]
    ex = PagedExchange(trades, page)
    per_ms = {}
    for t in trades:
        per_ms[t["timestamp"]] = per_ms.get(t["timestamp"], 0) + 1
    try:
        got = asyncio.run(fetch_all(ex, "X", 0, page))
    except PagingStuck:
        assert max(per_ms.values()) >= page
        return
    assert len(got) == len(trades)
    assert sorted(tid for tid, _ in got) == sorted(trade_ids(ex.trades))
