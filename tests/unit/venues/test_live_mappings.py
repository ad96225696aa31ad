"""Venue words -> engine words: Binance order statuses, ccxt errors and numbers."""

from decimal import Decimal

import pytest

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import OrderStatus
from tradeterm.venues.binance_queries import order_status
from tradeterm.venues.ccxt_mapping import is_uncertain, order_report, reject_reason, to_units


@pytest.mark.parametrize("word,status", [
    ("NEW", OrderStatus.ACCEPTED), ("PARTIALLY_FILLED", OrderStatus.PARTIALLY_FILLED),
    ("FILLED", OrderStatus.FILLED), ("CANCELED", OrderStatus.CANCELED),
    ("PENDING_CANCEL", OrderStatus.PENDING_CANCEL), ("EXPIRED", OrderStatus.EXPIRED),
    ("EXPIRED_IN_MATCH", OrderStatus.EXPIRED), ("REJECTED", OrderStatus.REJECTED)])
def test_binance_statuses(word, status):
    assert order_status(word) is status


def test_an_unknown_binance_status_is_not_guessed():
    with pytest.raises(ValueError, match="PENDING_NEW"):
        order_status("PENDING_NEW")


def test_ccxt_errors_are_refusals_or_uncertain():
    import ccxt

    refusals = {ccxt.InsufficientFunds("x"): "INSUFFICIENT_FUNDS",
                ccxt.InvalidOrder("x"): "INVALID_ORDER",
                ccxt.OrderImmediatelyFillable("x"): "POST_ONLY_WOULD_TAKE",
                ccxt.AuthenticationError("x"): "AUTHENTICATION",
                ccxt.RateLimitExceeded("x"): "RATE_LIMIT",
                ccxt.InvalidNonce("x"): "VENUE_REJECTED",
                ccxt.BadSymbol("x"): "UNKNOWN_INSTRUMENT"}
    for exc, reason in refusals.items():
        assert not is_uncertain(exc) and reject_reason(exc) == reason, exc
    for exc in (ccxt.RequestTimeout("x"), ccxt.NetworkError("x"), ccxt.ExchangeNotAvailable("x"),
                ccxt.OperationFailed("x"), ccxt.BadResponse("x")):
        assert is_uncertain(exc), exc


def test_ccxt_numbers_and_orders():
    inst = Instrument("ccxt-x", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"))
    assert to_units(61800.07, inst.tick_size) == 6180007
    assert to_units(0.1 + 0.2, inst.lot_size) == 30000  # float noise rounds to the lot
    report = order_report({"id": 7, "clientOrderId": "TT1", "side": "sell", "amount": 0.01,
                           "filled": 0.004, "status": "open", "price": 61800.07,
                           "type": "limit", "timestamp": 1000}, inst)
    assert (report.status, report.filled_qty, report.qty, report.price, report.ts_event) == (
        OrderStatus.PARTIALLY_FILLED, 400, 1000, 6180007, 1_000_000_000)
