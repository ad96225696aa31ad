"""Our working orders on the ladder, by row (no Textual here): per side, the summed leaves, how
many, and the queue ahead of the front one. The queue ahead is the level's size when the order
was first seen resting (an upper bound: cancels ahead of us are not known)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tradeterm.core.views import BookReader
from tradeterm.domain.orders import Order
from tradeterm.ui.widgets.ladder_rows import Own
from tradeterm.ui.widgets.ladder_view import Window


class QueueAhead:
    """The queue ahead of each of our orders, as first seen (order id -> level size in lots)."""

    def __init__(self) -> None:
        self.first_seen: dict[str, int] = {}

    def rows(
        self,
        orders: Iterable[Order],
        book: BookReader,
        window: Window,
        row_of: Callable[[Order], int],
    ) -> dict[int, list[Own]]:
        """``orders`` (working, priced, of the ladder's instrument) by row of ``window``."""
        sums: dict[tuple[int, int], list[int]] = {}
        live = set()
        for o in orders:
            oid, side = o.client_order_id, int(o.side)
            live.add(oid)
            ahead = self.first_seen.get(oid)
            if ahead is None:
                ahead = self.first_seen[oid] = book.size_at(side, o.price)
            row = row_of(o)
            if row not in window:
                continue
            entry = sums.setdefault((row, side), [0, 0, ahead])
            entry[0] += o.leaves_qty
            entry[1] += 1
            entry[2] = min(entry[2], ahead)
        for gone in set(self.first_seen) - live:
            del self.first_seen[gone]
        out: dict[int, list[Own]] = {}
        for (row, side), (lots, count, ahead) in sorted(sums.items(), key=lambda kv: -kv[0][1]):
            out.setdefault(row, []).append(Own(side, lots, count, ahead))
        return out
