"""Binance order execution: signed REST for orders, the user data stream for what happens to them.

* **Submit**: ``POST /api/v3/order`` with the engine's client order id as ``newClientOrderId``
  (Binance refuses a second open order with the same id, so nothing is ever placed twice). A
  refusal publishes ``OrderRejected`` with a stable reason (``binance_errors.reject_reason``); an
  order that breaks the symbol's rules is refused locally before it leaves.
* **Uncertain outcome** (HTTP 5xx, timeout, connection lost, -1006/-1007; the requests and
  their retries are ``binance_requests.OrderRequests``'s): the order is *not*
  rejected and *not* resent. It is looked up by client order id (``GET /api/v3/order``) until
  Binance knows it, or until its ``timestamp + recvWindow`` has passed with Binance still not
  knowing it: then it can never be placed, and it is rejected as ``NOT_PLACED``.
* **OCO** (``submit_list``): ``POST /api/v3/orderList/oco``, each leg under its own client order
  id and followed as its own order (its ``executionReport``s: when one trades or triggers,
  Binance expires the other); a refusal rejects both, an unknown outcome is resolved per leg.
  The list's ``listStatus`` ALL_DONE looks up a leg whose own end we have not heard of.
* **Cancel**: ``DELETE /api/v3/order`` by client order id; a cancel with an unknown outcome is
  retried (cancelling twice is harmless); a refused cancel is answered by looking the order up.
* **Events** come from the user data stream (listen key, ``executionReport``) and from REST
  answers, whichever is first; each is published once: ``OrderAccepted`` once and only before
  any fill, each fill once by trade id (a repeated ``executionReport`` is dropped), a terminal
  event once and only after every fill Binance reports for the order (missing fills are fetched
  with ``GET /api/v3/myTrades?orderId=``). After the stream reconnects, every order still open is
  looked up, so nothing that happened while it was down is lost.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

from tradeterm.config import BinanceConfig
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.orders import Order
from tradeterm.domain.market import Side
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
from tradeterm.venues.binance_list_params import oco_params
from tradeterm.venues.binance_order_params import order_params
from tradeterm.venues.binance_requests import OrderRequests, TrackedBinanceOrder
from tradeterm.venues.binance_rest import BinanceRest
from tradeterm.venues.binance_symbols import SymbolRules
from tradeterm.venues.order_tracking import OrderEventPublisher

log = logging.getLogger(__name__)

MS = 1_000_000
FILL_GRACE_S = 0.5  # how long a REST answer waits for the stream's fills before fetching them
TERMINAL = {
    "CANCELED": "canceled",
    "EXPIRED": "expired",
    "EXPIRED_IN_MATCH": "expired",
    "REJECTED": "rejected",
}


class BinanceExecution(OrderEventPublisher):
    def __init__(
        self,
        venue: str,
        bus: MessageBus,
        clock: Clock,
        rules: list[SymbolRules],
        cfg: BinanceConfig,
    ) -> None:
        self.venue = venue
        self.bus = bus
        self.clock = clock
        self.cfg = cfg
        self.rules = {r.instrument.id: r for r in rules}
        self.by_symbol = {r.symbol: r for r in rules}
        self.orders: dict[str, TrackedBinanceOrder] = {}
        self.rest: BinanceRest | None = None
        self.stream_connected = False
        self.duplicates_dropped = 0
        self._topic = topics.orders(venue)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.requests = OrderRequests(
            venue, cfg, lambda: self.rest, self._apply_status, self._reject, self._spawn
        )

    # --- commands (from the engine; return at once) ---------------------------------------------
    def submit(self, order: Order) -> None:
        rules = self.rules.get(order.instrument)
        if rules is None:
            self._publish_reject(
                order.client_order_id,
                order.instrument,
                "UNKNOWN_INSTRUMENT",
                f"{order.instrument} is not traded in this session",
            )
            return
        params, problem = order_params(order, rules)
        if problem is None:
            problem = rules.check(order)
        if problem is not None:
            self._publish_reject(order.client_order_id, order.instrument, *problem)
            return
        if self.rest is None:
            self._publish_reject(
                order.client_order_id,
                order.instrument,
                "NOT_CONNECTED",
                f"{self.venue} is not connected yet",
            )
            return
        tracked = TrackedBinanceOrder(order.client_order_id, rules, order.side, order.qty)
        self.orders[order.client_order_id] = tracked
        self._spawn(self.requests.submit(tracked, params))

    def submit_list(self, orders: list[Order], list_id: str) -> None:
        """An OCO as Binance's order list (``binance_list_params``); each leg is tracked and
        reported as its own order from here on."""
        rules = self.rules.get(orders[0].instrument)
        params: dict[str, Any] = {}
        if rules is None:
            problem: tuple[str, str] | None = (
                "UNKNOWN_INSTRUMENT",
                f"{orders[0].instrument} is not traded in this session",
            )
        else:
            params, problem = oco_params(orders, rules, list_id)
        if problem is None and self.rest is None:
            problem = ("NOT_CONNECTED", f"{self.venue} is not connected yet")
        if problem is not None or rules is None:
            for order in orders:
                self._publish_reject(order.client_order_id, order.instrument, *(problem or ()))
            return
        legs = [TrackedBinanceOrder(o.client_order_id, rules, o.side, o.qty) for o in orders]
        for t in legs:
            self.orders[t.client_order_id] = t
        self._spawn(self.requests.submit_list(legs, params))

    def cancel(self, order: Order) -> None:
        tracked = self.orders.get(order.client_order_id)
        rules = self.rules.get(order.instrument)
        if tracked is None and rules is not None:  # e.g. an order from before a restart
            tracked = TrackedBinanceOrder(order.client_order_id, rules, order.side, order.qty)
            tracked.filled = order.filled_qty
            self.orders[order.client_order_id] = tracked
        if tracked is None or tracked.terminal or self.rest is None:
            log.warning(
                "%s: cannot cancel %s now (unknown, finished or not connected)",
                self.venue,
                order.client_order_id,
            )
            return
        self._spawn(self.requests.cancel(tracked))

    @property
    def resolved_by_query(self) -> int:
        return self.requests.resolved_by_query

    async def refresh(self, t: TrackedBinanceOrder) -> None:
        """Look the order up and publish whatever we had not heard of."""
        await self.requests.refresh(t)

    # --- what Binance says about an order -------------------------------------------------------
    async def _apply_status(self, t: TrackedBinanceOrder, data: dict[str, Any]) -> None:
        """An order as a REST answer shows it (new order RESULT, query, cancel)."""
        t.venue_order_id = str(data.get("orderId", t.venue_order_id))
        status = data.get("status", "NEW")
        ts = int(data.get("updateTime") or data.get("transactTime") or 0) * MS
        if status == "REJECTED":
            self._reject(t, "VENUE_REJECTED", "rejected by the matching engine")
            return
        self._accepted(t, ts)
        executed = t.rules.instrument.parse_qty(data.get("executedQty", "0"))
        kind = TERMINAL.get(status)
        if executed > t.filled or kind is not None:
            await self._settle(t, executed, kind, ts)

    async def _settle(
        self, t: TrackedBinanceOrder, executed: int, kind: str | None, ts: int
    ) -> None:
        """Publish the fills Binance reports and we have not, then the terminal event."""
        t.settling = True
        try:
            await self._settle_now(t, executed, kind, ts)
        finally:
            t.settling = False

    async def _settle_now(
        self, t: TrackedBinanceOrder, executed: int, kind: str | None, ts: int
    ) -> None:
        if executed > t.filled and self.stream_connected:
            loop = asyncio.get_running_loop()
            until = loop.time() + FILL_GRACE_S
            while t.filled < executed and loop.time() < until:
                await asyncio.sleep(0.02)  # the stream is usually a moment behind REST
        if executed > t.filled:
            await self._fetch_fills(t)
        if kind is not None and not t.terminal:
            if t.filled < executed:
                log.error(
                    "%s: %s reports %s filled, only %s found; leaving it open for reconciliation",
                    self.venue,
                    t.client_order_id,
                    t.rules.instrument.format_qty(executed),
                    t.rules.instrument.format_qty(t.filled),
                )
                return
            self._terminal(t, kind, ts)

    async def _fetch_fills(self, t: TrackedBinanceOrder) -> None:
        if not t.venue_order_id or self.rest is None:
            return
        try:
            trades = await self.rest.signed(
                "GET", "/api/v3/myTrades", {"symbol": t.rules.symbol, "orderId": t.venue_order_id}
            )
        except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
            log.warning("%s: fetching fills of %s: %s", self.venue, t.client_order_id, exc)
            return
        inst = t.rules.instrument
        for tr in sorted(trades, key=lambda x: int(x["id"])):
            self._fill(
                t,
                str(tr["id"]),
                inst.parse_price(tr["price"]),
                inst.parse_qty(tr["qty"]),
                bool(tr.get("isMaker")),
                Decimal(str(tr.get("commission", "0"))),
                str(tr.get("commissionAsset") or ""),
                int(tr.get("time", 0)) * MS,
            )

    # --- the user data stream's reports -------------------------------------------------------
    def on_execution_report(self, d: dict[str, Any]) -> None:
        kind = d.get("x")
        if kind == "TRADE_PREVENTION":  # self-trade prevention: terminal if the status says so
            kind = d.get("X") if d.get("X") in TERMINAL else None
        client_id: str = (d.get("C") if kind == "CANCELED" and d.get("C") else d.get("c", "")) or ""
        t = self.orders.get(client_id) or self._adopt(client_id, d)
        if t is None:
            return
        t.venue_order_id = str(d.get("i", t.venue_order_id))
        ts = int(d.get("T") or d.get("E") or 0) * MS
        inst = t.rules.instrument
        cumulative = inst.parse_qty(d.get("z", "0"))
        if kind == "NEW":
            self._accepted(t, ts)
        elif kind == "TRADE":
            self._fill(
                t,
                str(d["t"]),
                inst.parse_price(d["L"]),
                inst.parse_qty(d["l"]),
                bool(d.get("m")),
                Decimal(str(d.get("n") or "0")),
                str(d.get("N") or ""),
                ts,
            )
        elif kind in TERMINAL and kind != "REJECTED":
            if cumulative > t.filled:  # fills we missed (e.g. while the stream was down)
                self._spawn(self._settle(t, cumulative, TERMINAL[kind], ts))
                return
            self._terminal(t, TERMINAL[kind], ts)
        elif kind == "REJECTED":
            self._reject(t, str(d.get("r") or "VENUE_REJECTED"), "rejected by the venue")
        if kind == "TRADE" and cumulative > t.filled and not t.settling:
            self._spawn(self._settle(t, cumulative, None, ts))

    def on_list_status(self, d: dict[str, Any]) -> None:
        """A list's ``listStatus``. ALL_DONE: every order of the list is done at Binance, and
        it comes after their own reports; a leg still open here lost its report (its end, or
        a fill): looked up now rather than left working until the stream reconnects."""
        if d.get("L") != "ALL_DONE":
            return
        for leg in d.get("O") or []:
            t = self.orders.get(str(leg.get("c", "")))
            if t is not None and not t.terminal and not t.settling:
                log.info(
                    "%s: list %s is done; looking up %s", self.venue, d.get("C"), t.client_order_id
                )
                self._spawn(self.refresh(t))

    def _adopt(self, client_id: str, d: dict[str, Any]) -> TrackedBinanceOrder | None:
        """An order we did not place in this session (another session, the website)."""
        rules = self.by_symbol.get(str(d.get("s", "")))
        if rules is None or not client_id:
            return None
        side = Side.BUY if d.get("S") == "BUY" else Side.SELL
        t = TrackedBinanceOrder(client_id, rules, side, rules.instrument.parse_qty(d.get("q", "0")))
        self.orders[client_id] = t
        log.info("%s: tracking order %s placed outside this session", self.venue, client_id)
        return t

    def open_orders(self) -> list[TrackedBinanceOrder]:
        return [t for t in self.orders.values() if not t.terminal]

    # --- publishing, each event at most once (the rest is order_tracking.OrderEventPublisher) --
    def _fill(
        self,
        t: TrackedBinanceOrder,
        trade_id: str,
        price: int,
        qty: int,
        maker: bool,
        fee: Decimal,
        fee_currency: str,
        ts: int,
    ) -> None:
        if trade_id in t.trade_ids:
            self.duplicates_dropped += 1
            return
        if t.terminal or t.filled + qty > t.qty:
            fmt = t.rules.instrument.format_qty
            log.error(
                "%s: fill %s of %s does not fit the order (filled %s of %s, terminal %s); "
                "not applied",
                self.venue,
                trade_id,
                t.client_order_id,
                fmt(t.filled),
                fmt(t.qty),
                t.terminal,
            )
            return
        t.trade_ids.add(trade_id)
        t.filled += qty
        if t.filled == t.qty:
            t.terminal = True
        now = self.clock.timestamp_ns()
        self.bus.publish(
            self._topic,
            OrderFilled(
                ts or now,
                now,
                t.client_order_id,
                t.instrument,
                t.venue_order_id,
                trade_id,
                t.side,
                price,
                qty,
                Liquidity.MAKER if maker else Liquidity.TAKER,
                fee,
                fee_currency,
                t.qty - t.filled,
            ),
        )

    def _terminal(self, t: TrackedBinanceOrder, kind: str, ts: int) -> None:
        self._publish_terminal(t, kind != "canceled", ts)

    def _reject(self, t: TrackedBinanceOrder, reason: str, message: str) -> None:
        if t.terminal or t.accepted or t.filled:
            log.warning(
                "%s: %s refused after it was accepted: %s", self.venue, t.client_order_id, message
            )
            return
        t.terminal = True
        self._publish_reject(t.client_order_id, t.instrument, reason, message)
