"""Engine records <-> store rows: orders, fills and positions as the store's tables hold them
(integer ticks/lots, money as exact decimal text, enums by value).

Reading is checked column by column (``store_columns``): a store is a file on a disk, and a value
that is not what the column holds (an unknown status, text in a number column, a fee that is not a
decimal) raises ``CorruptRow`` naming the table, the row and the column, never a bare ValueError
half-way through loading a session.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tradeterm.domain.events import OrderFilled, TradingState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.oms.store_columns import RowReader
from tradeterm.portfolio.position import Position

ORDER_KEYS = (
    "client_order_id",
    "venue",
    "instrument",
    "side",
    "qty",
    "order_type",
    "price",
    "trigger_price",
    "tif",
    "post_only",
    "reduce_only",
    "display_qty",
    "expire_ns",
    "status",
    "is_open",
    "venue_order_id",
    "filled_qty",
    "filled_value",
    "ts_created",
    "ts_last",
    "source",
    "external",
    "reason",
    "session",
)


def order_row(order: Order, venue: str, session: int) -> dict[str, Any]:
    return {
        "client_order_id": order.client_order_id,
        "venue": venue,
        "instrument": order.instrument,
        "side": int(order.side),
        "qty": order.qty,
        "order_type": order.order_type.value,
        "price": order.price,
        "trigger_price": order.trigger_price,
        "tif": order.tif.value,
        "post_only": order.post_only,
        "reduce_only": order.reduce_only,
        "display_qty": order.display_qty,
        "expire_ns": order.expire_ns,
        "status": order.status.value,
        "is_open": not order.is_terminal,
        "venue_order_id": order.venue_order_id,
        "filled_qty": order.filled_qty,
        "filled_value": order.filled_value,
        "ts_created": order.ts_created,
        "ts_last": order.ts_last,
        "source": order.source,
        "external": order.external,
        "reason": order.reason,
        "session": session,
    }


ORDER_UPDATE_KEYS = (
    "status",
    "is_open",
    "venue_order_id",
    "filled_qty",
    "filled_value",
    "ts_last",
    "reason",
    "qty",
    "price",
    "trigger_price",
)
FILL_KEYS = (
    "venue",
    "trade_id",
    "client_order_id",
    "venue_order_id",
    "instrument",
    "side",
    "price",
    "qty",
    "fee",
    "fee_currency",
    "liquidity",
    "ts_event",
    "ts_recv",
    "note",
)
POSITION_KEYS = (
    "instrument",
    "qty",
    "cost",
    "realized",
    "fees",
    "fills",
    "volume",
    "ts_last",
    "fees_paid",
)


def order_update_row(order: Order) -> dict[str, Any]:
    return {
        "k": order.client_order_id,
        "p_status": order.status.value,
        "p_is_open": not order.is_terminal,
        "p_venue_order_id": order.venue_order_id,
        "p_filled_qty": order.filled_qty,
        "p_filled_value": order.filled_value,
        "p_ts_last": order.ts_last,
        "p_reason": order.reason,
        "p_qty": order.qty,
        "p_price": order.price,
        "p_trigger_price": order.trigger_price,
    }


_ROW_TYPES: dict[tuple[str, ...], Any] = {}


def named_row(cursor: Any, values: tuple[Any, ...]) -> Any:
    """A row read by column name (``row.venue``), as index or as a tuple (a row factory)."""
    fields = tuple(d[0] for d in cursor.description)
    cls: Any = _ROW_TYPES.get(fields)
    if cls is None:
        cls = _ROW_TYPES[fields] = namedtuple("Row", fields, rename=True)
    return cls._make(values)


def order_from_row(row: Any) -> Order:
    col = RowReader("orders", row)
    order = col.build(
        lambda: Order(
            col("client_order_id"),
            col("instrument"),
            col("side"),
            col("qty"),
            col("order_type"),
            col("price"),
            col("trigger_price"),
            col("tif"),
            col("post_only"),
            col("reduce_only"),
            col("display_qty"),
            col("expire_ns"),
            col("ts_created"),
            col("status"),
            col("venue_order_id"),
            col("filled_qty"),
            col("filled_value"),
            col("ts_last"),
        )
    )
    order.source = col("source")
    order.external = col("external")
    order.reason = col("reason")
    return order


def order_venue(row: Any) -> str:
    venue: str = RowReader("orders", row)("venue")
    return venue


def fill_from_row(row: Any) -> OrderFilled:
    col = RowReader("fills", row)
    return OrderFilled(
        col("ts_event"),
        col("ts_recv"),
        col("client_order_id"),
        col("instrument"),
        col("venue_order_id"),
        col("trade_id"),
        col("side"),
        col("price"),
        col("qty"),
        col("liquidity"),
        col("fee"),
        col("fee_currency"),
        0,
        col("note"),
    )


def position_from_row(row: Any) -> Position:
    """``fees`` is the quote-currency value, ``fees_paid`` every fee per currency (JSON text,
    schema version 1: ``migrations.py``)."""
    col = RowReader("positions", row)
    return Position(
        col("instrument"),
        col("qty"),
        col("cost"),
        col("realized"),
        col("fees"),
        col("fills"),
        col("volume"),
        col("ts_last"),
        col("fees_paid"),
    )


def trading_state_from_row(row: Any) -> tuple[TradingState, str, str, int]:
    col = RowReader("trading_state", row)
    return col("state"), col("reason"), col("source"), col("ts")


def day_from_row(row: Any) -> tuple[Decimal, Decimal, Decimal | None, int]:
    col = RowReader("pnl_days", row)
    return col("start_equity"), col("peak_equity"), col("last_equity"), col("ts")


def instrument_from_row(row: Any) -> Instrument:
    col = RowReader("instruments", row)
    return col.build(
        lambda: Instrument(
            col("venue"),
            col("symbol"),
            col("base"),
            col("quote"),
            col("tick_size"),
            col("lot_size"),
        )
    )


def position_row(pos: Position) -> dict[str, Any]:
    return {
        "instrument": pos.instrument,
        "qty": pos.qty,
        "cost": pos.cost,
        "realized": pos.realized,
        "fees": str(pos.fees),
        "fills": pos.fills,
        "volume": pos.volume,
        "ts_last": pos.ts_last,
        "fees_paid": pos.paid.to_text(),
    }


def audit_from_row(row: Any) -> Any:
    RowReader("audit", row).check_all()
    return row


#: table -> its checked decoder: what ``store_check`` verifies, row by row for the small tables
DECODERS: dict[str, Callable[[Any], Any]] = {
    "orders": order_from_row,
    "fills": fill_from_row,
    "positions": position_from_row,
    "trading_state": trading_state_from_row,
    "pnl_days": day_from_row,
    "instruments": instrument_from_row,
    "audit": audit_from_row,
}
