from hypothesis import given, settings
from hypothesis import strategies as st

from tradeterm.book.l2 import L2Book
from tradeterm.domain.market import BookDelta, BookSnapshot


def snap(bids, asks, uid=100):
    return BookSnapshot("i", bids, asks, uid, 1, 1)


def delta(first, last, bids=(), asks=(), prev=-1):
    return BookDelta("i", list(bids), list(asks), first, last, 2, 2, prev)


def test_snapshot_then_deltas_keep_best_prices():
    book = L2Book("i")
    book.apply_snapshot(snap([(99, 5), (98, 1)], [(101, 2), (102, 3)]))
    assert (book.best_bid, book.best_ask) == (99, 101)
    assert book.apply_delta(delta(101, 101, bids=[(100, 4)]))
    assert book.best_bid == 100
    assert book.apply_delta(delta(102, 102, bids=[(100, 0)], asks=[(101, 0)]))
    assert (book.best_bid, book.best_ask) == (99, 102)
    assert book.top(5) == ([(99, 5), (98, 1)], [(102, 3)])
    assert book.size_at(1, 99) == 5 and book.size_at(-1, 102) == 3


def test_first_delta_may_straddle_the_snapshot_id():
    book = L2Book("i")
    book.apply_snapshot(snap([(99, 5)], [(101, 2)], uid=100))
    assert not book.apply_delta(delta(90, 100, bids=[(99, 1)]))  # entirely old: dropped
    assert book.apply_delta(delta(95, 105, bids=[(99, 7)]))  # straddles 101: applied
    assert book.size_at(1, 99) == 7 and book.last_update_id == 105


def test_gap_is_detected_and_book_waits_for_snapshot():
    gaps = []
    book = L2Book("i")
    book.on_gap = lambda b, expected, got: gaps.append((expected, got))
    book.apply_snapshot(snap([(99, 5)], [(101, 2)], uid=100))
    assert not book.apply_delta(delta(105, 106, bids=[(99, 1)]))
    assert gaps == [(101, 105)] and not book.synced
    assert not book.apply_delta(delta(107, 107, bids=[(99, 2)]))  # ignored until resync
    book.apply_snapshot(snap([(99, 9)], [(101, 2)], uid=200))
    assert book.synced and book.apply_delta(delta(201, 201, bids=[(99, 3)]))


def test_futures_continuity_uses_prev_update_id():
    book = L2Book("i")
    gaps = []
    book.on_gap = lambda b, e, g: gaps.append(g)
    book.apply_snapshot(snap([(99, 5)], [(101, 2)], uid=100))
    assert book.apply_delta(delta(95, 110, bids=[(99, 1)], prev=94))  # first: straddles
    # futures: the snapshot check is done by straddle on the first; later ones chain on pu
    assert book.apply_delta(delta(111, 120, prev=110))
    assert not book.apply_delta(delta(125, 130, prev=121))
    assert gaps == [125]


def test_crossed_book_is_reported():
    crossed = []
    book = L2Book("i")
    book.on_crossed = lambda b: crossed.append((b.best_bid, b.best_ask))
    book.apply_snapshot(snap([(99, 5)], [(101, 2)]))
    book.apply_delta(delta(101, 101, bids=[(101, 1)]))
    assert crossed == [(101, 101)] and book.is_crossed


levels = st.lists(st.tuples(st.booleans(), st.integers(1, 60), st.integers(0, 5)), max_size=300)


@settings(max_examples=200, deadline=None)
@given(levels)
def test_best_prices_match_a_brute_force_book(updates):
    book = L2Book("i")
    book.apply_snapshot(snap([], []))
    ref = ({}, {})
    for is_bid, price, size in updates:
        book.set_level(1 if is_bid else -1, price, size)
        side = ref[0 if is_bid else 1]
        if size:
            side[price] = size
        else:
            side.pop(price, None)
        assert book.best_bid == (max(ref[0]) if ref[0] else None)
        assert book.best_ask == (min(ref[1]) if ref[1] else None)
    bids, asks = book.top(10)
    assert bids == sorted(ref[0].items(), reverse=True)[:10]
    assert asks == sorted(ref[1].items())[:10]
