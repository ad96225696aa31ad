"""ccxt's words -> the engine's: errors -> reject reasons or uncertain outcomes, numbers ->
ticks and lots, orders -> ``OrderStatusReport``, trades -> ``OrderFilled``. ccxt is imported
inside the functions that need its exception classes (it is heavy; the engine starts without it).
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tradeterm.domain.events import Liquidity, OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus, OrderType
from tradeterm.domain.reports import OrderStatusReport

log = logging.getLogger(__name__)

MS = 1_000_000
STATUS = {
    "open": OrderStatus.ACCEPTED,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}


def reject_reason(exc: Exception) -> str:
    """A ccxt exception -> a stable reject reason (most specific class first)."""
    import ccxt

    for cls, reason in (
        (ccxt.InsufficientFunds, "INSUFFICIENT_FUNDS"),
        (ccxt.OrderImmediatelyFillable, "POST_ONLY_WOULD_TAKE"),
        (ccxt.DuplicateOrderId, "DUPLICATE_ORDER_ID"),
        (ccxt.InvalidOrder, "INVALID_ORDER"),
        (ccxt.AuthenticationError, "AUTHENTICATION"),
        (ccxt.PermissionDenied, "PERMISSION_DENIED"),
        (ccxt.AccountSuspended, "ACCOUNT_SUSPENDED"),
        (ccxt.RateLimitExceeded, "RATE_LIMIT"),
        (ccxt.BadSymbol, "UNKNOWN_INSTRUMENT"),
        (ccxt.BadRequest, "BAD_REQUEST"),
        (ccxt.NotSupported, "UNSUPPORTED"),
    ):
        if isinstance(exc, cls):
            return reason
    return "VENUE_REJECTED"


def is_uncertain(exc: Exception) -> bool:
    """True when the request may have been carried out: ccxt's ``OperationFailed`` family
    (``NetworkError``, ``RequestTimeout``, ``ExchangeNotAvailable``, ``BadResponse``, and a bare
    ``OperationFailed`` such as Binance -1001 "internal error"), except the refusals in it:
    ``RateLimitExceeded`` and ``InvalidNonce`` (refused before processing)."""
    import ccxt

    return isinstance(exc, ccxt.OperationFailed) and not isinstance(
        exc, (ccxt.RateLimitExceeded, ccxt.InvalidNonce)
    )


def to_units(value: Any, step: Decimal) -> int:
    """A ccxt number (float or string) -> whole steps (ticks or lots), rounded to nearest (half
    to even, named: not left to whatever context the caller runs in)."""
    return int((Decimal(str(value)) / step).to_integral_value(ROUND_HALF_EVEN))


def fill_event(
    tr: dict[str, Any],
    trade_id: str,
    cid: str,
    inst: Instrument,
    venue_order_id: str,
    side: Side,
    ts: int,
    now: int,
    leaves: int,
) -> OrderFilled:
    """``trade_id`` from ``ccxt_trades.trade_ids`` (the exchange's, or a synthetic one)."""
    fee, currency = trade_fee(tr, inst)
    return OrderFilled(
        ts,
        now,
        cid,
        inst.id,
        venue_order_id,
        trade_id,
        side,
        to_units(tr["price"], inst.tick_size),
        to_units(tr["amount"], inst.lot_size),
        Liquidity.MAKER if tr.get("takerOrMaker") == "maker" else Liquidity.TAKER,
        fee,
        currency,
        leaves,
    )


def trade_fee(tr: dict[str, Any], inst: Instrument) -> tuple[Decimal, str]:
    """A ccxt trade's fee as (amount, currency), exactly as the venue charged it: ccxt's
    ``fees`` (one entry per currency and rate), else its ``fee``. ccxt leaves ``fee`` empty
    when a trade paid in two currencies; one fill carries one fee, so then the fee in the
    instrument's base or quote currency is kept, else the first, and every other amount is
    logged as an error naming the trade (to reconcile by hand), never dropped unsaid."""
    entries = [f for f in (tr.get("fees") or [tr.get("fee")]) if f and f.get("cost") is not None]
    amounts: dict[str, Decimal] = {}
    for f in entries:
        currency = str(f.get("currency") or "")
        amounts[currency] = amounts.get(currency, Decimal(0)) + Decimal(str(f["cost"]))
    charged = {c: a for c, a in amounts.items() if a} or amounts
    if not charged:
        return Decimal(0), ""
    currency = next((c for c in charged if c in (inst.base, inst.quote)), next(iter(charged)))
    others = {c: a for c, a in charged.items() if c != currency}
    if others:
        log.error(
            "%s: trade %s paid fees in %d currencies; one fill carries one fee, so %s "
            "%s is booked and %s is not: reconcile it by hand",
            inst.id,
            tr.get("id"),
            len(charged),
            charged[currency],
            currency,
            ", ".join(f"{a} {c}" for c, a in others.items()),
        )
    return charged[currency], currency


def order_report(data: dict[str, Any], inst: Instrument) -> OrderStatusReport:
    filled = to_units(data.get("filled") or 0, inst.lot_size)
    status = STATUS.get(str(data.get("status")), OrderStatus.ACCEPTED)
    if status is OrderStatus.ACCEPTED and filled:
        status = OrderStatus.PARTIALLY_FILLED
    price = data.get("price")
    trigger = data.get("triggerPrice") or data.get("stopPrice")
    return OrderStatusReport(
        client_order_id=str(data.get("clientOrderId") or ""),
        venue_order_id=str(data.get("id")),
        instrument=inst.id,
        side=Side.BUY if data.get("side") == "buy" else Side.SELL,
        qty=to_units(data.get("amount") or 0, inst.lot_size),
        status=status,
        filled_qty=filled,
        price=to_units(price, inst.tick_size) if price else None,
        order_type=OrderType.MARKET if data.get("type") == "market" else OrderType.LIMIT,
        ts_event=int(data.get("lastUpdateTimestamp") or data.get("timestamp") or 0) * MS,
        trigger_price=to_units(trigger, inst.tick_size) if trigger else None,
    )


def short_error(exc: Exception) -> str:
    """An exception for a log line or reject message: type and the first 200 characters
    (ccxt messages carry the venue's answer, never the request's signature or key)."""
    return f"{type(exc).__name__}: {str(exc)[:200]}"
