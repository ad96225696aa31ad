"""Orders through ccxt: create / cancel / look up, and turning what ccxt reports into order
events, each published once.

* **Submit**: ``create_order`` with the engine's client order id (``clientOrderId``; ccxt maps it
  to the venue's own parameter, e.g. Binance ``newClientOrderId``). Refusals map to stable reject
  reasons (``reject_reason``). ``RateLimitExceeded`` is a refusal (nothing placed); the rest of
  ccxt's ``OperationFailed`` family (``RequestTimeout``, ``ExchangeNotAvailable``, an internal
  error) leaves the outcome *uncertain*: the order is never resent, it is looked up by client
  order id until the venue knows it (or the private stream reports it first), or rejected as
  ``NOT_PLACED`` once ``not_placed_after_s`` have passed without it.
* **Events** come from REST answers and from the private watchers / polling
  (``CcxtExecution.on_order``, ``on_trade``): ``OrderAccepted`` once and only before any fill,
  fills once by trade id, the terminal event once and only after the fills ccxt reports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from tradeterm.core import topics
from tradeterm.core.backoff import Backoff
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order
from tradeterm.venues.ccxt_mapping import (
    fill_event,
    is_uncertain,
    reject_reason,
    short_error,
    to_units,
)
from tradeterm.venues.ccxt_order_params import order_args
from tradeterm.venues.ccxt_trades import trade_ids
from tradeterm.venues.order_tracking import OrderEventPublisher, TrackedOrder

log = logging.getLogger(__name__)

MS = 1_000_000
RESOLVE_FIRST_S, RESOLVE_MAX_S = 0.1, 2.0  # asking about an order with no answer
CANCEL_RETRY_FIRST_S, CANCEL_RETRY_MAX_S = 0.2, 3.2  # a cancel that met a 5xx / timeout


class _Tracked(TrackedOrder):
    __slots__ = ("inst", "sent_at", "symbol")

    def __init__(self, cid: str, inst: Instrument, symbol: str, side: Side, qty: int) -> None:
        super().__init__(cid, inst.id, side, qty)
        self.inst = inst
        self.symbol = symbol
        self.sent_at = 0.0


class CcxtExecution(OrderEventPublisher):
    def __init__(
        self,
        venue: str,
        bus: MessageBus,
        clock: Clock,
        exchange_of: Callable[[], Any],
        instruments: dict[str, Instrument],
        symbols: dict[str, str],
        not_placed_after_s: float,
        resolve_timeout_s: float,
    ) -> None:
        self.venue = venue
        self.bus = bus
        self.clock = clock
        self._exchange_of = exchange_of  # the venue's exchange, created on the engine's loop
        self.instruments = instruments  # id -> Instrument
        self.symbols = symbols  # id -> ccxt symbol
        self.by_symbol = {s: instruments[i] for i, s in symbols.items()}
        self.not_placed_after_s = not_placed_after_s
        self.resolve_timeout_s = resolve_timeout_s
        self.orders: dict[str, _Tracked] = {}
        self.duplicates_dropped = 0
        self.resolved_by_query = 0
        self._topic = topics.orders(venue)
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def exchange(self) -> Any:
        return self._exchange_of()

    # --- commands ---------------------------------------------------------------------------------
    def submit(self, order: Order) -> None:
        inst = self.instruments.get(order.instrument)
        if inst is None:
            self._publish_reject(
                order.client_order_id,
                order.instrument,
                "UNKNOWN_INSTRUMENT",
                f"{order.instrument} is not traded in this session",
            )
            return
        args, problem = order_args(order, inst, self.symbols[inst.id])
        if problem is not None:
            self._publish_reject(order.client_order_id, order.instrument, *problem)
            return
        t = _Tracked(order.client_order_id, inst, self.symbols[inst.id], order.side, order.qty)
        self.orders[t.client_order_id] = t
        self._spawn(self._submit(t, args))

    def cancel(self, order: Order) -> None:
        t = self.orders.get(order.client_order_id)
        inst = self.instruments.get(order.instrument)
        if t is None and inst is not None:  # an order from before a restart, or adopted
            t = _Tracked(order.client_order_id, inst, self.symbols[inst.id], order.side, order.qty)
            t.filled, t.accepted = order.filled_qty, True
            t.venue_order_id = order.venue_order_id or ""
            self.orders[t.client_order_id] = t
        if t is None or t.terminal:
            return
        self._spawn(self._cancel(t))

    # --- REST flows -------------------------------------------------------------------------------
    async def _submit(self, t: _Tracked, args: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        t.sent_at = loop.time()
        try:
            data = await self.exchange.create_order(
                args["symbol"],
                args["type"],
                args["side"],
                args["amount"],
                args["price"],
                args["params"],
            )
        except Exception as exc:  # noqa: BLE001 - every ccxt error is mapped below
            if is_uncertain(exc):
                log.warning(
                    "%s: order %s outcome unknown (%s); asking the venue",
                    self.venue,
                    t.client_order_id,
                    type(exc).__name__,
                )
                await self._resolve(t)
            else:
                self._reject(t, reject_reason(exc), short_error(exc))
            return
        self.on_order(data, t)

    async def _resolve(self, t: _Tracked) -> None:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.resolve_timeout_s
        backoff = Backoff(RESOLVE_FIRST_S, RESOLVE_MAX_S)
        while not t.terminal and not t.venue_order_id:  # an id: the stream reported it first
            try:
                data = await self.find(t.client_order_id, t.symbol)
            except Exception as exc:  # noqa: BLE001
                log.warning(
                    "%s: looking up %s: %s", self.venue, t.client_order_id, short_error(exc)
                )
            else:
                if data is not None:
                    self.resolved_by_query += 1
                    self.on_order(data, t)
                    return
                if loop.time() - t.sent_at > self.not_placed_after_s and not t.venue_order_id:
                    self._reject(
                        t,
                        "NOT_PLACED",
                        "no answer, and the venue still has no such "
                        f"order {self.not_placed_after_s:g}s later: it was not placed",
                    )
                    return
            if loop.time() > give_up:
                log.error(
                    "%s: order %s still uncertain; reconciliation must settle it",
                    self.venue,
                    t.client_order_id,
                )
                return
            await backoff.sleep()

    async def find(self, client_order_id: str, symbol: str) -> dict[str, Any] | None:
        """The order with this client id as ccxt parses it, or None if the venue has none."""
        import ccxt

        ex = self.exchange
        try:
            order: dict[str, Any] | None = await ex.fetch_order(
                None,
                symbol,
                {"clientOrderId": client_order_id, "origClientOrderId": client_order_id},
            )
            return order
        except ccxt.OrderNotFound:
            return None
        except (ccxt.ArgumentsRequired, ccxt.NotSupported, ccxt.BadRequest):
            pass  # this venue cannot look orders up by client id: search the lists
        found: list[dict[str, Any]] = await ex.fetch_open_orders(symbol)
        if ex.has.get("fetchClosedOrders"):
            found += await ex.fetch_closed_orders(symbol)
        return next((o for o in found if o.get("clientOrderId") == client_order_id), None)

    async def _cancel(self, t: _Tracked) -> None:
        import ccxt

        backoff = Backoff(CANCEL_RETRY_FIRST_S, CANCEL_RETRY_MAX_S)
        for _attempt in range(5):
            try:
                if not t.venue_order_id:
                    data = await self.find(t.client_order_id, t.symbol)
                    if data is None:
                        log.warning(
                            "%s: cannot cancel %s: the venue has no such order",
                            self.venue,
                            t.client_order_id,
                        )
                        return
                    self.on_order(data, t)
                    if t.terminal:
                        return
                data = await self.exchange.cancel_order(t.venue_order_id, t.symbol)
            except ccxt.OrderNotFound:
                await self.refresh(t)  # it filled or was canceled: look at what happened
                return
            except Exception as exc:  # noqa: BLE001
                if not is_uncertain(exc):
                    log.warning(
                        "%s: cancel of %s refused: %s",
                        self.venue,
                        t.client_order_id,
                        short_error(exc),
                    )
                    await self.refresh(t)
                    return
                await backoff.sleep()
                if t.terminal:
                    return
            else:
                if data.get("status"):
                    self.on_order(data, t)
                else:
                    await self.refresh(t)
                return
        await self.refresh(t)

    async def refresh(self, t: _Tracked) -> None:
        try:
            data = await self.find(t.client_order_id, t.symbol)
        except Exception as exc:  # noqa: BLE001
            log.warning("%s: looking up %s: %s", self.venue, t.client_order_id, short_error(exc))
            return
        if data is not None:
            self.on_order(data, t)

    async def fetch_fills(self, t: _Tracked) -> None:
        since = None
        try:
            trades = await self.exchange.fetch_my_trades(
                t.symbol, since, None, {"orderId": t.venue_order_id}
            )
        except Exception as exc:  # noqa: BLE001
            log.warning(
                "%s: fetching fills of %s: %s", self.venue, t.client_order_id, short_error(exc)
            )
            return
        self.on_trades(
            [
                tr
                for tr in sorted(trades, key=lambda x: x.get("timestamp") or 0)
                if str(tr.get("order")) == t.venue_order_id
            ],
            t,
        )

    # --- what ccxt reports ------------------------------------------------------------------------
    def track(self, data: dict[str, Any]) -> _Tracked | None:
        cid = data.get("clientOrderId") or ""
        t = self.orders.get(cid)
        if t is None:
            inst = self.by_symbol.get(data.get("symbol", ""))
            if inst is None or not cid:
                return None
            side = Side.BUY if data.get("side") == "buy" else Side.SELL
            t = _Tracked(cid, inst, data["symbol"], side, to_units(data["amount"], inst.lot_size))
            self.orders[cid] = t
        return t

    def on_order(self, data: dict[str, Any], t: _Tracked | None = None) -> None:
        """An order as ccxt parses it (REST answer or ``watch_orders``)."""
        t = t or self.track(data)
        if t is None:
            return
        t.venue_order_id = str(data.get("id") or t.venue_order_id)
        ts = int(data.get("lastUpdateTimestamp") or data.get("timestamp") or 0) * MS
        status = data.get("status") or "open"
        if status == "rejected":
            self._reject(t, "VENUE_REJECTED", "rejected by the venue")
            return
        self._accepted(t, ts)
        self.on_trades(data.get("trades") or [], t)
        executed = to_units(data.get("filled") or 0, t.inst.lot_size)
        if executed > t.filled or status in ("canceled", "cancelled", "expired"):
            self._spawn(self._settle(t, executed, status, ts))

    async def _settle(self, t: _Tracked, executed: int, status: str, ts: int) -> None:
        if executed > t.filled:
            await self.fetch_fills(t)
        if status in ("canceled", "cancelled", "expired") and not t.terminal:
            if t.filled < executed:
                log.error(
                    "%s: %s reports %s filled, only %s found; leaving it open for reconciliation",
                    self.venue,
                    t.client_order_id,
                    t.inst.format_qty(executed),
                    t.inst.format_qty(t.filled),
                )
                return
            self._terminal(t, status, ts)

    def on_orders(self, orders: list[dict[str, Any]]) -> None:
        """A batch from ``watch_orders``."""
        for data in orders:
            self.on_order(data)

    def on_trades(self, trades: list[dict[str, Any]], t: _Tracked | None = None) -> None:
        """Our fills as ccxt lists them (``fetch_my_trades``, ``watch_my_trades``, an order's
        ``trades``): each with its id from ``ccxt_trades.trade_ids``, numbered within the list,
        so identical trades without an exchange id stay apart."""
        for trade_id, tr in zip(trade_ids(trades), trades):
            self.on_trade(tr, t, trade_id)

    def on_trade(
        self, tr: dict[str, Any], t: _Tracked | None = None, trade_id: str | None = None
    ) -> None:
        """One of our fills as ccxt parses it."""
        if t is None:
            t = next(
                (
                    o
                    for o in self.orders.values()
                    if o.venue_order_id and o.venue_order_id == str(tr.get("order"))
                ),
                None,
            )
            if t is None:
                return
        trade_id = trade_id or trade_ids([tr])[0]
        if trade_id in t.trade_ids:
            self.duplicates_dropped += 1
            return
        inst = t.inst
        qty = to_units(tr["amount"], inst.lot_size)
        if t.terminal or t.filled + qty > t.qty:
            log.error(
                "%s: fill %s of %s does not fit the order; not applied",
                self.venue,
                trade_id,
                t.client_order_id,
            )
            return
        t.trade_ids.add(trade_id)
        t.filled += qty
        t.terminal = t.filled == t.qty
        now = self.clock.timestamp_ns()
        ts = int(tr.get("timestamp") or 0) * MS or now
        self.bus.publish(
            self._topic,
            fill_event(
                tr,
                trade_id,
                t.client_order_id,
                inst,
                t.venue_order_id,
                t.side,
                ts,
                now,
                t.qty - t.filled,
            ),
        )

    # --- publishing (the rest is order_tracking.OrderEventPublisher) --------------------------
    def _terminal(self, t: _Tracked, status: str, ts: int) -> None:
        self._publish_terminal(t, status == "expired", ts)

    def _reject(self, t: _Tracked, reason: str, message: str) -> None:
        if t.terminal or t.accepted or t.filled:
            return
        t.terminal = True
        self._publish_reject(t.client_order_id, t.inst.id, reason, message)
