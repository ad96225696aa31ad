"""Taking liquidity, the rarer ways: pro-rata allocation and the fill-or-kill trial.

Pro-rata (for instruments whose rules ask for it): each level is shared in proportion to the
visible size of its orders (whole lots), the leftover lots one at a time in time order; partly
filled orders keep their place, refilled iceberg slices go to the back; a reduce-only order's
share is cut to what still reduces its owner's position (the rest of the level is shared again).
Self-trade prevention
looks at the whole level first: the owner's orders there are cancelled (cancel-resting) and/or
the aggressor stops before the level (cancel-aggressing). The FIFO loop, the hot path, is
``fifo.take`` (``PriceTimeBook.take``).

``would_fill`` answers fill-or-kill with a trial: a throwaway book holding copies of what an
aggressor could reach, on which the real match runs.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import (
    REDUCE_ONLY,
    SELF_TRADE,
    STP_CANCEL_AGGRESSING,
    STP_CANCEL_RESTING,
    EngineOrder,
)

if TYPE_CHECKING:
    from tradeterm.matching.book import PriceTimeBook


def take_pro_rata(
    book: PriceTimeBook, side: int, limit: int, qty: int, taker_id: int, taker_owner: int, stp: int
) -> int:
    """``PriceTimeBook.take`` for pro-rata books: returns the lots left."""
    levels, sizes, heap, changes, sign = book.side_of(-side)
    remaining = qty
    first = last = 0
    while remaining and heap:
        price = heap[0] * sign
        queue = levels.get(price)
        if queue is None:
            heappop(heap)
            continue
        if (price - limit) * side > 0:
            break
        if stp and any(o.owner == taker_owner for o in queue):
            if stp != STP_CANCEL_AGGRESSING:
                for own in [o for o in queue if o.owner == taker_owner]:
                    queue.remove(own)
                    sizes[price] -= own.visible
                    del book.orders[own.order_id]
                    book.listener.on_canceled(own.order_id, own.owner, own.leaves, SELF_TRADE)
            if stp != STP_CANCEL_RESTING:
                book.stp_hit = True
            if not queue:
                del levels[price]
                del sizes[price]
                changes[price] = 0
                heappop(heap)
                if book.stp_hit:
                    break
                continue
            changes[price] = sizes[price]
            if book.stp_hit:
                break
        before = remaining
        remaining = _allocate(book, queue, price, sizes, remaining, taker_id, taker_owner, side)
        if remaining < before:  # (reduce-only makers without room may leave a level untraded)
            if not first:
                first = price
            last = price
        if queue:
            changes[price] = sizes[price]
        else:
            del levels[price]
            del sizes[price]
            changes[price] = 0
            heappop(heap)
    if first:
        book.last_price = last
        if book.watch:
            book.note_traded(first, last)
    return remaining


def _allocate(
    book: PriceTimeBook,
    queue: deque[EngineOrder],
    price: int,
    sizes: dict[int, int],
    remaining: int,
    taker_id: int,
    taker_owner: int,
    side: int,
) -> int:
    """Fill ``remaining`` lots from one level pro rata to visible size (floor), the leftover
    lots one at a time in time order."""
    makers = list(queue)
    total = sizes[price]
    if remaining >= total:
        shares = [o.visible for o in makers]
    else:
        shares = [remaining * o.visible // total for o in makers]
        left = remaining - sum(shares)
        i = 0
        while left:
            if shares[i] < makers[i].visible:
                shares[i] += 1
                left -= 1
            i = (i + 1) % len(makers)
    survivors: list[EngineOrder] = []
    refilled: list[EngineOrder] = []
    size = total
    positions = book.positions
    limited = positions is not None and positions.has_orders
    listener = book.listener
    for maker, fill in zip(makers, shares, strict=True):
        if not fill:
            survivors.append(maker)
            continue
        if limited and maker.ext is not None and maker.ext.reduce_only:
            shown = maker.visible
            cut = positions.cut_to_room(maker, fill)  # type: ignore[union-attr]
            if cut:  # its share is more than still reduces its owner's position
                size -= shown - maker.visible
                if not maker.leaves:
                    del book.orders[maker.order_id]
                    listener.on_canceled(maker.order_id, maker.owner, cut, REDUCE_ONLY)
                    continue
                listener.on_modified(maker)
                fill = maker.visible  # the lots it cannot take stay with the aggressor
        remaining -= fill
        size -= fill
        maker.leaves -= fill
        maker.visible -= fill
        if not maker.visible:
            if maker.leaves:
                maker.visible = min(maker.ext.display, maker.leaves)  # type: ignore[union-attr]
                size += maker.visible
                refilled.append(maker)
            else:
                del book.orders[maker.order_id]
        else:
            survivors.append(maker)
        if positions is not None and positions.fill(maker.owner, taker_owner, side, fill):
            book.pending = True
        book.trade_id += 1
        listener.on_fill(maker, taker_id, taker_owner, price, fill, remaining, book.trade_id)
    queue.clear()
    queue.extend(survivors)
    queue.extend(refilled)
    sizes[price] = size
    return remaining


def would_fill(book: PriceTimeBook, side: int, limit: int, qty: int, owner: int, stp: int) -> bool:
    """Fill-or-kill: the match itself, run on a trial book holding copies of what the order
    could reach, so the answer cannot differ from what the match would do (icebergs,
    self-trade prevention, pro-rata, reduce-only makers)."""
    trial = type(book)(MatchListener(), book.rules)
    copy_reachable(book, trial, side, limit)
    remaining = trial.take(side, limit, qty, -1, owner, stp)
    return not remaining and not trial.stp_hit


def copy_reachable(book: PriceTimeBook, trial: PriceTimeBook, side: int, limit: int) -> None:
    """Fill ``trial`` with copies of the orders an aggressor of ``side`` could reach up to
    ``limit`` (and a copy of the owners' positions, for reduce-only makers)."""
    levels, sizes, _heap, _changes, _sign = book.side_of(-side)
    t_levels, t_sizes, t_heap, _t_changes, t_sign = trial.side_of(-side)
    for price, queue in levels.items():
        if (price - limit) * side > 0:
            continue
        copies = deque(
            EngineOrder(o.order_id, o.owner, o.side, o.price, o.qty, o.leaves, o.visible, o.ext)
            for o in queue
        )
        t_levels[price] = copies
        t_sizes[price] = sizes[price]
        heappush(t_heap, price * t_sign)
        for order in copies:
            trial.orders[order.order_id] = order
    if book.positions is not None:
        trial.positions = book.positions.copy()
