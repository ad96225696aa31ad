"""The FIFO match, the hot loop: an aggressing order takes the opposite side level by level,
each level in time order (pro-rata in sweep.py when the instrument's rules ask for it).

It honours self-trade prevention, iceberg refills (a new slice goes to the back of the queue)
and reduce-only makers (a maker trades at most what still reduces its owner's position: it is
cut down first, or cancelled when nothing is left), reports every trade to the listener and
writes changed level sizes into the book's ``level_changes``. It is ``PriceTimeBook.take``.
"""

from __future__ import annotations

from heapq import heappop
from typing import TYPE_CHECKING

from tradeterm.matching.orders import (
    REDUCE_ONLY,
    SELF_TRADE,
    STP_CANCEL_AGGRESSING,
    STP_CANCEL_RESTING,
)
from tradeterm.matching.sweep import take_pro_rata

if TYPE_CHECKING:
    from tradeterm.matching.book import PriceTimeBook


def take(
    book: PriceTimeBook, side: int, limit: int, qty: int, taker_id: int, taker_owner: int, stp: int
) -> int:
    """Match up to ``qty`` lots at prices no worse than ``limit``; return what is left.
    Sets ``stp_hit`` when self-trade prevention cancelled the aggressing order."""
    if book.pro_rata:
        return take_pro_rata(book, side, limit, qty, taker_id, taker_owner, stp)
    ix, sign = (1, 1) if side > 0 else (0, -1)  # the opposite side: asks for a buy
    levels, sizes, heap, changes = (
        book.levels[ix],
        book.level_size[ix],
        book.heaps[ix],
        book.level_changes[ix],
    )
    orders = book.orders
    on_fill = book.on_fill
    positions = book.positions
    limited = positions is not None and positions.has_orders  # reduce-only makers exist
    trade_id = book.trade_id
    remaining = qty
    first = last = 0
    while heap:
        price = heap[0] * sign
        queue = levels.get(price)
        if queue is None:
            heappop(heap)
            continue
        if (price - limit) * side > 0:
            break
        size = sizes[price]
        while queue:
            maker = queue[0]
            if maker.owner == taker_owner and stp:
                if stp != STP_CANCEL_AGGRESSING:  # cancel the resting order
                    queue.popleft()
                    size -= maker.visible
                    del orders[maker.order_id]
                    book.on_canceled(maker.order_id, maker.owner, maker.leaves, SELF_TRADE)
                if stp != STP_CANCEL_RESTING:  # cancel the aggressing order
                    book.stp_hit = True
                    break
                continue
            if limited and maker.ext is not None and maker.ext.reduce_only:
                shown = maker.visible
                cut = positions.cut_to_room(maker, remaining)  # type: ignore[union-attr]
                if cut:  # it may trade only what still reduces its owner's position
                    size -= shown - maker.visible
                    if not maker.leaves:
                        queue.popleft()
                        del orders[maker.order_id]
                        book.on_canceled(maker.order_id, maker.owner, cut, REDUCE_ONLY)
                        continue
                    book.on_modified(maker)
            fill = maker.visible
            trade_id += 1
            if fill <= remaining:  # its whole shown part trades
                remaining -= fill
                size -= fill
                queue.popleft()
                leaves = maker.leaves - fill
                maker.leaves = leaves
                if leaves:  # iceberg: a new slice, at the back of the queue
                    shown = maker.ext.display  # type: ignore[union-attr]
                    if shown > leaves:
                        shown = leaves
                    maker.visible = shown
                    size += shown
                    queue.append(maker)
                else:  # done (its ``visible`` is left as it was: meaningless now)
                    del orders[maker.order_id]
            else:  # the taker is done inside this order
                fill = remaining
                remaining = 0
                size -= fill
                maker.leaves -= fill
                maker.visible -= fill
            if positions is not None and positions.fill(maker.owner, taker_owner, side, fill):
                book.pending = True
            if not first:
                first = price
            last = price
            on_fill(maker, taker_id, taker_owner, price, fill, remaining, trade_id)
            if not remaining:
                break
        if queue:
            sizes[price] = changes[price] = size
        else:
            del levels[price]
            del sizes[price]
            changes[price] = 0
            heappop(heap)
        if not remaining or book.stp_hit:
            break
    if last:
        book.trade_id = trade_id
        book.last_price = last
        if book.watch:
            book.note_traded(first, last)
    return remaining
