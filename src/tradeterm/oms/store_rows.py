"""Engine records <-> store rows: orders, fills and positions as the store's tables hold them
(integer ticks/lots, money as exact decimal text, enums by value)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from tradeterm.portfolio.position import Position


ORDER_KEYS = ("client_order_id", "venue", "instrument", "side", "qty", "order_type", "price",
              "trigger_price", "tif", "post_only", "reduce_only", "display_qty", "expire_ns",
              "status", "is_open", "venue_order_id", "filled_qty", "filled_value", "ts_created",
              "ts_last", "source", "external", "reason", "session")


def order_row(order: Order, venue: str, session: int) -> dict[str, Any]:
    return {
        "client_order_id": order.client_order_id, "venue": venue,
        "instrument": order.instrument, "side": int(order.side), "qty": order.qty,
        "order_type": order.order_type.value, "price": order.price,
        "trigger_price": order.trigger_price, "tif": order.tif.value,
        "post_only": order.post_only, "reduce_only": order.reduce_only,
        "display_qty": order.display_qty, "expire_ns": order.expire_ns,
        "status": order.status.value, "is_open": not order.is_terminal,
        "venue_order_id": order.venue_order_id, "filled_qty": order.filled_qty,
        "filled_value": order.filled_value, "ts_created": order.ts_created,
        "ts_last": order.ts_last, "source": order.source, "external": order.external,
        "reason": order.reason, "session": session,
    }


ORDER_UPDATE_KEYS = ("status", "is_open", "venue_order_id", "filled_qty", "filled_value",
                     "ts_last", "reason", "qty", "price", "trigger_price")
FILL_KEYS = ("venue", "trade_id", "client_order_id", "venue_order_id", "instrument", "side",
             "price", "qty", "fee", "fee_currency", "liquidity", "ts_event", "ts_recv", "note")
POSITION_KEYS = ("instrument", "qty", "cost", "realized", "fees", "fills", "volume", "ts_last")


def order_update_row(order: Order) -> dict[str, Any]:
    return {
        "k": order.client_order_id, "p_status": order.status.value,
        "p_is_open": not order.is_terminal, "p_venue_order_id": order.venue_order_id,
        "p_filled_qty": order.filled_qty, "p_filled_value": order.filled_value,
        "p_ts_last": order.ts_last, "p_reason": order.reason, "p_qty": order.qty,
        "p_price": order.price, "p_trigger_price": order.trigger_price,
    }


def order_from_row(row: Any) -> Order:
    order = Order(row.client_order_id, row.instrument, Side(row.side), row.qty,
                  OrderType(row.order_type), row.price, row.trigger_price,
                  TimeInForce(row.tif), bool(row.post_only), bool(row.reduce_only),
                  row.display_qty, row.expire_ns, row.ts_created, OrderStatus(row.status),
                  row.venue_order_id, row.filled_qty, row.filled_value, row.ts_last)
    order.source = row.source
    order.external = bool(row.external)
    order.reason = row.reason
    return order


def fill_from_row(row: Any) -> OrderFilled:
    return OrderFilled(row.ts_event, row.ts_recv, row.client_order_id, row.instrument,
                       row.venue_order_id, row.trade_id, Side(row.side), row.price, row.qty,
                       Liquidity(row.liquidity), Decimal(row.fee), row.fee_currency, 0, row.note)


def position_row(pos: Position) -> dict[str, Any]:
    return {"instrument": pos.instrument, "qty": pos.qty, "cost": pos.cost,
            "realized": pos.realized, "fees": str(pos.fees), "fills": pos.fills,
            "volume": pos.volume, "ts_last": pos.ts_last}
