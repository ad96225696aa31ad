"""Adopting an order found working at the venue that this engine did not place (EXTERNAL): the
website, another session, an order the store lost. Risk counts it from then on, so it is taken
as the venue has it: its status, what is left, what already filled (the fills we hold for it
give the exact value; a part whose fills are older than the look-back is valued at its limit
price), its trigger."""

from __future__ import annotations

from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.oms.registry import OrderRegistry
from tradeterm.oms.store_port import OrderStore

S = OrderStatus
WORKING = (S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED)


def adopt_external(
    report: OrderStatusReport, venue: str, store: OrderStore, registry: OrderRegistry, now: int
) -> Order:
    fills = [
        f for f in store.order_fills(report.client_order_id) if f.instrument == report.instrument
    ]
    seen_qty = sum(f.qty for f in fills)
    filled = max(report.filled_qty, seen_qty)
    value = sum(f.price * f.qty for f in fills) + (filled - seen_qty) * (report.price or 0)
    status = report.status if report.status in WORKING else S.ACCEPTED
    if filled >= report.qty:  # it filled while we looked (its fills are here already)
        status = S.FILLED
    elif filled and status is S.ACCEPTED:
        status = S.PARTIALLY_FILLED
    order = Order(
        report.client_order_id,
        report.instrument,
        report.side,
        report.qty,
        report.order_type,
        report.price,
        report.trigger_price,
        report.tif,
        ts_created=report.ts_event or now,
        status=status,
        venue_order_id=report.venue_order_id,
        filled_qty=filled,
        filled_value=value,
        ts_last=now,
    )
    order.external = True
    order.source = "external"
    store.insert_order(order, venue, 0)
    if not order.is_terminal:
        registry.track(order, venue)
    return order
