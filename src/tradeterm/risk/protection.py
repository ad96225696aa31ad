"""Market orders with protection (as CME's market-with-protection): a market order never trades
beyond its protection price.

The protection price is ``market_protection_bps`` through the reference price (the book's mid,
else the last trade): a buy no higher than ``ref * (1 + bps / 10_000)``, a sell no lower than
``ref * (1 - bps / 10_000)``, rounded onto the tick grid toward the reference (rounding never
widens the band). The desk stamps it on every market order before risk sees it
(``PreTradeRisk.protect``): the order's ``price`` becomes the protection price and its time in
force IOC (FOK stays FOK), so whatever cannot trade within the band is cancelled instead of
sweeping the book. Risk then judges the order by what it can reach: a market sell cannot
trade against our own buy below its protection price, so that buy is no self-cross.

What each venue receives (``order.price`` is the protection price):

* sim, paper: the matching engine's and the paper fill model's market order with a limit, their
  native protection: it takes liquidity up to the protection price and cancels the rest
  (``IOC_REMAINDER``);
* binance: ``type=LIMIT, timeInForce=IOC`` (or FOK) at the protection price, since Binance
  spot's MARKET order has no price protection;
* ccxt: ``create_order(type="limit", price=<protection>, params={"timeInForce": "IOC"})``.
"""

from __future__ import annotations

from tradeterm.domain.market import Side

BPS = 10_000


def protection_price(side: Side, ref_x2: int, bps: int) -> int:
    """The worst price (ticks) a market order of ``side`` may trade at, ``bps`` through the
    reference given in half ticks (a mid can fall between two ticks); at least one tick."""
    if side is Side.BUY:
        return max(1, ref_x2 * (BPS + bps) // (2 * BPS))
    return max(1, -(-ref_x2 * (BPS - bps) // (2 * BPS)))
