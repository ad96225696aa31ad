"""Binance symbols: ``GET /api/v3/exchangeInfo`` -> Instruments and each symbol's order rules.

The instrument's tick is the ``PRICE_FILTER`` tickSize. Its lot is the finest quantity Binance
writes (``10 ** -baseAssetPrecision``, 1e-8 on spot), not the order step: book quantities in the
depth stream are occasionally finer than the ``LOT_SIZE`` stepSize (3 of 126,090 levels in the
2024-08-08 BTCUSDT capture), and the book must hold them exactly. The order rules
(``SymbolRules``: step, minimum quantity, minimum notional, order types) are checked before an
order is sent, so a violation is refused locally with the reason Binance would give.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order, OrderType
from tradeterm.venues.binance_messages import binance_instrument
from tradeterm.venues.binance_errors import BinanceError
from tradeterm.venues.binance_rest import BinanceRest


class UnknownSymbol(ValueError):
    """A symbol the venue does not list (or does not trade)."""


def venue_symbol(symbol: str) -> str:
    """BTC/USDT (as the trader writes it) -> BTCUSDT."""
    return symbol.replace("/", "").replace("-", "").upper()


@dataclass(frozen=True, slots=True)
class SymbolRules:
    symbol: str  # BTCUSDT
    instrument: Instrument
    step_lots: int  # LOT_SIZE stepSize, in instrument lots
    min_qty_lots: int
    max_qty_lots: int
    min_notional: Decimal
    notional_applies_to_market: bool
    order_types: frozenset[str]

    def check(self, order: Order) -> tuple[str, str] | None:
        """(reason, message) if Binance would refuse ``order``, else None."""
        inst = self.instrument
        if order.order_type is OrderType.MARKET:
            wanted = "MARKET" if order.price is None else "LIMIT"  # protected: a limit IOC
        elif order.post_only:
            wanted = "LIMIT_MAKER"
        elif order.order_type is OrderType.LIMIT:
            wanted = "LIMIT"
        else:
            wanted = order.order_type.value
        if wanted not in self.order_types:
            return "UNSUPPORTED_ORDER", f"{self.symbol} does not take {wanted} orders"
        if order.qty % self.step_lots or not self.min_qty_lots <= order.qty <= self.max_qty_lots:
            fmt = inst.format_qty
            return (
                "FILTER_LOT_SIZE",
                f"quantity {fmt(order.qty)} must be a multiple of "
                f"{fmt(self.step_lots)} between {fmt(self.min_qty_lots)} and "
                f"{fmt(self.max_qty_lots)}",
            )
        if order.price is not None and self.min_notional:
            notional = inst.notional(order.price, order.qty)
            if notional < self.min_notional:
                return (
                    "FILTER_NOTIONAL",
                    f"order value {notional.normalize():f} is below the "
                    f"minimum of {self.min_notional.normalize():f} {inst.quote}",
                )
        return None


def parse_symbol(
    info: dict[str, Any], trader_symbol: str | None = None, venue: str = "binance"
) -> SymbolRules:
    """One entry of ``exchangeInfo.symbols``."""
    filters = {f["filterType"]: f for f in info.get("filters", [])}
    price_filter = filters.get("PRICE_FILTER", {})
    lot = filters.get("LOT_SIZE", {})
    notional = filters.get("NOTIONAL") or filters.get("MIN_NOTIONAL") or {}
    base, quote = info["baseAsset"], info["quoteAsset"]
    precision = int(info.get("baseAssetPrecision", 8))
    lot_size = Decimal(1).scaleb(-precision)
    tick = Decimal(price_filter.get("tickSize", "0.00000001"))
    step = Decimal(lot.get("stepSize", "0")) or lot_size
    min_qty = Decimal(lot.get("minQty", "0")) or step
    max_qty = Decimal(lot.get("maxQty", "0"))
    inst = binance_instrument(
        trader_symbol or f"{base}/{quote}",
        base,
        quote,
        f"{tick.normalize():f}",
        f"{lot_size:f}",
        str(notional.get("minNotional", "0")),
        venue=venue,
        qty_step_lots=max(1, int(step / lot_size)),
    )
    return SymbolRules(
        info["symbol"],
        inst,
        int(step / lot_size),
        int(min_qty / lot_size),
        int(max_qty / lot_size) if max_qty else 10**30,
        Decimal(notional.get("minNotional", 0)),
        bool(notional.get("applyMinToMarket", notional.get("applyToMarket", True))),
        frozenset(info.get("orderTypes", ("LIMIT", "MARKET"))),
    )


async def fetch_symbols(
    rest: BinanceRest, symbols: list[str], venue: str = "binance"
) -> list[SymbolRules]:
    """Rules and instruments for the trader's symbols (``BTC/USDT``), in the order given.
    Raises ``UnknownSymbol`` naming every symbol the venue does not trade."""
    wanted = {venue_symbol(s): s for s in symbols}
    try:
        info = await rest.public("/api/v3/exchangeInfo", {"symbols": symbols_param(symbols)})
    except BinanceError as exc:
        if exc.code != -1121:
            raise
        info = await rest.public("/api/v3/exchangeInfo")  # the whole list, to name the culprits
    listed = {s["symbol"]: s for s in info.get("symbols", [])}
    missing = [
        t
        for v, t in wanted.items()
        if v not in listed or listed[v].get("status", "TRADING") != "TRADING"
    ]
    if missing:
        raise UnknownSymbol(f"not traded on {venue}: {', '.join(missing)}")
    return [parse_symbol(listed[v], t if "/" in t else None, venue) for v, t in wanted.items()]


def symbols_param(symbols: list[str]) -> str:
    """``exchangeInfo?symbols=`` takes a JSON list."""
    return json.dumps([venue_symbol(s) for s in symbols], separators=(",", ":"))
