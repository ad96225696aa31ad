"""Two instruments and the order-entry context around them (BTC selected, one working order
T-7), for the order-entry grammar's tests (``tests/unit/test_orderentry*.py``)."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from tradeterm.domain.instruments import Instrument
from tradeterm.trading.orderentry import EntryContext, Market

BTC = Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))
ETH = Instrument("sim", "SIM-ETH/USD", "ETH", "USD", Decimal("0.01"), Decimal("0.001"))


def ctx(**markets) -> EntryContext:
    ids = count(1)
    return EntryContext(
        instruments=[BTC, ETH],
        selected=BTC,
        markets=markets or {BTC.id: Market(bid=123_600, ask=123_602, last=123_601)},
        working={"T-7": BTC.id},
        now_ns=lambda: 5,
        next_id=lambda: f"U-{next(ids)}",
    )
