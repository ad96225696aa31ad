"""The local exchange: price-time matching."""

from tradeterm.matching.engine import MatchingEngine, MatchListener, RestingOrder

__all__ = ["MatchingEngine", "MatchListener", "RestingOrder"]
