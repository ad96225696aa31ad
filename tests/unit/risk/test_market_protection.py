"""Market orders with protection (issue 13.6): a market order carries a protection price, never
trades beyond it, and is judged by risk by what it can reach (before: a resting buy far below
the market made every market sell DENIED SELF_CROSS)."""

from __future__ import annotations

import pytest

from tests.trading_harness import BTC, MID, Harness
from tradeterm.config import load_settings
from tradeterm.config.base import ConfigError
from tradeterm.core import topics
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderDenied
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderType, TimeInForce
from tradeterm.risk import codes
from tradeterm.trading.results import OrderSent

# the band through the reference (60,000.00 = 120,000 ticks of 0.5): 50 bps = 300 USD = 600 ticks
BUY_LIMIT, SELL_LIMIT = MID + 600, MID - 600


async def started(**sections) -> Harness:
    h = Harness(**sections)
    await h.start()
    return h


def test_the_protection_price_is_the_band_through_the_reference_rounded_toward_it():
    from tradeterm.risk.protection import protection_price

    # reference 60,000.00 (120,000 ticks of 0.5, given in half ticks): 50 bps = 300 USD
    assert protection_price(Side.BUY, 2 * MID, 50) == MID + 600
    assert protection_price(Side.SELL, 2 * MID, 50) == MID - 600
    # a mid between two ticks, and a band that ends between ticks: rounded toward the reference
    assert protection_price(Side.BUY, 2 * 1001 + 1, 100) == 1011  # 1001.5 * 1.01 = 1011.515
    assert protection_price(Side.SELL, 2 * 1001 + 1, 100) == 992  # 1001.5 * 0.99 = 991.485
    assert protection_price(Side.SELL, 3, 1_000) == 2  # never below one tick
    assert protection_price(Side.SELL, 1, 1_000) == 1


async def test_a_resting_buy_far_below_does_not_deny_a_market_sell():
    """The trader's case: a buy resting at 61000 with the bid at ~61743 (120 bps below) and a
    market sell. The sell can reach 50 bps down (the default), not the resting buy."""
    h = await started()
    far = h.submit(Side.BUY, 100, MID * 988 // 1000)  # 120 bps below the mid
    assert isinstance(far, Order)
    sell = h.submit(Side.SELL, 100, None)
    assert isinstance(sell, Order), sell
    sent = h.venue.sent[-1]
    assert sent.client_order_id == sell.client_order_id
    assert sent.order_type is OrderType.MARKET and sent.tif is TimeInForce.IOC
    assert sent.price == SELL_LIMIT


async def test_a_resting_buy_within_reach_is_still_a_self_cross():
    h = await started()
    assert isinstance(h.submit(Side.BUY, 100, MID - 500), Order)  # inside 50 bps
    result = h.submit(Side.SELL, 100, None)
    assert isinstance(result, OrderDenied) and result.reason == codes.SELF_CROSS
    assert "60 000" not in result.message and "59750.0" in result.message


async def test_the_band_is_configurable_and_bounded():
    h = await started(risk={"market_protection_bps": 10})
    assert isinstance(h.submit(Side.BUY, 100, MID - 500), Order)  # beyond 10 bps now
    assert isinstance(h.submit(Side.SELL, 100, None), Order)
    assert h.venue.sent[-1].price == MID - 120
    for bad in (0, -5, 1_001):
        with pytest.raises(ConfigError):
            load_settings(risk={"market_protection_bps": bad})
    with pytest.raises(ConfigError, match="price_band_bps"):
        load_settings(risk={"market_protection_bps": 200, "price_band_bps": 100})
    assert load_settings().risk.market_protection_bps == 50


async def test_a_market_order_whose_touch_is_beyond_its_protection_is_denied_with_the_reason():
    h = await started()
    h.book(BTC, MID - 2_000, MID + 2)  # a spread of 1,000 USD: 168 bps, over twice the band
    for side, best in ((Side.SELL, "bid 59000.0"), (Side.BUY, "ask 60001.0")):
        result = h.submit(side, 100, None)
        assert isinstance(result, OrderDenied) and result.reason == codes.MARKET_PROTECTION
        assert best in result.message and "use a limit order" in result.message
    assert not h.venue.sent
    assert isinstance(h.submit(Side.SELL, 100, MID - 2_000), Order)  # a limit order is fine


async def test_the_command_is_recorded_with_its_protection_and_a_market_order_never_rests():
    h = await started()
    commands: list = []
    h.bus.subscribe(topics.COMMAND, commands.append)
    cmd = SubmitOrder(
        h.clock.timestamp_ns(), h.desk.ids.next(), BTC.id, Side.BUY, 100, OrderType.MARKET
    )  # GTC by default: a market order cannot rest
    assert isinstance(h.desk.execute(cmd), OrderSent)
    recorded = [c for c in commands if isinstance(c, SubmitOrder)]
    assert recorded[-1].price == BUY_LIMIT and recorded[-1].tif is TimeInForce.IOC
    fok = h.order(Side.BUY, 100, None, tif=TimeInForce.FOK)
    assert h.desk.risk.protect(fok).tif is TimeInForce.FOK


async def test_the_preview_and_the_description_say_the_protection_price():
    from tradeterm.trading.order_text import describe

    h = await started()
    far = h.submit(Side.BUY, 100, MID * 988 // 1000)
    assert isinstance(far, Order)
    cmd = h.order(Side.SELL, 100, None, tif=TimeInForce.IOC)
    assert all(r.passed for r in h.desk.preview(cmd)), h.desk.preview(cmd)
    text = describe(h.desk.risk.protect(cmd), h.instruments)
    assert text == "SELL 0.0100 BTC/USD MKT (no lower than 59700.0) IOC"
    assert describe(cmd, h.instruments) == "SELL 0.0100 BTC/USD MKT IOC"
    buy = describe(h.desk.risk.protect(h.order(Side.BUY, 100, None)), h.instruments)
    assert "MKT (no higher than 60300.0)" in buy
