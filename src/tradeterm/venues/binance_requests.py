"""Binance order requests over signed REST: place, cancel, look up, and the uncertain outcome.

A new order (``POST /api/v3/order``, or an OCO's two: ``POST /api/v3/orderList/oco``) with
no answer (``UnknownOutcome``) is never resent: each order is looked up by client order id
(``GET /api/v3/order``) until Binance knows it, or until its ``timestamp + recvWindow`` (and a
margin) has passed with Binance still not knowing it: then it can never be placed, and it is
rejected as ``NOT_PLACED``. A cancel (``DELETE /api/v3/order``) with an unknown outcome is
retried (cancelling twice is harmless); a refused one is answered by looking the order up.
Every answer goes to the execution's ``apply_status``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tradeterm.config import BinanceConfig
from tradeterm.core.backoff import Backoff
from tradeterm.domain.market import Side
from tradeterm.venues.binance_errors import BinanceError, UnknownOutcome, VenueUnreachable
from tradeterm.venues.binance_rest import BinanceRest
from tradeterm.venues.binance_symbols import SymbolRules
from tradeterm.venues.order_tracking import TrackedOrder

log = logging.getLogger(__name__)

RESOLVE_FIRST_S, RESOLVE_MAX_S = 0.1, 2.0  # asking about an order with no answer
CANCEL_RETRY_FIRST_S, CANCEL_RETRY_MAX_S = 0.2, 3.2  # a cancel that met a 5xx / timeout
NOT_PLACED_MARGIN_MS = 1000


class TrackedBinanceOrder(TrackedOrder):
    """What has been published for one order (by client order id), with its symbol's rules."""

    __slots__ = ("rules", "settling")

    def __init__(self, client_order_id: str, rules: SymbolRules, side: Side, qty: int) -> None:
        super().__init__(client_order_id, rules.instrument.id, side, qty)
        self.rules = rules
        self.settling = False


class OrderRequests:
    """The requests of one Binance execution. ``rest_of()`` is its REST client (None while not
    connected); ``apply_status`` takes each answer, ``reject`` a refusal, ``spawn`` a task."""

    def __init__(
        self,
        venue: str,
        cfg: BinanceConfig,
        rest_of: Callable[[], BinanceRest | None],
        apply_status: Callable[[TrackedBinanceOrder, dict[str, Any]], Awaitable[None]],
        reject: Callable[[TrackedBinanceOrder, str, str], None],
        spawn: Callable[[Any], None],
    ) -> None:
        self.venue = venue
        self.cfg = cfg
        self._rest_of = rest_of
        self._apply_status = apply_status
        self._reject = reject
        self._spawn = spawn
        self.resolved_by_query = 0

    async def submit(self, t: TrackedBinanceOrder, params: dict[str, Any]) -> None:
        rest = self._rest_of()
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
            log.warning(
                "%s: order %s outcome unknown (%s); asking the venue",
                self.venue,
                t.client_order_id,
                exc,
            )
            await self._resolve(t, exc)
        else:
            await self._apply_status(t, data)

    async def submit_list(self, legs: list[TrackedBinanceOrder], params: dict[str, Any]) -> None:
        """An OCO (``POST /api/v3/orderList/oco``): refused, every leg is rejected with the
        reason; no answer, every leg is looked up by its client order id like a single order
        (Binance places a list whole or not at all); else each leg's report is applied."""
        rest = self._rest_of()
        assert rest is not None
        try:
            data = await rest.signed("POST", "/api/v3/orderList/oco", params)
        except BinanceError as exc:
            if exc.code == -1021:
                self._spawn(rest.sync_time())
            for t in legs:
                self._reject(t, exc.reason, exc.msg)
        except VenueUnreachable as exc:
            for t in legs:
                self._reject(t, "VENUE_UNREACHABLE", str(exc))
        except UnknownOutcome as exc:
            log.warning(
                "%s: order list %s outcome unknown (%s); asking the venue",
                self.venue,
                params.get("listClientOrderId"),
                exc,
            )
            await asyncio.gather(*(self._resolve(t, exc) for t in legs))
        else:
            reports = {r.get("clientOrderId"): r for r in data.get("orderReports", [])}
            for t in legs:
                report = reports.get(t.client_order_id)
                if report is None:  # an answer without the leg's report: ask for it
                    await self.refresh(t)
                else:
                    await self._apply_status(t, report)

    async def _resolve(self, t: TrackedBinanceOrder, exc: UnknownOutcome) -> None:
        """Find out whether an order with no answer was placed, by its client order id."""
        rest = self._rest_of()
        assert rest is not None
        loop = asyncio.get_running_loop()
        sent = exc.timestamp_ms if exc.timestamp_ms is not None else rest.server_time_ms()
        window = exc.recv_window_ms if exc.recv_window_ms is not None else rest.recv_window_ms
        too_late_ms = sent + window + NOT_PLACED_MARGIN_MS
        give_up = loop.time() + self.cfg.resolve_timeout_s
        backoff = Backoff(RESOLVE_FIRST_S, RESOLVE_MAX_S)
        while not t.terminal:
            try:
                data = await self.query(t)
            except BinanceError as err:
                if err.code == -2013 and rest.server_time_ms() > too_late_ms:
                    self._reject(
                        t,
                        "NOT_PLACED",
                        "no answer, and after its receive window the "
                        "venue has no such order: it was never placed",
                    )
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
                log.error(
                    "%s: order %s still uncertain after %.0fs; reconciliation must settle it",
                    self.venue,
                    t.client_order_id,
                    self.cfg.resolve_timeout_s,
                )
                return
            await backoff.sleep()

    async def query(self, t: TrackedBinanceOrder) -> dict[str, Any]:
        rest = self._rest_of()
        assert rest is not None
        record: dict[str, Any] = await rest.signed(
            "GET",
            "/api/v3/order",
            {"symbol": t.rules.symbol, "origClientOrderId": t.client_order_id},
        )
        return record

    async def cancel(self, t: TrackedBinanceOrder) -> None:
        rest = self._rest_of()
        assert rest is not None
        backoff = Backoff(CANCEL_RETRY_FIRST_S, CANCEL_RETRY_MAX_S)
        for _attempt in range(5):
            try:
                data = await rest.signed(
                    "DELETE",
                    "/api/v3/order",
                    {"symbol": t.rules.symbol, "origClientOrderId": t.client_order_id},
                )
            except BinanceError as exc:
                log.info(
                    "%s: cancel of %s refused (%s); looking it up",
                    self.venue,
                    t.client_order_id,
                    exc.reason,
                )
                await self.refresh(t)
                if not t.terminal:
                    log.warning(
                        "%s: cancel of %s refused: %s", self.venue, t.client_order_id, exc.msg
                    )
                return
            except (UnknownOutcome, VenueUnreachable) as exc:
                log.warning(
                    "%s: cancel of %s: %s; trying again", self.venue, t.client_order_id, exc
                )
                await backoff.sleep()
                if t.terminal:
                    return
            else:
                await self._apply_status(t, data)
                return
        await self.refresh(t)

    async def refresh(self, t: TrackedBinanceOrder) -> None:
        """Look the order up and publish whatever we had not heard of."""
        try:
            data = await self.query(t)
        except (BinanceError, UnknownOutcome, VenueUnreachable) as exc:
            log.warning("%s: looking up %s: %s", self.venue, t.client_order_id, exc)
            return
        await self._apply_status(t, data)
