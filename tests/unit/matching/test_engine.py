"""Core matching: price-time priority, partial fills, cancels, the public level feed."""

from tests.unit.matching.recorder import BUY, SELL, make, queue_ids
from tradeterm.matching.orders import GTC, IOC, LIMIT, MARKET, STOP_LIMIT


def test_price_then_time_priority_and_partial_fill():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 101, 5)
    eng.submit_limit(2, 1, SELL, 100, 5)
    eng.submit_limit(3, 2, SELL, 100, 5)
    assert eng.submit_limit(10, 3, BUY, 101, 12) == 12
    assert [(f[0], f[4], f[5]) for f in rec.fills] == [(2, 100, 5), (3, 100, 5), (1, 101, 2)]
    assert eng.best_ask == 101 and eng.orders[1].leaves == 3 and 10 not in eng.orders
    assert eng.level_changes[1] == {101: 3, 100: 0}
    last = rec.of("fill")[-1]
    assert last[5:7] == (3, 0)  # maker leaves 3, taker done
    assert [e[-1] for e in rec.of("fill")] == [1, 2, 3]  # trade ids


def test_limit_remainder_rests_behind_earlier_orders():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 100, 5)
    eng.submit_limit(2, 2, BUY, 100, 8)
    eng.submit_limit(3, 3, BUY, 100, 1)
    assert queue_ids(eng, BUY, 100) == [2, 3]
    assert eng.level_size[0][100] == 4 and eng.best_bid == 100 and eng.best_ask is None


def test_market_order_walks_levels_and_cancels_leftover():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 100, 2)
    eng.submit_limit(2, 1, SELL, 105, 2)
    assert eng.submit(3, 2, BUY, 6, MARKET) == 4
    assert [(f[4], f[5]) for f in rec.fills] == [(100, 2), (105, 2)]
    assert rec.events[-1] == ("canceled", 3, 2, "NO_LIQUIDITY")
    assert rec.of("accepted")[-1] == ("accepted", 3, None, 6)


def test_cancel_removes_order_and_updates_level():
    eng, rec = make()
    eng.submit_limit(1, 1, BUY, 100, 2)
    eng.submit_limit(2, 1, BUY, 100, 3)
    eng.drain_level_changes()
    assert eng.cancel(1)
    assert eng.level_changes[0] == {100: 3} and rec.events[-1] == ("canceled", 1, 2, "CANCELED")
    assert not eng.cancel(1)
    assert eng.cancel(2) and eng.best_bid is None and eng.level_changes[0] == {100: 0}


def test_cancel_all_by_owner_and_side():
    eng, rec = make()
    eng.submit_limit(1, 7, BUY, 99, 1)
    eng.submit_limit(2, 7, SELL, 101, 1)
    eng.submit_limit(3, 8, BUY, 98, 1)
    eng.submit(4, 7, SELL, 1, STOP_LIMIT, 95, trigger=95)  # a waiting stop of owner 7
    assert eng.cancel_all(owner=7, side=BUY) == 1 and set(eng.orders) == {2, 3}
    assert eng.cancel_all(owner=7) == 2 and set(eng.orders) == {3} and not eng.stops
    assert eng.cancel_all() == 1 and not eng.orders


def test_ioc_limit_takes_what_it_can_and_never_rests():
    eng, rec = make()
    eng.submit_limit(1, 1, SELL, 100, 3)
    assert eng.submit(2, 2, BUY, 5, LIMIT, 100, IOC) == 3
    assert 2 not in eng.orders and rec.events[-1] == ("canceled", 2, 2, "IOC")


def test_general_submit_gtc_equals_fast_path():
    a, ra = make()
    b, rb = make()
    for eng, fast in ((a, True), (b, False)):
        for n, (side, price, qty) in enumerate(
            [(SELL, 101, 4), (SELL, 100, 2), (BUY, 101, 5), (BUY, 99, 3)], start=1
        ):
            if fast:
                eng.submit_limit(n, n, side, price, qty)
            else:
                eng.submit(n, n, side, qty, LIMIT, price, GTC)
    assert ra.events == rb.events and a.level_size == b.level_size


def test_stale_heap_prices_are_compacted():
    eng, _ = make()
    for i in range(5000):
        eng.submit_limit(i, 1, BUY, 1000 + i, 1)
        eng.cancel(i)
    assert len(eng.book.side_of(1)[2]) < 200 and eng.best_bid is None  # the bid heap
    eng.submit_limit(9, 1, BUY, 5, 1)
    assert eng.best_bid == 5
