from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.domain.market import Side
from tradeterm.matching.engine import MatchingEngine

BUY, SELL = Side.BUY, Side.SELL


class Recorder:
    def __init__(self):
        self.trades, self.levels, self.done, self.rested = [], {}, [], []

    def on_trade(self, price, qty, aggressor, maker, taker_id, taker_owner):
        self.trades.append((price, qty, aggressor, maker.order_id, taker_id))

    def on_level(self, side, price, size):
        self.levels[(side, price)] = size

    def on_rested(self, order):
        self.rested.append(order.order_id)

    def on_done(self, order_id, owner, leaves, reason):
        self.done.append((order_id, leaves, reason))


def engine():
    rec = Recorder()
    return MatchingEngine(rec), rec


def test_price_then_time_priority():
    eng, rec = engine()
    eng.submit_limit(1, 1, SELL, 101, 5)
    eng.submit_limit(2, 1, SELL, 100, 5)
    eng.submit_limit(3, 1, SELL, 100, 5)
    eng.submit_limit(10, 2, BUY, 101, 12)
    assert [(t[0], t[1], t[3]) for t in rec.trades] == [(100, 5, 2), (100, 5, 3), (101, 2, 1)]
    assert eng.best_ask == 101 and eng.orders[1].leaves == 3
    assert rec.levels[(SELL, 100)] == 0 and rec.levels[(SELL, 101)] == 3


def test_limit_remainder_rests_and_ioc_does_not():
    eng, rec = engine()
    eng.submit_limit(1, 1, SELL, 100, 5)
    eng.submit_limit(2, 2, BUY, 100, 8)
    assert eng.best_bid == 100 and eng.orders[2].leaves == 3
    eng.submit_limit(3, 1, SELL, 100, 1)
    eng.submit_limit(4, 1, SELL, 99, 10, ioc=True)
    assert (4, 8, "IOC") in rec.done and 4 not in eng.orders and eng.best_ask is None


def test_market_order_walks_levels_and_reports_leftover():
    eng, rec = engine()
    eng.submit_limit(1, 1, SELL, 100, 2)
    eng.submit_limit(2, 1, SELL, 105, 2)
    filled = eng.submit_market(3, 2, BUY, 6)
    assert filled == 4 and (3, 2, "NO_LIQUIDITY") in rec.done
    assert [(t[0], t[1]) for t in rec.trades] == [(100, 2), (105, 2)]


def test_cancel_removes_order_and_updates_level():
    eng, rec = engine()
    eng.submit_limit(1, 1, BUY, 100, 2)
    eng.submit_limit(2, 1, BUY, 100, 3)
    assert eng.cancel(1)
    assert rec.levels[(BUY, 100)] == 3 and (1, 2, "CANCELED") in rec.done
    assert not eng.cancel(1)
    assert eng.cancel(2) and eng.best_bid is None


ops = st.lists(st.one_of(
    st.tuples(st.just("limit"), st.sampled_from([BUY, SELL]), st.integers(95, 105),
              st.integers(1, 10)),
    st.tuples(st.just("market"), st.sampled_from([BUY, SELL]), st.just(0), st.integers(1, 15)),
    st.tuples(st.just("cancel"), st.just(BUY), st.integers(0, 60), st.just(0)),
), max_size=120)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_random_streams_conserve_quantity_and_never_cross(stream):
    eng, rec = engine()
    submitted = canceled = 0
    for n, (kind, side, price, qty) in enumerate(stream, start=1):
        if kind == "limit":
            eng.submit_limit(n, n, side, price, qty)
            submitted += qty
        elif kind == "market":
            eng.submit_market(n, n, side, qty)
            submitted += qty
        else:
            order = eng.orders.get(price)
            if order is not None:
                canceled += order.leaves
                eng.cancel(price)
        bid, ask = eng.best_bid, eng.best_ask
        assert bid is None or ask is None or bid < ask
    traded = sum(t[1] for t in rec.trades)
    resting = sum(o.leaves for o in eng.orders.values())
    unfilled = sum(leaves for _, leaves, reason in rec.done if reason in ("IOC", "NO_LIQUIDITY"))
    # each trade fills a maker and a taker: both sides of it leave the submitted total
    assert submitted == 2 * traded + resting + canceled + unfilled
    for side, levels in ((BUY, eng.level_size[0]), (SELL, eng.level_size[1])):
        for price, size in levels.items():
            assert size == sum(o.leaves for o in eng.levels[0 if side is BUY else 1][price])
            assert rec.levels[(side, price)] == size
