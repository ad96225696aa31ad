"""The placeholder quoter at a one-tick spread (issue 13.16): market data can run ahead of our
own order events (the feed shows a trade through our ask before the venue's fill reaches us);
joining the new bid then meant a buy at our own working sell: DENIED SELF_CROSS, 8-30 times a
soak run. It now joins no further than one tick inside our own order on the other side."""

from tests.trading_harness import BTC, MID, Harness
from tradeterm.domain.market import Side
from tradeterm.quoter.placeholder import PlaceholderParams, PlaceholderQuoter
from tradeterm.trading.results import Denied


async def test_the_feed_ahead_of_our_fill_does_not_make_a_self_cross():
    h = Harness(instruments=(BTC,), risk={"orders_per_second": 1e6, "order_burst": 10**6})
    h.book(BTC, MID - 1, MID)  # one tick (0.5) wide
    await h.start()
    results: list = []
    quoter = PlaceholderQuoter(
        h.bus,
        h.clock,
        [BTC],
        h.views.books,
        h.views.orders,
        h.desk.portfolio.qty,
        lambda c: results.append(h.desk.execute(c)),
        h.desk.ids.next,
        PlaceholderParams(refresh_ms=100),
    )
    quoter.start()
    h.advance(0.1)
    working = {o.side: o for o in h.desk.oms.working.values()}
    assert (working[Side.BUY].price, working[Side.SELL].price) == (MID - 1, MID)
    sell = working[Side.SELL]
    fill = h.venue.fill(sell.client_order_id, sell.qty, MID, publish=False)  # on its way
    h.book(BTC, MID, MID + 1)  # the feed already shows it: someone took our ask, bids there
    h.advance(0.1)
    assert not [r for r in results if isinstance(r, Denied)], results
    assert {o.price for o in h.desk.oms.working.values() if o.side is Side.BUY} == {MID - 1}
    h.bus.publish(h.venue.topic, fill)  # now it arrives
    h.advance(0.1)
    assert not [r for r in results if isinstance(r, Denied)], results
    prices = sorted((o.side, o.price) for o in h.desk.oms.working.values())
    assert prices == [(Side.SELL, MID + 1), (Side.BUY, MID)]
    quoter.stop()
