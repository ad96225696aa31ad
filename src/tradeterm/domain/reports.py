"""What a venue answers when the OMS asks about its own orders and account.

These are the answers to the venue's query methods (``Venue.query_order``, ``open_orders``,
``positions``); fills are reported as the same ``OrderFilled`` events the venue publishes live.
Prices in ticks, quantities in lots, times in ns since the epoch.
"""

from __future__ import annotations

import msgspec

from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus, OrderType, TimeInForce


class OrderStatusReport(msgspec.Struct, frozen=True):
    """One order as the venue sees it now.

    ``status`` uses the engine's ``OrderStatus`` (a venue maps its own words onto it: Binance
    ``NEW`` -> ACCEPTED, ``PARTIALLY_FILLED``, ``FILLED``, ``CANCELED``, ``EXPIRED``,
    ``REJECTED``). ``filled_qty`` is the cumulative filled quantity; the OMS fetches the fills
    themselves with ``Venue.fills_since`` when it is ahead of what it has applied. ``price``,
    ``qty`` and ``trigger_price`` are the order's terms *as the venue has them now* (after any
    modify): the OMS adopts them when it settles an order whose answer it missed.
    """

    client_order_id: str
    venue_order_id: str
    instrument: str
    side: Side
    qty: int
    status: OrderStatus
    filled_qty: int = 0
    price: int | None = None
    order_type: OrderType = OrderType.LIMIT
    tif: TimeInForce = TimeInForce.GTC
    ts_event: int = 0
    reason: str = ""
    trigger_price: int | None = None  # stops: the trigger in force at the venue


class PositionReport(msgspec.Struct, frozen=True):
    """The venue's view of the account's net position in one instrument (lots, signed)."""

    instrument: str
    qty: int
