"""Passive paper fills: what the market data does to resting paper orders, per the fill model.

A trade at a resting order's price fills it once the queue ahead is used up (queue model); a
trade through its price fills it (every model); the opposite quote reaching its price fills it
from the quote's visible size (queue: at or through; trade-through: strictly through); the touch
model fills it completely on any reach. See ``paper_fills`` for the order's life around this.
"""

from __future__ import annotations

from collections.abc import Callable

from tradeterm.domain.market import Trade
from tradeterm.matching.paper_liquidity import VisibleLiquidity
from tradeterm.matching.paper_orders import FillModel, PaperOrder

# (order, price, lots, maker, note): one fill of a paper order
Fill = Callable[[PaperOrder, int, int, bool, str], None]


class PassiveFills:
    """Fills of one instrument's resting paper orders (``resting()``, in queue order) from its
    trades (``on_trade``) and from its settled book (``on_quotes``: ``best`` quotes, visible
    ``liquidity``), reported through ``fill``."""

    def __init__(
        self,
        model: FillModel,
        liquidity: VisibleLiquidity,
        best: Callable[[int], int | None],
        resting: Callable[[], list[PaperOrder]],
        fill: Fill,
        fmt: Callable[[int | None], str],
    ) -> None:
        self.model = model
        self.liquidity = liquidity
        self._best = best
        self._resting = resting
        self._fill = fill
        self._fmt = fmt

    def on_trade(self, trade: Trade, hit: int) -> None:
        """A trade hit the ``hit`` side at its price: fill the resting orders it reached."""
        model = self.model.model
        left = trade.size
        candidates = [
            o
            for o in self._resting()
            if o.side == hit and (trade.price - o.price) * hit <= 0  # type: ignore[operator]
        ]
        candidates.sort(key=lambda o: (-o.price * hit, o.seq))  # type: ignore[operator]
        for order in candidates:
            if not order.working:  # a reduce-only clamp ended it while this trade filled
                continue
            through = trade.price != order.price
            if model == "touch":
                self._fill(
                    order,
                    order.price,  # type: ignore[arg-type]
                    order.leaves,
                    True,
                    f"touched by trade {trade.trade_id} at {self._fmt(trade.price)}",
                )
                continue
            if through:
                take = min(order.leaves, left)
                if take > 0:
                    left -= take
                    self._fill(
                        order,
                        order.price,  # type: ignore[arg-type]
                        take,
                        True,
                        f"traded through {self._fmt(order.price)} "
                        f"(trade {trade.trade_id} at {self._fmt(trade.price)})",
                    )
                continue
            if model != "queue" or order.basis_ts >= trade.ts_event:
                continue  # (a trade its level already showed when the order joined)
            # at our price: what our better-priced orders did not take reaches this queue; own
            # orders at the same price each count the trade in full (the later ones have the
            # earlier ones in their queue ahead)
            if order.queue_ahead >= left:
                order.queue_ahead -= left
                continue
            excess = left - order.queue_ahead
            order.queue_ahead = 0
            take = min(order.leaves, excess, order.slice_left)
            if take > 0:
                self._fill(
                    order,
                    order.price,  # type: ignore[arg-type]
                    take,
                    True,
                    f"queue ahead exhausted by trade {trade.trade_id}",
                )

    def on_quotes(self) -> None:
        """The opposite quote reached a resting order's price: the quote's orders would have
        traded with it (they took it out of the visible book). Queue model: at or through its
        price; trade-through: strictly through; touch: any reach fills it completely. (Called
        with resting orders and a synced book.)"""
        model = self.model.model
        for order in self._resting():
            if not order.working:
                continue
            side, limit = order.side, order.price
            assert limit is not None
            best = self._best(-side)
            if best is None or (best - limit) * side > 0:
                continue
            if model == "touch":
                self._fill(
                    order, limit, order.leaves, True, f"touched by the {self._fmt(best)} quote"
                )
                continue
            for price, available in self.liquidity.offers(side, limit, model == "queue"):
                take = min(available, order.leaves)
                self.liquidity.take((-side, price), take)
                self._fill(
                    order,
                    limit,
                    take,
                    True,
                    f"{'ask' if side > 0 else 'bid'} {self._fmt(price)} reached our price",
                )
                if not order.working:
                    break
