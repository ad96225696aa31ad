"""The prices a quoter works from and the figures it shows: the mid, the fair price (mid, micro
price or VAMP), the touch counting its own working quotes, and the quoter pane's view (its
figures of the quotes and the book computed when read, not on every requote).
"""

from __future__ import annotations

from collections.abc import Callable

from tradeterm.core.views import BookReader, QuoteFigures, QuoterView
from tradeterm.domain.market import Side
from tradeterm.quoter.settings import QuoterSetup
from tradeterm.quoter.signals import imbalance, micro_price, vamp
from tradeterm.quoter.working import PENDING_MODIFY, WorkingQuotes


def mid(book: BookReader) -> float | None:
    bid, ask = book.best_bid, book.best_ask
    return None if bid is None or ask is None else (bid + ask) / 2.0


def fair_price(book: BookReader, setup: QuoterSetup) -> float:
    source = setup.config.fair_price
    bid, ask = book.best_bid, book.best_ask
    assert bid is not None and ask is not None
    if source == "micro":
        return micro_price(bid, book.size_at(1, bid), ask, book.size_at(-1, ask)) or 0.0
    if source == "vamp":
        bids, asks = book.top(32)
        depth = setup.params.order_lots * setup.config.vamp_depth_clips
        value = vamp(bids, asks, depth)
        if value is not None:
            return value
    return (bid + ask) / 2.0


def touch_with_own_quotes(
    book: BookReader, working: WorkingQuotes
) -> tuple[int | None, int | None]:
    """The best bid and ask, counting our own working quotes at their current and target
    prices: the book may not show a quote we just moved yet, and a new bid must never meet
    our own ask (risk would deny it as a self-cross)."""
    bid, ask = book.best_bid, book.best_ask
    for q in working.by_id.values():
        low = high = q.price
        target = q.target_price
        if target is not None and q.status == PENDING_MODIFY:
            low, high = (low, target) if low < target else (target, low)
        if q.side is Side.SELL and (ask is None or low < ask):
            ask = low
        elif q.side is Side.BUY and (bid is None or high > bid):
            bid = high
    return bid, ask


def publish_view(
    view: QuoterView,
    setup: QuoterSetup,
    enabled: bool,
    inventory: int,
) -> None:
    """The quoter pane's figures: its state in force. What it shows of its quotes and of the
    book is computed when read (``quote_figures``)."""
    view.enabled = enabled
    view.model, view.gamma = setup.config.model, setup.params.gamma
    view.inventory = inventory
    view.order_lots = setup.params.order_lots
    view.max_position_lots = int(min(setup.params.max_position_lots, 2**62))
    view.sigma, view.k, view.A = setup.sigma, setup.k, setup.A
    view.estimated = setup.estimated
    view.touch()


def quote_figures(book: BookReader, working: WorkingQuotes) -> Callable[[], QuoteFigures]:
    """A view's figures of ``working`` and of ``book``, as of when it is called: the quotes
    best first, the book's micro price and imbalance (None while the book is one-sided)."""

    def figures() -> QuoteFigures:
        bids = [(q.price, q.lots) for q in working.levels(Side.BUY)]
        asks = [(q.price, q.lots) for q in working.levels(Side.SELL)]
        bid, ask = book.best_bid, book.best_ask
        if bid is None or ask is None:
            return QuoteFigures(bids, asks, None, None)
        bid_size, ask_size = book.size_at(1, bid), book.size_at(-1, ask)
        return QuoteFigures(
            bids,
            asks,
            micro_price(bid, bid_size, ask, ask_size),
            imbalance([(bid, bid_size)], [(ask, ask_size)]),
        )

    return figures
