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
