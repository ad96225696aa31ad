"""A listener that records every engine call, for the matching tests."""

from __future__ import annotations

from tradeterm.matching import MatchingEngine, MatchingRules
from tradeterm.matching.listener import MatchListener

BUY, SELL = 1, -1


class Recorder(MatchListener):
    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.fills: list[tuple] = []  # (maker id, maker owner, taker id, taker owner, price, qty)

    def on_accepted(self, order_id, owner, price, qty):
        self.events.append(("accepted", order_id, price, qty))

    def on_rejected(self, order_id, owner, reason, message):
        assert message, "a reject must say why"
        self.events.append(("rejected", order_id, reason))

    def on_fill(self, maker, taker_id, taker_owner, price, qty, taker_leaves, trade_id):
        self.fills.append((maker.order_id, maker.owner, taker_id, taker_owner, price, qty))
        self.events.append(
            ("fill", maker.order_id, taker_id, price, qty, maker.leaves, taker_leaves, trade_id)
        )

    def on_canceled(self, order_id, owner, leaves, reason):
        self.events.append(("canceled", order_id, leaves, reason))

    def on_expired(self, order_id, owner, leaves):
        self.events.append(("expired", order_id, leaves))

    def on_triggered(self, order_id, owner, last_price):
        self.events.append(("triggered", order_id, last_price))

    def on_modified(self, order):
        self.events.append(("modified", order.order_id, order.price, order.qty, order.leaves))

    def on_modify_rejected(self, order_id, owner, reason, message):
        assert message
        self.events.append(("modify_rejected", order_id, reason))

    def of(self, kind):
        return [e for e in self.events if e[0] == kind]

    def reasons(self, order_id):
        return [
            e[-1]
            for e in self.events
            if e[0] in ("rejected", "canceled", "modify_rejected") and e[1] == order_id
        ]


def make(clock=None, **rules) -> tuple[MatchingEngine, Recorder]:
    rec = Recorder()
    return MatchingEngine(rec, MatchingRules(**rules), clock), rec


def queue_ids(engine: MatchingEngine, side: int, price: int) -> list[int]:
    return [o.order_id for o in engine.queue(side, price)]
