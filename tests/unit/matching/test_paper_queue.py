"""Issue 11.5: the queue model does not depend on the arrival order of a trade and the book
update that reflects it (same timestamp)."""

from tests.unit.matching.paper_feed import BUY, SELL, Feed
from tradeterm.matching.orders import IOC, MARKET


def _ten_ahead_then(order_of_events):
    feed = Feed(bids=((100, 10), (99, 20)))
    ours = feed.order(1, BUY, 5, 100)  # 10 lots ahead of us
    trade = feed.trade(5, 100, 6, SELL)
    shrink = feed.delta(5, bids=[(100, 4)])  # the level after the trade
    feed.send(*(trade, shrink) if order_of_events == "trade first" else (shrink, trade))
    return feed, ours


def test_a_trade_and_its_level_update_give_the_same_queue_in_either_order():
    for first in ("trade first", "update first"):
        feed, ours = _ten_ahead_then(first)
        assert not feed.rec.fills(), first  # 6 of the 10 ahead traded: nothing reaches us
        assert ours.queue_ahead == 4, first


def test_the_next_trade_fills_the_same_in_either_order():
    for first in ("trade first", "update first"):
        feed, ours = _ten_ahead_then(first)
        feed.send(feed.trade(6, 100, 5, SELL))
        assert [e[3] for e in feed.rec.fills(1)] == [1], first


def test_cancels_ahead_counts_only_what_trades_do_not_explain_in_either_order():
    from tradeterm.matching.paper_fills import FillModel

    for first in ("trade first", "update first"):
        feed = Feed(bids=((100, 20),), model=FillModel(cancels_ahead=1.0))
        ours = feed.order(1, BUY, 5, 100)  # 20 ahead
        trade = feed.trade(5, 100, 6, SELL)
        shrink = feed.delta(5, bids=[(100, 10)])  # 6 traded + 4 cancelled
        feed.send(*(trade, shrink) if first == "trade first" else (shrink, trade))
        feed.send(feed.trade(6, 105, 1, BUY))  # a later event: the moment is complete
        assert ours.queue_ahead == 10 and not feed.rec.fills(1), first  # 20 - 6 - 4


def test_a_quote_and_a_trade_through_the_same_order_race_to_the_same_result():
    """Found by the permutation test: a resting bid reached in one moment by a new ask below it
    and by a sell printing through it. The trade fills it (trades come first within a moment),
    so the ask's lot is still there for the next taker, whatever the arrival order."""
    for first in ("trade first", "update first"):
        feed = Feed(bids=(), asks=())
        feed.order(1, BUY, 1, 97)
        ask = feed.delta(5, asks=[(95, 1)])
        trade = feed.trade(5, 95, 1, SELL)
        feed.send(*(trade, ask) if first == "trade first" else (ask, trade))
        feed.order(2, BUY, 1, None, kind=MARKET, tif=IOC)  # a market buy, after the moment
        assert [e[1:4] for e in feed.rec.fills()] == [(1, 97, 1), (2, 95, 1)], first


def test_a_late_trade_the_capped_level_already_showed_is_not_counted_again():
    """A trade stamped before a book update that arrives after the update's moment settled:
    the cap already took it out of the queue ahead."""
    feed = Feed(bids=((100, 10),))
    ours = feed.order(1, BUY, 5, 100)
    feed.send(feed.delta(5, bids=[(100, 4)]), feed.trade(6, 101, 1, BUY))  # settles at 6
    assert ours.queue_ahead == 4
    feed.send(feed.trade(4, 100, 6, SELL))  # the trade behind the update, late
    assert ours.queue_ahead == 4 and not feed.rec.fills(1)


def test_an_order_joining_after_the_update_ignores_the_trade_it_reflects():
    feed = Feed(bids=((100, 10),))
    feed.send(feed.delta(5, bids=[(100, 4)]))  # 6 traded; the trade message is still coming
    ours = feed.order(1, BUY, 5, 100)  # joins behind the 4 shown
    feed.send(feed.trade(5, 100, 6, SELL))
    assert ours.queue_ahead == 4 and not feed.rec.fills(1)


def test_a_triggered_stop_walks_the_book_its_moment_left():
    """The stop triggers on the trade but takes liquidity only once the moment's book updates
    are in, in either order, and never the lots the trade took."""
    from tradeterm.matching.orders import STOP_MARKET

    for first in ("trade first", "update first"):
        feed = Feed(bids=((100, 10),), asks=((101, 5), (102, 20)))
        feed.send(feed.trade(1, 100, 1, SELL))  # last price 100
        feed.order(1, BUY, 10, None, kind=STOP_MARKET, trigger=101)
        trade = feed.trade(5, 101, 3, BUY)
        update = feed.delta(5, asks=[(101, 2), (103, 7)])
        feed.send(*(trade, update) if first == "trade first" else (update, trade))
        assert not feed.rec.fills(1), first
        feed.book.settle()
        assert [e[2:4] for e in feed.rec.fills(1)] == [(101, 2), (102, 8)], first


def test_a_trade_does_not_fill_an_order_a_reduce_only_clamp_cancelled_during_it():
    """Long 5 with two reduce-only sells: a buy printing through both fills the first, the
    position is flat, the second is cancelled, and the same trade must not fill it after."""
    feed = Feed(bids=((100, 10),), asks=((101, 50),))
    feed.order(1, BUY, 5, None, kind=MARKET, tif=IOC)  # long 5
    feed.order(2, SELL, 5, 103, reduce_only=True)
    feed.order(3, SELL, 5, 104, reduce_only=True)
    feed.send(feed.trade(5, 105, 10, BUY))
    assert [e[1:4] for e in feed.rec.fills()][1:] == [(2, 103, 5)]
    assert ("canceled", 3, "REDUCE_ONLY") in feed.rec.events and feed.book.position == 0


def test_a_long_session_does_not_keep_every_level_it_ever_saw():
    """The ledger held a timestamp for every price the book ever updated (a day of a liquid
    book: every tick it crossed). Levels last updated over a minute before the newest update
    are forgotten, and an order joining such a level later queues as it did before."""
    feed = Feed(bids=((100, 10),), asks=((100_000, 10),))
    second = 1_000_000_000
    levels = 40_000
    for n in range(levels):  # the bids walk down, one new price a second
        feed.send(feed.delta(n * second, bids=[(99_000 - n, 3)]))
    remembered = sum(len(side) for side in feed.book.ledger._updated)
    assert remembered <= 8192, remembered  # a minute's levels, looked at when twice as many
    ours = feed.order(1, BUY, 5, 99_000)  # a level last updated 11 hours ago
    assert ours.queue_ahead == 3
    feed.send(feed.trade(levels * second, 99_000, 2, SELL))  # a new trade still moves it
    assert ours.queue_ahead == 1 and not feed.rec.fills(1)
