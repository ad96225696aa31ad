"""L2 order books kept from a snapshot plus deltas."""

from tradeterm.book.l2 import L2Book, SequenceGap

__all__ = ["L2Book", "SequenceGap"]
