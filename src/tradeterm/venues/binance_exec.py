"""Binance order execution: signed REST for orders, the user data stream for what happens to them.

* **Submit**: ``POST /api/v3/order`` with the engine's client order id as ``newClientOrderId``
  (Binance refuses a second open order with the same id, so nothing is ever placed twice). A
  refusal publishes ``OrderRejected`` with a stable reason (``binance_errors.reject_reason``); an
  order that breaks the symbol's rules is refused locally before it leaves.
* **Uncertain outcome** (HTTP 5xx, timeout, connection lost, -1006/-1007): the order is *not*
  rejected and *not* resent. It is looked up by client order id (``GET /api/v3/order``) until
  Binance knows it, or until its ``timestamp + recvWindow`` has passed with Binance still not
  knowing it: then it can never be placed, and it is rejected as ``NOT_PLACED``.
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
from tradeterm.core.backoff import Backoff
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.orders import Order
from tradeterm.domain.market import Side
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
from tradeterm.venues.binance_order_params import order_params
from tradeterm.venues.binance_rest import BinanceRest
from tradeterm.venues.binance_symbols import SymbolRules
from tradeterm.venues.order_tracking import OrderEventPublisher, TrackedOrder

log = logging.getLogger(__name__)

MS = 1_000_000
RESOLVE_FIRST_S, RESOLVE_MAX_S = 0.1, 2.0  # asking about an order with no answer
CANCEL_RETRY_FIRST_S, CANCEL_RETRY_MAX_S = 0.2, 3.2  # a cancel that met a 5xx / timeout
FILL_GRACE_S = 0.5  # how long a REST answer waits for the stream's fills before fetching them
NOT_PLACED_MARGIN_MS = 1000
TERMINAL = {"CANCELED": "canceled", "EXPIRED": "expired", "EXPIRED_IN_MATCH": "expired",
            "REJECTED": "rejected"}


class _Tracked(TrackedOrder):
    """What has been published for one order (by client order id), with its symbol's rules."""

    __slots__ = ("rules", "settling")

    def __init__(self, client_order_id: str, rules: SymbolRules, side: Side, qty: int) -> None:
        super().__init__(client_order_id, rules.instrument.id, side, qty)
        self.rules = rules
        self.settling = False


class BinanceExecution(OrderEventPublisher):
    def __init__(self, venue: str, bus: MessageBus, clock: Clock, rules: list[SymbolRules],
                 cfg: BinanceConfig) -> None:
        self.venue = venue
        self.bus = bus
        self.clock = clock
        self.cfg = cfg
        self.rules = {r.instrument.id: r for r in rules}
        self.by_symbol = {r.symbol: r for r in rules}
        self.orders: dict[str, _Tracked] = {}
        self.rest: BinanceRest | None = None
        self.stream_connected = False
        self.duplicates_dropped = 0
        self.resolved_by_query = 0
        self._topic = topics.orders(venue)
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- commands (from the engine; return at once) ---------------------------------------------
    def submit(self, order: Order) -> None:
        rules = self.rules.get(order.instrument)
        if rules is None:
            self._publish_reject(order.client_order_id, order.instrument, "UNKNOWN_INSTRUMENT",
                                 f"{order.instrument} is not traded in this session")
            return
        params, problem = order_params(order, rules)
        if problem is None:
            problem = rules.check(order)
        if problem is not None:
            self._publish_reject(order.client_order_id, order.instrument, *problem)
            return
        if self.rest is None:
            self._publish_reject(order.client_order_id, order.instrument, "NOT_CONNECTED",
                                 f"{self.venue} is not connected yet")
            return
        tracked = _Tracked(order.client_order_id, rules, order.side, order.qty)
        self.orders[order.client_order_id] = tracked
        self._spawn(self._submit(tracked, params))

    def cancel(self, order: Order) -> None:
        tracked = self.orders.get(order.client_order_id)
        rules = self.rules.get(order.instrument)
        if tracked is None and rules is not None:  # e.g. an order from before a restart
            tracked = _Tracked(order.client_order_id, rules, order.side, order.qty)
            tracked.filled = order.filled_qty
            self.orders[order.client_order_id] = tracked
        if tracked is None or tracked.terminal or self.rest is None:
            log.warning("%s: cannot cancel %s now (unknown, finished or not connected)",
                        self.venue, order.client_order_id)
            return
        self._spawn(self._cancel(tracked))

    # --- REST flows ------------------------------------------------------------------------------
    async def _submit(self, t: _Tracked, params: dict[str, Any]) -> None:
        rest = self.rest
        assert rest is not None
        try:
            data = await rest.signed("POST", "/api/v3/order", params)
        except BinanceError as exc:
            if exc.code == -1021:
                self._spawn(rest.sync_time())
            self._reject(t, exc.reason, exc.msg)
        except VenueUnreachable as exc:
            self._reject(t, "VENUE_UNREACHABLE", str(exc))
        except UnknownOutcome as exc:
            log.warning("%s: order %s outcome unknown (%s); asking the venue", self.venue,
                        t.client_order_id, exc)
            await self._resolve(t, exc)
        else:
            await self._apply_status(t, data)

    async def _resolve(self, t: _Tracked, exc: UnknownOutcome) -> None:
        """Find out whether an order with no answer was placed, by its client order id."""
        rest = self.rest
        assert rest is not None
        loop = asyncio.get_running_loop()
        sent = exc.timestamp_ms if exc.timestamp_ms is not None else rest.server_time_ms()
        window = exc.recv_window_ms if exc.recv_window_ms is not None else rest.recv_window_ms
        too_late_ms = sent + window + NOT_PLACED_MARGIN_MS
        give_up = loop.time() + self.cfg.resolve_timeout_s
        backoff = Backoff(RESOLVE_FIRST_S, RESOLVE_MAX_S)
        while not t.terminal:
            try:
                data = await self._query(t)
            except BinanceError as err:
                if err.code == -2013 and rest.server_time_ms() > too_late_ms:
                    self._reject(t, "NOT_PLACED", "no answer, and after its receive window the "
                                 "venue has no such order: it was never placed")
                    return
                if err.code != -2013:
                    log.warning("%s: looking up %s: %s", self.venue, t.client_order_id, err)
            except (UnknownOutcome, VenueUnreachable) as err:
                log.warning("%s: looking up %s: %s", self.venue, t.client_order_id, err)
            else:
                self.resolved_by_query += 1
                await self._apply_status(t, data)
                return
            if loop.time() > give_up:
                log.error("%s: order %s still uncertain after %.0fs; reconciliation must settle "
                          "it", self.venue, t.client_order_id, self.cfg.resolve_timeout_s)
                return
            await backoff.sleep()

    async def _query(self, t: _Tracked) -> dict[str, Any]:
        assert self.rest is not None
        record: dict[str, Any] = await self.rest.signed("GET", "/api/v3/order", {
            "symbol": t.rules.symbol, "origClientOrderId": t.client_order_id})
        return record

    async def _cancel(self, t: _Tracked) -> None:
        rest = self.rest
        assert rest is not None
        backoff = Backoff(CANCEL_RETRY_FIRST_S, CANCEL_RETRY_MAX_S)
        for _attempt in range(5):
            try:
                data = await rest.signed("DELETE", "/api/v3/order", {
                    "symbol": t.rules.symbol, "origClientOrderId": t.client_order_id})
            except BinanceError as exc:
                log.info("%s: cancel of %s refused (%s); looking it up", self.venue,
                         t.client_order_id, exc.reason)
                await self.refresh(t)
                if not t.terminal:
                    log.warning("%s: cancel of %s refused: %s", self.venue, t.client_order_id,
                                exc.msg)
                return
            except (UnknownOutcome, VenueUnreachable) as exc:
                log.warning("%s: cancel of %s: %s; trying again", self.venue,
                            t.client_order_id, exc)
                await backoff.sleep()
                if t.terminal:
                    return
            else:
                await self._apply_status(t, data)
                return
        await self.refresh(t)

    async def refresh(self, t: _Tracked) -> None:
        """Look the order up and publish whatever we had not heard of."""
        try:
            data = await self._query(t)
        except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
            log.warning("%s: looking up %s: %s", self.venue, t.client_order_id, exc)
            return
        await self._apply_status(t, data)

    async def _apply_status(self, t: _Tracked, data: dict[str, Any]) -> None:
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

    async def _settle(self, t: _Tracked, executed: int, kind: str | None, ts: int) -> None:
        """Publish the fills Binance reports and we have not, then the terminal event."""
        t.settling = True
        try:
            await self._settle_now(t, executed, kind, ts)
        finally:
            t.settling = False

    async def _settle_now(self, t: _Tracked, executed: int, kind: str | None, ts: int) -> None:
        if executed > t.filled and self.stream_connected:
            loop = asyncio.get_running_loop()
            until = loop.time() + FILL_GRACE_S
            while t.filled < executed and loop.time() < until:
                await asyncio.sleep(0.02)  # the stream is usually a moment behind REST
        if executed > t.filled:
            await self._fetch_fills(t)
        if kind is not None and not t.terminal:
            if t.filled < executed:
                log.error("%s: %s reports %s filled, only %s found; leaving it open for "
                          "reconciliation", self.venue, t.client_order_id,
                          t.rules.instrument.format_qty(executed),
                          t.rules.instrument.format_qty(t.filled))
                return
            self._terminal(t, kind, ts)

    async def _fetch_fills(self, t: _Tracked) -> None:
        if not t.venue_order_id or self.rest is None:
            return
        try:
            trades = await self.rest.signed("GET", "/api/v3/myTrades", {
                "symbol": t.rules.symbol, "orderId": t.venue_order_id})
        except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
            log.warning("%s: fetching fills of %s: %s", self.venue, t.client_order_id, exc)
            return
        inst = t.rules.instrument
        for tr in sorted(trades, key=lambda x: int(x["id"])):
            self._fill(t, str(tr["id"]), inst.parse_price(tr["price"]), inst.parse_qty(tr["qty"]),
                       bool(tr.get("isMaker")), Decimal(str(tr.get("commission", "0"))),
                       str(tr.get("commissionAsset") or ""), int(tr.get("time", 0)) * MS)

    # --- the user data stream's reports -------------------------------------------------------
    def on_execution_report(self, d: dict[str, Any]) -> None:
        kind = d.get("x")
        if kind == "TRADE_PREVENTION":  # self-trade prevention: terminal if the status says so
            kind = d.get("X") if d.get("X") in TERMINAL else None
        client_id: str = (d.get("C") if kind == "CANCELED" and d.get("C")
                          else d.get("c", "")) or ""
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
            self._fill(t, str(d["t"]), inst.parse_price(d["L"]), inst.parse_qty(d["l"]),
                       bool(d.get("m")), Decimal(str(d.get("n") or "0")), str(d.get("N") or ""),
                       ts)
        elif kind in TERMINAL and kind != "REJECTED":
            if cumulative > t.filled:  # fills we missed (e.g. while the stream was down)
                self._spawn(self._settle(t, cumulative, TERMINAL[kind], ts))
                return
            self._terminal(t, TERMINAL[kind], ts)
        elif kind == "REJECTED":
            self._reject(t, str(d.get("r") or "VENUE_REJECTED"), "rejected by the venue")
        if kind == "TRADE" and cumulative > t.filled and not t.settling:
            self._spawn(self._settle(t, cumulative, None, ts))

    def _adopt(self, client_id: str, d: dict[str, Any]) -> _Tracked | None:
        """An order we did not place in this session (another session, the website)."""
        rules = self.by_symbol.get(str(d.get("s", "")))
        if rules is None or not client_id:
            return None
        side = Side.BUY if d.get("S") == "BUY" else Side.SELL
        t = _Tracked(client_id, rules, side, rules.instrument.parse_qty(d.get("q", "0")))
        self.orders[client_id] = t
        log.info("%s: tracking order %s placed outside this session", self.venue, client_id)
        return t

    def open_orders(self) -> list[_Tracked]:
        return [t for t in self.orders.values() if not t.terminal]

    # --- publishing, each event at most once (the rest is order_tracking.OrderEventPublisher) --
    def _fill(self, t: _Tracked, trade_id: str, price: int, qty: int, maker: bool,
              fee: Decimal, fee_currency: str, ts: int) -> None:
        if trade_id in t.trade_ids:
            self.duplicates_dropped += 1
            return
        if t.terminal or t.filled + qty > t.qty:
            fmt = t.rules.instrument.format_qty
            log.error("%s: fill %s of %s does not fit the order (filled %s of %s, terminal %s); "
                      "not applied", self.venue, trade_id, t.client_order_id, fmt(t.filled),
                      fmt(t.qty), t.terminal)
            return
        t.trade_ids.add(trade_id)
        t.filled += qty
        if t.filled == t.qty:
            t.terminal = True
        now = self.clock.timestamp_ns()
        self.bus.publish(self._topic, OrderFilled(
            ts or now, now, t.client_order_id, t.instrument, t.venue_order_id, trade_id, t.side,
            price, qty, Liquidity.MAKER if maker else Liquidity.TAKER, fee, fee_currency,
            t.qty - t.filled))

    def _terminal(self, t: _Tracked, kind: str, ts: int) -> None:
        self._publish_terminal(t, kind != "canceled", ts)

    def _reject(self, t: _Tracked, reason: str, message: str) -> None:
        if t.terminal or t.accepted or t.filled:
            log.warning("%s: %s refused after it was accepted: %s", self.venue,
                        t.client_order_id, message)
            return
        t.terminal = True
        self._publish_reject(t.client_order_id, t.instrument, reason, message)
