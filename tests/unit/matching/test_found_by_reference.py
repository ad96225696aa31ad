"""Defects the engine-versus-reference state machine found (each with its smallest example)."""

from tests.unit.matching.recorder import BUY, SELL, make
from tradeterm.matching.orders import LIMIT, STP_CANCEL_RESTING, STP_NONE


def test_a_resting_order_keeps_its_own_self_trade_mode_when_repriced():
    """The instrument allows washes (STP none); an order that asked to cancel resting orders
    on a self-trade rests, then is repriced into its owner's bids: its own mode applies."""
    eng, rec = make(stp=STP_NONE)
    eng.submit_limit(2, 1, BUY, 99, 1)
    eng.submit_limit(3, 1, BUY, 99, 1)
    eng.submit(4, 1, SELL, 1, LIMIT, 100, stp=STP_CANCEL_RESTING)
    assert eng.modify(4, price=99)
    assert not rec.fills
    assert rec.reasons(2) == rec.reasons(3) == ["SELF_TRADE"]
    assert eng.best_ask == 99 and eng.best_bid is None


def test_pro_rata_level_where_nothing_traded_is_not_a_print():
    """Found by the slow run: in a pro-rata book the only order at a level was a reduce-only
    one with no room left; it was cancelled, nothing traded there, yet the level's price became
    the last price and triggered a stop."""
    from tradeterm.matching.orders import IOC, STOP_MARKET

    eng, rec = make(pro_rata=True)
    eng.track_position(2, -1)  # short 1: its reduce-only buys may buy 1
    eng.submit_limit(1, 3, BUY, 99, 1)
    eng.submit(2, 2, BUY, 1, LIMIT, 99, reduce_only=True)
    eng.submit(3, 2, BUY, 1, LIMIT, 98, reduce_only=True)
    eng.submit_limit(4, 5, BUY, 101, 1)
    eng.submit_limit(5, 6, SELL, 101, 1)  # last price 101
    eng.submit(6, 7, SELL, 1, STOP_MARKET, trigger=98)
    eng.submit(7, 8, SELL, 5, LIMIT, 97, IOC)  # 99 trades (2 lots), 98 has no room: cancelled
    assert rec.reasons(3) == ["REDUCE_ONLY"]
    assert eng.last_price == 99 and not rec.of("triggered") and 6 in eng.stops
