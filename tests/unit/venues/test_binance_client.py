"""Pieces of the native Binance venue that need no exchange: error classification, credentials,
symbol rules and the feed's handling of odd messages."""

import pickle
from decimal import Decimal

import pytest

from tradeterm.config import load_settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType
from tradeterm.venues.binance_errors import BinanceError, reject_reason
from tradeterm.venues.binance_feed import BinanceMarketFeed
from tradeterm.venues.binance_rest import Credentials
from tradeterm.venues.binance_symbols import parse_symbol, venue_symbol

BTCUSDT_INFO = {
    "symbol": "BTCUSDT",
    "status": "TRADING",
    "baseAsset": "BTC",
    "baseAssetPrecision": 8,
    "quoteAsset": "USDT",
    "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT"],
    "filters": [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": "0.01000000",
            "maxPrice": "1000000.00000000",
            "tickSize": "0.01000000",
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": "0.00001000",
            "maxQty": "9000.00000000",
            "stepSize": "0.00001000",
        },
        {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": True},
    ],
}


@pytest.mark.parametrize(
    ("code", "msg", "reason"),
    [
        (-2010, "Account has insufficient balance for requested action.", "INSUFFICIENT_FUNDS"),
        (-2010, "Order would immediately match and take.", "POST_ONLY_WOULD_TAKE"),
        (-2010, "Duplicate order sent.", "DUPLICATE_ORDER"),
        (-2010, "Something new from Binance.", "VENUE_REJECTED"),
        (-1013, "Filter failure: LOT_SIZE", "FILTER_LOT_SIZE"),
        (-1013, "Filter failure: NOTIONAL", "FILTER_NOTIONAL"),
        (-1022, "Signature for this request is not valid.", "BAD_SIGNATURE"),
        (
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
            "TIMESTAMP_OUTSIDE_RECV_WINDOW",
        ),
        (-2015, "Invalid API-key, IP, or permissions for action.", "BAD_API_KEY"),
        (-1121, "Invalid symbol.", "UNKNOWN_SYMBOL"),
        (-9999, "?", "BINANCE_9999"),
    ],
)
def test_reject_reasons(code, msg, reason):
    assert reject_reason(code, msg) == reason
    assert BinanceError(code, msg).reason == reason


def test_credentials_never_show():
    creds = Credentials("my-api-key-123", "my-secret-456")
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert "my-api-key" not in text and "my-secret" not in text
    with pytest.raises(TypeError):
        pickle.dumps(creds)
    # Binance's documented example signature
    doc = Credentials(
        "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    )
    payload = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    assert doc.sign(payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    with pytest.raises(ValueError):
        Credentials("", "x")


def test_symbol_rules_from_exchange_info():
    rules = parse_symbol(BTCUSDT_INFO, "BTC/USDT")
    inst = rules.instrument
    assert (inst.id, inst.tick_size, inst.lot_size) == (
        "binance:BTC/USDT",
        Decimal("0.01"),
        Decimal("1E-8"),
    )
    assert (rules.step_lots, rules.min_qty_lots, rules.min_notional) == (1000, 1000, 5)
    assert venue_symbol("btc/usdt") == "BTCUSDT"

    def order(qty: str, price: str | None = "60000", **kw) -> Order:
        return Order(
            "x",
            inst.id,
            Side.BUY,
            inst.qty_to_lots(qty),
            price=None if price is None else inst.price_to_ticks(price),
            **kw,
        )

    assert rules.check(order("0.001")) is None
    assert rules.check(order("0.000015"))[0] == "FILTER_LOT_SIZE"
    assert rules.check(order("0.00005"))[0] == "FILTER_NOTIONAL"  # 3 USDT
    assert rules.check(order("0.001", None, order_type=OrderType.MARKET)) is None
    assert rules.check(order("0.001", order_type=OrderType.STOP_MARKET))[0] == "UNSUPPORTED_ORDER"


def test_feed_drops_odd_messages_and_sees_server_shutdown():
    rules = parse_symbol(BTCUSDT_INFO, "BTC/USDT")
    bus = MessageBus()
    published = []
    bus.subscribe("*", published.append)
    feed = BinanceMarketFeed(
        "binance", bus, LiveClock(), [rules.instrument], load_settings().binance, "ws://127.0.0.1:1"
    )
    assert feed.streams() == ["btcusdt@depth@100ms", "btcusdt@trade", "btcusdt@bookTicker"]
    assert feed._on_message(b"{not json") is False
    assert feed._on_message(b'{"result": null, "id": 1}') is False  # a SUBSCRIBE answer
    assert (
        feed._on_message(b'{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT"}}') is False
    )  # malformed trade: dropped
    assert (
        feed._on_message(
            b'{"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT",'
            b'"t":5,"p":"1.001","q":"1","T":1,"m":true}}'
        )
        is False
    )  # off-tick
    assert feed.stats.bad_messages == 3 and published == []
    assert feed._on_message(b'{"e":"serverShutdown","E":1}') is True
    assert feed._on_message(b'{"stream":"x","data":{"e":"serverShutdown","E":1}}') is True
