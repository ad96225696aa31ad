"""What the Binance account looks like *now*: the venue's answers to the OMS's queries
(``Venue.query_order``, ``open_orders``, ``fills_since``, ``positions``), read from signed REST.

These are Binance's truth, never the engine's: an order is looked up by client order id
(``GET /api/v3/order?origClientOrderId=``), open orders listed per symbol
(``GET /api/v3/openOrders``), fills read from ``GET /api/v3/myTrades`` (paged with ``fromId``)
with the same trade ids the user data stream carries, so the OMS applies each fill once. A
query that could not be answered raises (the OMS retries, it never guesses); an order Binance
has no record of (-2013) is ``None``.

Binance status -> ``OrderStatus``: NEW -> ACCEPTED, PARTIALLY_FILLED, FILLED, CANCELED,
PENDING_CANCEL -> PENDING_CANCEL, EXPIRED and EXPIRED_IN_MATCH -> EXPIRED, REJECTED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus, OrderType, TimeInForce
from tradeterm.domain.reports import OrderStatusReport
from tradeterm.venues.binance_errors import BinanceError
from tradeterm.venues.binance_rest import BinanceRest
from tradeterm.venues.binance_symbols import SymbolRules

MS = 1_000_000
PAGE = 1000

STATUS = {
    "NEW": OrderStatus.ACCEPTED,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "PENDING_CANCEL": OrderStatus.PENDING_CANCEL,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
    "REJECTED": OrderStatus.REJECTED,
}
ORDER_TYPES = {
    "LIMIT": OrderType.LIMIT,
    "LIMIT_MAKER": OrderType.LIMIT,
    "MARKET": OrderType.MARKET,
    "STOP_LOSS": OrderType.STOP_MARKET,
    "STOP_LOSS_LIMIT": OrderType.STOP_LIMIT,
    "TAKE_PROFIT": OrderType.STOP_MARKET,
    "TAKE_PROFIT_LIMIT": OrderType.STOP_LIMIT,
}
UNKNOWN_ORDER = -2013


def order_status(text: str) -> OrderStatus:
    """A Binance order status word -> ``OrderStatus`` (an unknown word raises ``ValueError``:
    a status we cannot read must not be guessed)."""
    try:
        return STATUS[text]
    except KeyError:
        raise ValueError(f"unknown Binance order status {text!r}") from None


def order_report(rules: SymbolRules, d: dict[str, Any]) -> OrderStatusReport:
    """One order as Binance's REST shows it (query, openOrders, allOrders)."""
    inst = rules.instrument
    price = d.get("price")
    ticks = inst.parse_price(price) if price and Decimal(price) > 0 else None
    stop = d.get("stopPrice")
    trigger = inst.parse_price(stop) if stop and Decimal(stop) > 0 else None
    try:
        tif = TimeInForce(d.get("timeInForce") or "GTC")
    except ValueError:
        tif = TimeInForce.GTC
    return OrderStatusReport(
        client_order_id=str(d.get("clientOrderId", "")),
        venue_order_id=str(d.get("orderId", "")),
        instrument=inst.id,
        side=Side.BUY if d.get("side") == "BUY" else Side.SELL,
        qty=inst.parse_qty(str(d.get("origQty", "0"))),
        status=order_status(str(d["status"])),
        filled_qty=inst.parse_qty(str(d.get("executedQty", "0"))),
        price=ticks,
        order_type=ORDER_TYPES.get(str(d.get("type")), OrderType.LIMIT),
        tif=tif,
        ts_event=int(d.get("updateTime") or d.get("time") or 0) * MS,
        trigger_price=trigger,
    )


class BinanceQueries:
    """The four queries over a signed REST client (``rest()`` gives it).

    Without credentials there is no account to see: no open orders and no fills (market data
    sessions reconcile clean), but a single order cannot be looked up, so ``query_order``
    raises (a stored working order then keeps trading HALTED rather than being guessed closed).
    """

    def __init__(
        self,
        venue: str,
        rules: list[SymbolRules],
        rest: Callable[[], Awaitable[BinanceRest]],
        client_id_of: Callable[[str], str | None],
        has_account: bool = True,
    ) -> None:
        self.venue = venue
        self.rules = {r.instrument.id: r for r in rules}
        self.by_symbol = {r.symbol: r for r in rules}
        self.rest = rest
        self.has_account = has_account
        self._client_id_of = client_id_of  # venue order id -> client order id, if known

    async def query_order(self, client_order_id: str, instrument: str) -> OrderStatusReport | None:
        rules = self.rules.get(instrument)
        if rules is None:
            raise ValueError(f"{instrument} is not traded in this session")
        if not self.has_account:
            raise ConnectionError(f"no API key for {self.venue}: cannot look up orders")
        try:
            data = await (await self.rest()).signed(
                "GET",
                "/api/v3/order",
                {"symbol": rules.symbol, "origClientOrderId": client_order_id},
            )
        except BinanceError as exc:
            if exc.code == UNKNOWN_ORDER:
                return None
            raise
        return order_report(rules, data)

    async def open_orders(self, instrument: str | None = None) -> list[OrderStatusReport]:
        if not self.has_account:
            return []
        wanted = [self.rules[instrument]] if instrument else list(self.rules.values())
        reports: list[OrderStatusReport] = []
        for rules in wanted:
            data = await (await self.rest()).signed(
                "GET", "/api/v3/openOrders", {"symbol": rules.symbol}
            )
            reports.extend(order_report(rules, d) for d in data)
        return reports

    async def fills_since(self, since_ns: int, instrument: str | None = None) -> list[OrderFilled]:
        if not self.has_account:
            return []
        wanted = [self.rules[instrument]] if instrument else list(self.rules.values())
        fills: list[OrderFilled] = []
        for rules in wanted:
            fills.extend(await self._fills(rules, since_ns))
        fills.sort(key=lambda f: (f.ts_event, f.trade_id))
        return fills

    async def _fills(self, rules: SymbolRules, since_ns: int) -> list[OrderFilled]:
        rest = await self.rest()
        trades: list[dict[str, Any]] = await rest.signed(
            "GET",
            "/api/v3/myTrades",
            {"symbol": rules.symbol, "startTime": since_ns // MS, "limit": PAGE},
        )
        page = trades
        while len(page) == PAGE:  # older trades first with startTime; the rest by fromId
            page = await rest.signed(
                "GET",
                "/api/v3/myTrades",
                {"symbol": rules.symbol, "fromId": int(page[-1]["id"]) + 1, "limit": PAGE},
            )
            trades.extend(page)
        inst = rules.instrument
        client_ids: dict[str, str] = {}
        out = []
        for tr in sorted(trades, key=lambda t: int(t["id"])):
            ts = int(tr.get("time", 0)) * MS
            if ts < since_ns:
                continue
            venue_id = str(tr["orderId"])
            client_id = client_ids.get(venue_id) or self._client_id_of(venue_id)
            if client_id is None:
                order = await rest.signed(
                    "GET", "/api/v3/order", {"symbol": rules.symbol, "orderId": venue_id}
                )
                client_id = str(order.get("clientOrderId", ""))
            client_ids[venue_id] = client_id
            out.append(
                OrderFilled(
                    ts,
                    ts,
                    client_id,
                    inst.id,
                    venue_id,
                    str(tr["id"]),
                    Side.BUY if tr.get("isBuyer") else Side.SELL,
                    inst.parse_price(tr["price"]),
                    inst.parse_qty(tr["qty"]),
                    Liquidity.MAKER if tr.get("isMaker") else Liquidity.TAKER,
                    Decimal(str(tr.get("commission", "0"))),
                    str(tr.get("commissionAsset") or ""),
                    0,
                )
            )
        return out
