"""A reduce-only order never increases its owner's position, even inside one sweep.

Reduce-only used to be enforced after the request that traded: one aggressive order could take
several of an owner's reduce-only orders (or a plain order of the owner, then a reduce-only one)
and leave the position flipped. A reduce-only maker trades at most what still reduces the
position at that fill: it is cut down to that (reported as a modify) or, with nothing left,
cancelled (REDUCE_ONLY) there and then.
"""

from tests.unit.matching.recorder import BUY, SELL, make
from tradeterm.matching.orders import FOK, LIMIT


def _long(eng, owner, lots):
    eng.track_position(owner, lots)


def test_one_sweep_through_two_reduce_only_orders_stops_at_flat():
    eng, rec = make()
    _long(eng, 5, 4)
    eng.submit(1, 5, SELL, 4, LIMIT, 100, reduce_only=True)
    eng.submit(2, 5, SELL, 4, LIMIT, 101, reduce_only=True)
    assert eng.submit_limit(3, 7, BUY, 101, 8) == 4
    assert eng.positions[5] == 0
    assert rec.reasons(2) == ["REDUCE_ONLY"] and eng.orders[3].leaves == 4


def test_a_plain_order_of_the_owner_trades_first_then_reduce_only_has_no_room():
    eng, rec = make()
    _long(eng, 5, 4)
    eng.submit_limit(1, 5, SELL, 100, 3)  # not reduce-only
    eng.submit(2, 5, SELL, 4, LIMIT, 101, reduce_only=True)
    eng.submit_limit(3, 7, BUY, 101, 8)
    assert eng.positions[5] == 0  # 3 from the plain order, 1 from the reduce-only one
    assert [(f[0], f[5]) for f in rec.fills] == [(1, 3), (2, 1)]
    assert ("modified", 2, 101, 1, 1) in rec.events  # cut to the room left, then filled


def test_a_reduce_only_order_modified_above_the_position_is_cut_back():
    eng, rec = make()
    _long(eng, 5, 4)
    eng.submit(1, 5, SELL, 4, LIMIT, 110, reduce_only=True)
    assert eng.modify(1, qty=10)
    assert eng.orders[1].leaves == 4 and rec.of("modified")[-1] == ("modified", 1, 110, 4, 4)
    eng.submit_limit(2, 7, BUY, 110, 10)
    assert eng.positions[5] == 0


def test_fill_or_kill_counts_reduce_only_liquidity_as_it_would_trade():
    eng, rec = make()
    _long(eng, 5, 4)
    eng.submit(1, 5, SELL, 4, LIMIT, 100, reduce_only=True)
    eng.submit(2, 5, SELL, 4, LIMIT, 100, reduce_only=True)
    assert eng.submit(3, 7, BUY, 8, LIMIT, 100, FOK) == 0  # only 4 can trade: nothing does
    assert rec.reasons(3) == ["FOK"] and eng.positions[5] == 4
    assert eng.submit(4, 7, BUY, 4, LIMIT, 100, FOK) == 4 and eng.positions[5] == 0


def test_pro_rata_shares_never_exceed_what_reduces():
    eng, rec = make(pro_rata=True)
    _long(eng, 5, 2)
    eng.submit(1, 5, SELL, 2, LIMIT, 100, reduce_only=True)
    eng.submit(2, 5, SELL, 2, LIMIT, 100, reduce_only=True)
    eng.submit_limit(3, 6, SELL, 100, 4)
    eng.submit_limit(4, 7, BUY, 100, 8)
    assert eng.positions[5] == 0
    assert sum(f[5] for f in rec.fills if f[1] == 5) == 2


def test_a_reduce_only_order_grown_and_repriced_through_the_book_trades_only_the_room():
    """Found by the engine-versus-reference machine: long 1, a reduce-only sell grown to 3
    and moved onto the bids traded 3 as the aggressor and left the owner short 2."""
    eng, rec = make()
    _long(eng, 1, 1)
    eng.submit_limit(2, 2, BUY, 99, 2)
    eng.submit(6, 1, SELL, 1, LIMIT, 100, reduce_only=True)
    assert eng.modify(6, price=99, qty=3)
    assert rec.of("modified")[-1][:4] == ("modified", 6, 99, 1)  # clamped to the room
    assert eng.positions[1] == 0 and sum(f[5] for f in rec.fills) == 1


def test_a_modify_that_leaves_a_reduce_only_order_no_room_is_refused():
    eng, rec = make()
    _long(eng, 1, 2)
    eng.submit(6, 1, SELL, 2, LIMIT, 100, reduce_only=True)
    eng.track_position(1, 0)  # (the position went flat elsewhere)
    assert not eng.modify(6, qty=3)
    assert rec.reasons(6) == ["REDUCE_ONLY_WOULD_INCREASE"] and eng.orders[6].qty == 2
