"""Book signals: what the resting liquidity says about the fair price. Pure functions, ticks in.

* ``imbalance``  (bid size - ask size) / (bid size + ask size) over the best ``levels`` of each
                 side, in [-1, 1]; positive when buyers rest more size.
* ``micro_price`` the size-weighted mid (bid * ask_size + ask * bid_size) / (bid_size + ask_size):
                 it leans towards the side with *less* size, the side more likely to be taken
                 next. (Stoikov (2018), "The micro-price", refines this with a fitted model of
                 how imbalance and spread evolve; that refinement is not implemented.)
* ``vamp``       volume-adjusted mid price at depth Q lots: the average of the volume-weighted
                 price to sell Q into the bids and to buy Q from the asks (the "impact mid"),
                 so thin or lopsided books move it more than the top alone would.

Sizes are in lots, prices in ticks; each returns a float (ticks) or None when a side is empty.
"""

from __future__ import annotations

Levels = list[tuple[int, int]]  # (price ticks, size lots), best first


def imbalance(bids: Levels, asks: Levels, levels: int = 1) -> float | None:
    bid_size = sum(size for _, size in bids[:levels])
    ask_size = sum(size for _, size in asks[:levels])
    total = bid_size + ask_size
    return None if total <= 0 else (bid_size - ask_size) / total


def micro_price(bid: int | None, bid_size: int, ask: int | None, ask_size: int) -> float | None:
    if bid is None or ask is None:
        return None
    total = bid_size + ask_size
    if total <= 0:
        return (bid + ask) / 2.0
    return (bid * ask_size + ask * bid_size) / total


def vamp(bids: Levels, asks: Levels, depth_lots: int) -> float | None:
    """Mean of the VWAPs to sell and to buy ``depth_lots``; a side shallower than that is
    averaged over what it has (the book shown is all there is to trade against)."""
    if depth_lots <= 0:
        raise ValueError("depth_lots must be positive")
    sell = _vwap(bids, depth_lots)
    buy = _vwap(asks, depth_lots)
    return None if sell is None or buy is None else (sell + buy) / 2.0


def _vwap(levels: Levels, depth_lots: int) -> float | None:
    left = depth_lots
    value = 0
    for price, size in levels:
        take = size if size < left else left
        value += price * take
        left -= take
        if left == 0:
            break
    filled = depth_lots - left
    return None if filled <= 0 else value / filled
