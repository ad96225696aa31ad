"""A public trade a stream delivered twice is one trade.

A venue's stream can repeat a message (a retransmission, a reconnect that replays, the loopback
exchange's ``dup`` fault). A trade reaches the bus, the tape, the day's volume, the recorder and
a paper order's queue position once: counted twice, a paper order on live data would move up its
queue twice for one trade. The trade ids a venue gives are remembered per instrument, the last
few thousand (ids need not increase: some venues number trades otherwise); a trade without an id
(0: the venue gives none, or not a number) cannot be told apart and always goes through.
"""

from __future__ import annotations

from collections import deque

from tradeterm.domain.market import Trade

REMEMBERED = 4096  # trade ids per instrument: a repeat comes within a few messages


class RepeatedTrades:
    def __init__(self) -> None:
        self._seen: dict[str, tuple[set[int], deque[int]]] = {}
        self.dropped = 0

    def repeat(self, trade: Trade) -> bool:
        """Has this trade already gone through? (Remembered if not.)"""
        tid = trade.trade_id
        if not tid:
            return False
        seen = self._seen.get(trade.instrument)
        if seen is None:
            seen = self._seen[trade.instrument] = (set(), deque())
        ids, order = seen
        if tid in ids:
            self.dropped += 1
            return True
        ids.add(tid)
        order.append(tid)
        if len(order) > REMEMBERED:
            ids.discard(order.popleft())
        return False
