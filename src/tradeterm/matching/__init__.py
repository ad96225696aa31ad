"""The local exchange: price-time matching with every order type (engine.py), and the paper fill
model that simulates own orders against an external book (paper_fills.py)."""

from tradeterm.matching.engine import MatchingEngine
from tradeterm.matching.listener import MatchListener
from tradeterm.matching.orders import EngineOrder, OrderExtras
from tradeterm.matching.rules import FeeSchedule, MatchingRules

__all__ = [
    "EngineOrder",
    "FeeSchedule",
    "MatchListener",
    "MatchingEngine",
    "MatchingRules",
    "OrderExtras",
]
