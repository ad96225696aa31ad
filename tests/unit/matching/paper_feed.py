"""A paper book on synthetic market data, recording what it reports (for the paper tests)."""

from __future__ import annotations

from tests.helpers import BTC
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, Trade
from tradeterm.matching.paper_fills import FillModel, PaperBook, PaperListener, PaperOrder

BUY, SELL = 1, -1


class Recorder(PaperListener):
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def accepted(self, order):
        self.events.append(("accepted", order.order_id))

    def rejected(self, order, reason, message):
        self.events.append(("rejected", order.order_id, reason))

    def filled(self, order, price, qty, maker, note):
        self.events.append(("fill", order.order_id, price, qty, maker))

    def canceled(self, order, reason):
        self.events.append(("canceled", order.order_id, reason))

    def expired(self, order):
        self.events.append(("expired", order.order_id))

    def triggered(self, order):
        self.events.append(("triggered", order.order_id))

    def modified(self, order):
        self.events.append(("modified", order.order_id, order.price, order.qty))

    def fills(self, order_id=None):
        return [e for e in self.events if e[0] == "fill" and order_id in (None, e[1])]


class Feed:
    """Market events for one paper book with explicit timestamps and update ids."""

    def __init__(
        self,
        bids=((100, 10), (99, 20)),
        asks=((101, 10), (102, 20)),
        model: FillModel | None = None,
    ) -> None:
        self.rec = Recorder()
        self.book = PaperBook(BTC, model or FillModel(), self.rec)
        self.uid = 10
        self.tid = 0
        self.book.on_snapshot(BookSnapshot(BTC.id, list(bids), list(asks), self.uid, 0, 0))

    def delta(self, ts, bids=(), asks=()):
        self.uid += 1
        return BookDelta(BTC.id, list(bids), list(asks), self.uid, self.uid, ts, ts)

    def snapshot(self, ts, bids, asks):
        self.uid += 1
        return BookSnapshot(BTC.id, list(bids), list(asks), self.uid, ts, ts)

    def trade(self, ts, price, size, aggressor):
        self.tid += 1
        return Trade(BTC.id, price, size, Side(aggressor), self.tid, ts, ts)

    def send(self, *events):
        for event in events:
            if isinstance(event, Trade):
                self.book.on_trade(event)
            elif isinstance(event, BookDelta):
                self.book.on_delta(event)
            else:
                self.book.on_snapshot(event)

    def order(self, order_id, side, qty, price=None, **kw):
        order = PaperOrder(order_id, side, qty, price, **kw)
        self.book.arrive(order)
        return order
