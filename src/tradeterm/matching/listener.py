"""What the matching engine reports, as calls on a listener (no event objects on the hot path).

The engine calls these synchronously while it processes a request; a listener must not call back
into the engine from inside them (queue the work instead). Prices are ticks, sizes lots. For
every order the engine reports exactly one of ``on_rejected`` or ``on_accepted``; after an
accept, fills and at most one end (``on_canceled`` / ``on_expired``) follow, unless the order
filled completely (the fill with ``leaves == 0`` ends it). The public book is reported apart from
these calls: the engine writes changed level sizes into ``engine.level_changes``.
"""

from __future__ import annotations

from tradeterm.matching.orders import EngineOrder


class MatchListener:
    """Base class with do-nothing handlers; override what you need."""

    def on_accepted(self, order_id: int, owner: int, price: int | None, qty: int) -> None:
        """The order passed validation. ``price`` is where it works (a sliding post-only order
        reports its new price; ``None`` for market orders); ``qty`` may be smaller than asked
        for a reduce-only order (clamped to the position)."""

    def on_rejected(self, order_id: int, owner: int, reason: str, message: str) -> None:
        """The order was refused; ``reason`` is a code from ``matching.orders``."""

    def on_fill(
        self,
        maker: EngineOrder,
        taker_id: int,
        taker_owner: int,
        price: int,
        qty: int,
        taker_leaves: int,
        trade_id: int,
    ) -> None:
        """One trade: ``maker`` (already updated: ``maker.leaves == 0`` when it is done) and
        the aggressing order, whose side is ``-maker.side`` and whose remaining quantity after
        this trade is ``taker_leaves``."""

    def on_canceled(self, order_id: int, owner: int, leaves: int, reason: str) -> None:
        """An accepted order ended with ``leaves`` unfilled; ``reason`` is CANCELED, IOC, FOK,
        NO_LIQUIDITY, SELF_TRADE or REDUCE_ONLY."""

    def on_expired(self, order_id: int, owner: int, leaves: int) -> None:
        """A GTD order reached its expiry time."""

    def on_triggered(self, order_id: int, owner: int, last_price: int) -> None:
        """A stop order's trigger price was reached; it now enters the book as a market or
        limit order (fills and outcome follow)."""

    def on_modified(self, order: EngineOrder) -> None:
        """A working order changed price or size (a reduce-only clamp reports here too)."""

    def on_modify_rejected(self, order_id: int, owner: int, reason: str, message: str) -> None:
        """A modify was refused; the order is unchanged."""
