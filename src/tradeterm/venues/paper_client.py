"""``PaperExecutionClient``: paper execution (``venues/paper.PaperExecution``) as a session's
``ExecutionClient`` on top of any data client. It takes the session's orders under the data
client's name and answers the OMS's queries about them from what it published in this
process."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from tradeterm.core import topics
from tradeterm.domain.events import (
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.matching.paper_fills import FillModel
from tradeterm.venues.base import DataClient, ExecutionClient
from tradeterm.venues.paper import PaperExecution


class PaperExecutionClient(ExecutionClient):
    """Paper execution on a data client's market data: trade on real (or recorded, or
    simulated) data, fill on paper. It takes the session's orders under the data client's name
    and answers the OMS's queries about them (reconciliation, uncertain orders) from what it
    published in this process."""

    keeps_state = False  # a restart starts a fresh paper account at the venue side
    amends_in_place = True  # modify_order amends the paper order (PaperExecution.modify_order)

    def __init__(self, data: DataClient, model: FillModel, seed: int = 0) -> None:
        self.name = data.name
        self._instruments = data.instruments()
        self.execution = PaperExecution(
            data.bus, data.clock, data.name, self._instruments, model, seed
        )
        # an order is in flight for up to the simulated latency: not "never placed" before
        self.request_window_ns = model.latency_ns + model.jitter_ns
        self.fill_log: list[OrderFilled] = []
        self._sent: dict[str, Order] = {}  # until accepted
        self._reports: dict[str, OrderStatusReport] = {}
        # told of every request as it goes to the paper venue: (kind "submit" | "cancel" |
        # "modify", the order, the price and qty asked for); a --paper replay going back
        # sends again those still unanswered at its target (``trading/paper_rewind.py``)
        self.watchers: list[Callable[[str, Order, int | None, int | None], None]] = []
        data.bus.subscribe(topics.orders(data.name), self._remember)

    def instruments(self) -> list[Instrument]:
        return list(self._instruments)

    def submit_order(self, order: Order) -> None:
        self._sent[order.client_order_id] = order
        self._tell("submit", order, order.price, order.qty)
        self.execution.submit_order(order)

    def cancel_order(self, order: Order) -> None:
        self._tell("cancel", order, None, None)
        self.execution.cancel_order(order)

    def modify_order(self, order: Order, price: int | None, qty: int | None) -> bool:
        self._tell("modify", order, price, qty)
        return self.execution.modify_order(order, price, qty)

    def _tell(self, kind: str, order: Order, price: int | None, qty: int | None) -> None:
        for watcher in self.watchers:
            watcher(kind, order, price, qty)

    def rewind(self, events: list[Any], orders: Mapping[str, Order]) -> None:
        """A replay went back: what it knows of the paper account is what ``events`` (this
        run's answers up to the target, in order) told it; ``orders``: the orders they are
        about, by client id."""
        self.fill_log.clear()
        self._sent.clear()
        self._reports.clear()
        for event in events:
            coid = getattr(event, "client_order_id", None)
            if type(event) is OrderAccepted and isinstance(coid, str) and coid in orders:
                self._sent[coid] = orders[coid]
            self._remember(event)

    # --- queries: the paper account of this process (``keeps_state = False``) ----------------
    def resume(self, session: int, positions: dict[str, int]) -> None:
        """Ids carry the session number, so a restarted paper session never reuses a trade id
        the store already holds (its fill would be taken for a repeat)."""
        self.execution.id_prefix = f"P{session}-"

    def _remember(self, event: Any) -> None:
        kind, coid = type(event), getattr(event, "client_order_id", None)
        if kind is OrderFilled:
            self.fill_log.append(event)
        if coid is None:
            return
        report = self._reports.get(coid)
        if report is None:
            if kind is OrderAccepted:
                order = self._sent.pop(coid, None)
                if order is not None:
                    self._reports[coid] = OrderStatusReport(
                        coid,
                        event.venue_order_id,
                        order.instrument,
                        order.side,
                        order.qty,
                        OrderStatus.ACCEPTED,
                        0,
                        order.price,
                        order.order_type,
                        order.tif,
                        event.ts_event,
                        trigger_price=order.trigger_price,
                    )
            elif kind in (OrderRejected, OrderCanceled, OrderExpired):
                self._sent.pop(coid, None)
            return
        if kind is OrderFilled:
            filled = report.filled_qty + event.qty
            report = msgspec.structs.replace(
                report,
                filled_qty=filled,
                ts_event=event.ts_event,
                status=OrderStatus.FILLED
                if event.leaves_qty <= 0
                else OrderStatus.PARTIALLY_FILLED,
            )
        elif kind is OrderModified:
            report = msgspec.structs.replace(report, price=event.price, qty=event.qty)
        elif kind in (OrderCanceled, OrderExpired):
            report = msgspec.structs.replace(
                report,
                status=OrderStatus.CANCELED if kind is OrderCanceled else OrderStatus.EXPIRED,
                ts_event=event.ts_event,
            )
        else:
            return
        self._reports[coid] = report

    async def query_order(self, client_order_id: str, instrument: str) -> OrderStatusReport | None:
        return self._reports.get(client_order_id)

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        return [
            r
            for r in self._reports.values()
            if r.status in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)
            and (instrument is None or r.instrument == instrument)
        ]

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        return [
            f
            for f in self.fill_log
            if f.ts_event >= since_ns and (instrument is None or f.instrument == instrument)
        ]
