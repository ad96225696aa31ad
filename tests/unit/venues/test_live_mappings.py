"""Venue words -> engine words: Binance order statuses, ccxt errors and numbers."""

from decimal import Decimal

import pytest

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import OrderStatus
from tradeterm.venues.binance_queries import order_status
from tradeterm.venues.ccxt_mapping import is_uncertain, order_report, reject_reason, to_units


@pytest.mark.parametrize(
    "word,status",
    [
        ("NEW", OrderStatus.ACCEPTED),
        ("PARTIALLY_FILLED", OrderStatus.PARTIALLY_FILLED),
        ("FILLED", OrderStatus.FILLED),
        ("CANCELED", OrderStatus.CANCELED),
        ("PENDING_CANCEL", OrderStatus.PENDING_CANCEL),
        ("EXPIRED", OrderStatus.EXPIRED),
        ("EXPIRED_IN_MATCH", OrderStatus.EXPIRED),
        ("REJECTED", OrderStatus.REJECTED),
    ],
)
def test_binance_statuses(word, status):
    assert order_status(word) is status


def test_an_unknown_binance_status_is_not_guessed():
    with pytest.raises(ValueError, match="PENDING_NEW"):
        order_status("PENDING_NEW")


def test_ccxt_errors_are_refusals_or_uncertain():
    import ccxt

    refusals = {
        ccxt.InsufficientFunds("x"): "INSUFFICIENT_FUNDS",
        ccxt.InvalidOrder("x"): "INVALID_ORDER",
        ccxt.OrderImmediatelyFillable("x"): "POST_ONLY_WOULD_TAKE",
        ccxt.AuthenticationError("x"): "AUTHENTICATION",
        ccxt.RateLimitExceeded("x"): "RATE_LIMIT",
        ccxt.InvalidNonce("x"): "VENUE_REJECTED",
        ccxt.BadSymbol("x"): "UNKNOWN_INSTRUMENT",
    }
    for exc, reason in refusals.items():
        assert not is_uncertain(exc) and reject_reason(exc) == reason, exc
    for exc in (
        ccxt.RequestTimeout("x"),
        ccxt.NetworkError("x"),
        ccxt.ExchangeNotAvailable("x"),
        ccxt.OperationFailed("x"),
        ccxt.BadResponse("x"),
    ):
        assert is_uncertain(exc), exc


def test_ccxt_numbers_and_orders():
    inst = Instrument("ccxt-x", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"))
    assert to_units(61800.07, inst.tick_size) == 6180007
    assert to_units(0.1 + 0.2, inst.lot_size) == 30000  # float noise rounds to the lot
    report = order_report(
        {
            "id": 7,
            "clientOrderId": "TT1",
            "side": "sell",
            "amount": 0.01,
            "filled": 0.004,
            "status": "open",
            "price": 61800.07,
            "type": "limit",
            "timestamp": 1000,
        },
        inst,
    )
    assert (report.status, report.filled_qty, report.qty, report.price, report.ts_event) == (
        OrderStatus.PARTIALLY_FILLED,
        400,
        1000,
        6180007,
        1_000_000_000,
    )


CCXT_BTC = Instrument(
    "ccxt-binance", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00000001")
)


def ccxt_trade(**fee_fields):
    """A trade as ccxt's own ``safe_trade`` leaves it (floats, ``fee`` and ``fees``)."""
    import ccxt

    raw = {
        "id": "77",
        "order": "9",
        "price": "60000.01",
        "amount": "0.00051",
        "side": "buy",
        "takerOrMaker": "taker",
        **fee_fields,
    }
    return ccxt.Exchange().safe_trade(raw)


def fill_of(trade):
    from tradeterm.domain.market import Side
    from tradeterm.venues.ccxt_mapping import fill_event

    return fill_event(trade, "77", "c1", CCXT_BTC, "9", Side.BUY, 1, 2, 0)


def test_a_ccxt_fee_keeps_its_currency_and_exact_amount():
    fill = fill_of(ccxt_trade(fee={"cost": "0.00000051", "currency": "BTC"}))
    assert (fill.fee, fill.fee_currency) == (Decimal("0.00000051"), "BTC")
    fill = fill_of(ccxt_trade(fee={"cost": "0.0306", "currency": "USDT"}))
    assert (fill.fee, fill.fee_currency) == (Decimal("0.0306"), "USDT")
    fill = fill_of(ccxt_trade())  # no fee reported
    assert (fill.fee, fill.fee_currency) == (Decimal(0), "")


def test_a_ccxt_trade_paying_two_currencies_is_not_booked_as_free(caplog):
    # ccxt empties ``fee`` when ``fees`` has two currencies; that used to book a fee of 0
    trade = ccxt_trade(
        fees=[
            {"cost": "0.0002", "currency": "BNB"},
            {"cost": "0.00000051", "currency": "BTC"},
            {"cost": "0.00000001", "currency": "BTC"},
        ]
    )
    assert trade["fee"]["cost"] is None
    fill = fill_of(trade)
    assert (fill.fee, fill.fee_currency) == (Decimal("0.00000052"), "BTC")
    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "0.0002 BNB" in error.getMessage() and "77" in error.getMessage()
    only_bnb = fill_of(ccxt_trade(fees=[{"cost": "0.0002", "currency": "BNB"}]))
    assert (only_bnb.fee, only_bnb.fee_currency) == (Decimal("0.0002"), "BNB")
