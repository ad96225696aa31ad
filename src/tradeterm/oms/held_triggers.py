"""When a held order triggers, and how a trailing stop's trigger follows the market. Pure
integer arithmetic on ticks (exact: no float, no rounding but the documented one).

* A buy stop triggers when the reference is at or above its trigger, a sell stop at or below
  (as the matching engine's stops: ``matching/stops.py``).
* The reference is the last trade (``last``), or the mid of the best bid and ask (``mid``); a
  mid between two ticks rounds toward the stop's own side (a sell down, a buy up), so it never
  reads the market more favourably than it is.
* A trailing stop keeps the best reference since it was armed (``extreme``: the highest for a
  sell, which protects a long; the lowest for a buy) and its trigger is that, less (sell) or
  plus (buy) the offset: ``n`` ticks, or ``n`` basis points of the extreme, rounded away from
  the market (a sell down, a buy up). The trigger only ever moves in the favourable
  direction: it ratchets, it never gives back.
"""

from __future__ import annotations

from tradeterm.domain.held import HeldKind, HeldOrder, TrailUnit
from tradeterm.domain.market import Side

BPS = 10_000


def mid(bid: int | None, ask: int | None, side: Side) -> int | None:
    """The mid in ticks for a stop of ``side`` (a sell rounds down, a buy up); None without a
    two-sided book."""
    if bid is None or ask is None:
        return None
    total = bid + ask
    return total // 2 if side is Side.SELL else -(-total // 2)


def reached(held: HeldOrder, ref: int) -> bool:
    """Has ``ref`` reached the held order's trigger?"""
    trigger = held.trigger_price
    if trigger is None:
        return False
    return ref >= trigger if held.side is Side.BUY else ref <= trigger


def trail_trigger(side: Side, extreme: int, trail: int, unit: TrailUnit) -> int:
    """The trigger ``trail`` (ticks or bps) behind ``extreme``, rounded away from the market."""
    if unit is TrailUnit.TICKS:
        return extreme - trail if side is Side.SELL else extreme + trail
    if side is Side.SELL:
        return extreme * (BPS - trail) // BPS
    return -(-extreme * (BPS + trail) // BPS)


def follow(held: HeldOrder, ref: int) -> bool:
    """A trailing stop sees the reference ``ref``: the extreme and the trigger move if it is
    better. Returns True if the trigger moved."""
    if held.kind is not HeldKind.TRAIL:
        return False
    sell = held.side is Side.SELL
    if held.extreme is not None and (ref <= held.extreme if sell else ref >= held.extreme):
        return False
    held.extreme = ref
    new = trail_trigger(held.side, ref, held.trail, held.trail_unit)
    old = held.trigger_price
    if old is not None and (new <= old if sell else new >= old):
        return False
    held.trigger_price = new
    return True
