"""Paper fills do not depend on the arrival order of same-timestamp market events.

A random book, random paper orders (limits, icebergs, stops, reduce-only, market orders that
build a position) and some history, then one
*moment*: book updates and trades that share a timestamp. Every interleaving of the moment's
updates with its trades (each stream keeps its venue sequence: a reordered update is a gap,
which the book answers with a resync) must give the same fills per order and price, the same
position, and the same queue state afterwards, which a tail of later trades at every level then
reads out. Without reduce-only orders, the trades reversed must give the same too.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.unit.matching.paper_feed import BUY, SELL, Feed
from tradeterm.matching.orders import GTC, IOC, MARKET, STOP_LIMIT, STOP_MARKET
from tradeterm.matching.paper_fills import FillModel

BID_PRICES = range(96, 101)
ASK_PRICES = range(101, 106)
PRICES = st.integers(95, 106)
SIZES = st.integers(0, 12)

level = st.tuples(st.sampled_from([BUY, SELL]), PRICES, SIZES)
update = st.one_of(
    st.lists(level, min_size=1, max_size=3),
    st.lists(level, min_size=0, max_size=6).map(lambda ls: ["snapshot", *ls]),
)
trade = st.tuples(PRICES, st.integers(1, 12), st.sampled_from([BUY, SELL]))
limit_order = st.tuples(
    st.just("limit"),
    st.sampled_from([BUY, SELL]),
    st.integers(97, 104),
    st.integers(1, 10),
    st.integers(0, 3),
)
reduce_only = st.tuples(
    st.just("reduce"),
    st.sampled_from([BUY, SELL]),
    st.integers(97, 104),
    st.integers(1, 10),
    st.just(0),
)
market_order = st.tuples(
    st.just("market"), st.sampled_from([BUY, SELL]), st.just(0), st.integers(1, 10), st.just(0)
)
stop_order = st.tuples(
    st.just("stop"),
    st.sampled_from([BUY, SELL]),
    st.integers(97, 104),
    st.integers(1, 6),
    st.one_of(st.none(), st.integers(97, 104)),
)
orders = st.lists(
    st.one_of(limit_order, limit_order, stop_order, reduce_only, market_order),
    min_size=1,
    max_size=6,
)
history = st.lists(
    st.one_of(update.map(lambda u: ("update", u)), trade.map(lambda t: ("trade", t))), max_size=4
)
models = st.sampled_from(
    [
        FillModel(),
        FillModel(),
        FillModel(cancels_ahead=0.5),
        FillModel(cancels_ahead=1.0),
        FillModel(model="trade-through"),
        FillModel(model="touch"),
    ]
)


def _book_sizes(draw_sizes):
    bids = [(p, s) for p, s in zip(BID_PRICES, draw_sizes[:5], strict=True) if s]
    asks = [(p, s) for p, s in zip(ASK_PRICES, draw_sizes[5:], strict=True) if s]
    return bids, asks


def _update(feed, ts, levels):
    """A delta, or (``["snapshot", *levels]``) a snapshot of just those levels."""
    if levels and levels[0] == "snapshot":
        bids = {p: s for side, p, s in levels[1:] if side == BUY and s}
        asks = {p: s for side, p, s in levels[1:] if side == SELL and s}
        return feed.snapshot(ts, sorted(bids.items(), reverse=True), sorted(asks.items()))
    bids = [(p, s) for side, p, s in levels if side == BUY]
    asks = [(p, s) for side, p, s in levels if side == SELL]
    return feed.delta(ts, bids, asks)


def _interleavings(n_updates, n_trades):
    """Every way to merge two sequences: positions of the updates among all events."""
    for slots in itertools.combinations(range(n_updates + n_trades), n_updates):
        yield slots


def _run(model, book, placed, past, updates, trades, slots, trade_order):
    feed = Feed(*book, model=model)
    for n, (kind, side, price, qty, extra) in enumerate(placed, start=1):
        if kind == "limit":
            feed.order(n, side, qty, price, display=extra if extra < qty else 0)
        elif kind == "reduce":
            feed.order(n, side, qty, price, reduce_only=True)
        elif kind == "market":
            feed.order(n, side, qty, None, kind=MARKET, tif=IOC)
        else:
            feed.order(
                n,
                side,
                qty,
                extra,
                kind=STOP_LIMIT if extra else STOP_MARKET,
                tif=GTC,
                trigger=price,
            )
    ts = 1
    for kind, what in past:  # history: one event per timestamp
        ts += 1
        feed.send(_update(feed, ts, what) if kind == "update" else feed.trade(ts, *what))
    ts += 1
    moment_updates = [_update(feed, ts, u) for u in updates]
    moment_trades = [feed.trade(ts, *t) for t in trades]
    moment_trades = [moment_trades[i] for i in trade_order]
    events, u, t = [], iter(moment_updates), iter(moment_trades)
    for i in range(len(updates) + len(trades)):
        events.append(next(u) if i in slots else next(t))
    mark = len(feed.rec.events)
    feed.send(*events)
    feed.book.settle()  # the moment is complete (as the next event would say)
    # read the queue state out: a tail of later trades at every price, one per timestamp
    for price in range(106, 94, -1):
        ts += 1
        feed.send(feed.trade(ts, price, 7, SELL))
    for price in range(95, 107):
        ts += 1
        feed.send(feed.trade(ts, price, 7, BUY))
    feed.book.settle()
    fills = Counter()
    for event in feed.rec.events[mark:]:
        if event[0] == "fill":
            fills[(event[1], event[2], event[4])] += event[3]
    others = sorted(e for e in feed.rec.events[mark:] if e[0] not in ("fill", "modified"))
    return fills, others, feed.book.position


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(
    model=FillModel(),
    sizes=[0, 0, 0, 0, 10] + [10, 0, 0, 0, 0],
    placed=[("limit", BUY, 100, 5, 0)],
    past=[],
    updates=[[(BUY, 100, 4)]],
    trades=[(100, 6, SELL)],
    reverse=False,
)  # issue 11.5
@given(
    model=models,
    sizes=st.lists(st.integers(0, 15), min_size=10, max_size=10),
    placed=orders,
    past=history,
    updates=st.lists(update, min_size=1, max_size=3),
    trades=st.lists(trade, min_size=1, max_size=3),
    reverse=st.booleans(),
)
def test_every_order_of_a_moment_gives_the_same_fills(
    model, sizes, placed, past, updates, trades, reverse
):
    book = _book_sizes(sizes)
    orders_of_trades = [list(range(len(trades)))]
    # trades are sequenced by the venue (trade ids); reversing them must not matter either,
    # except to reduce-only orders, whose size follows the sequence of fills by design
    if reverse and not any(kind == "reduce" for kind, *_ in placed):
        orders_of_trades.append(list(reversed(range(len(trades)))))
    results = {}
    for slots in _interleavings(len(updates), len(trades)):
        for trade_order in orders_of_trades:
            key = (slots, tuple(trade_order))
            results[key] = _run(model, book, placed, past, updates, trades, set(slots), trade_order)
    first_key, first = next(iter(results.items()))
    for key, result in results.items():
        assert result == first, f"{key} differs from {first_key}"


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=models,
    sizes=st.lists(st.integers(0, 15), min_size=10, max_size=10),
    placed=orders,
    past=history,
    updates=st.lists(update, min_size=1, max_size=4),
    trades=st.lists(trade, min_size=1, max_size=4),
    reverse=st.booleans(),
)
def test_every_order_of_a_moment_gives_the_same_fills_soak(
    model, sizes, placed, past, updates, trades, reverse
):
    test_every_order_of_a_moment_gives_the_same_fills.hypothesis.inner_test(
        model, sizes, placed, past, updates, trades, reverse
    )
