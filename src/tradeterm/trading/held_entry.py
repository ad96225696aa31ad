"""The order-entry grammar of held (contingent) orders, which the engine keeps
(``oms/emulator.py``). Engine-free, like ``orderentry.py``, which hands these lines here::

    stop    := side qty stop level [limit level] [ro] [symbol]     s 1 stop 61700 limit 61690
    trail   := side qty trail n(t|bps) [last|mid] [ro] [symbol]    s 1 trail 15t, s 1 trail 9bps mid
    bracket := side qty (@ level | mkt) tp exit sl exit [symbol]   b 0.5 @ 61800 tp +40t sl -20t
    exit    := level | (+|-) n t                                   an offset counts from the entry
    oco     := oco leg / leg (a spaced slash)                      oco s 1 @ 62500 / s 1 stop 61500
    leg     := side qty (@ level | stop ... | trail ...) [ro] [symbol]

A stop triggers on the last trade (a buy at or above its level, a sell at or below); a trailing
stop keeps its trigger ``n`` ticks (``t``) or basis points (``bps``) behind the best last trade
(or mid) since it was placed, and only ever moves it in the favourable direction. A bracket's
take-profit must be on the profitable side of the entry and its stop-loss on the other; with a
market entry they must be prices (there is no entry price to count from). Both OCO legs are on
one instrument.
"""

from __future__ import annotations

import re

from tradeterm.domain.commands import HoldBracket, HoldOco, HoldOrder
from tradeterm.domain.held import TRIGGERED_KINDS, HeldKind, HeldLeg, TrailRef, TrailUnit
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.trading.entry_terms import (
    LEVEL,
    MAX_UNITS,
    SIDES,
    EntryContext,
    Market,
    _keyword,
    _level,
    _looks_numeric,
    _qty,
)
from tradeterm.trading.order_names import GrammarError, find_instrument

#: a word among these after the quantity makes an order line a held order
HELD_WORDS = frozenset({"stop", "trail", "tp", "sl"})
KEYWORDS = frozenset({"stop", "limit", "trail", "tp", "sl", "mid", "last", "ro", "mkt", "market"})
TRAIL = re.compile(r"^([0-9]{1,6})(t|bps)$")
EXIT = re.compile(r"^([+-])([0-9]{1,6})t?$")


def is_held(words: list[str]) -> bool:
    return any(_keyword(w) in HELD_WORDS for w in words[2:])


def held_order(words: list[str], ctx: EntryContext) -> HoldOrder | HoldBracket:
    """``s 1 stop 61700``, ``s 1 trail 15t``, ``b 0.5 @ 61800 tp +40t sl -20t``."""
    inst, leg, exits = _leg(words, ctx, exits_allowed=True)
    if exits is not None:
        return _bracket(inst, leg, exits, ctx)
    if leg.kind not in TRIGGERED_KINDS:
        raise GrammarError("a held order needs stop <price> or trail <n>t / <n>bps")
    return HoldOrder(ctx.now_ns(), ctx.next_id(), inst.id, leg)


def oco(words: list[str], ctx: EntryContext) -> HoldOco:
    """``oco s 1 @ 62500 / s 1 stop 61500``."""
    cut = [i for i, w in enumerate(words) if w == "/"]  # a symbol may hold a slash: BTC/USD
    parts = [words[1 : cut[0]], words[cut[0] + 1 :]] if len(cut) == 1 else []
    if not all(parts) or not parts:
        raise GrammarError("oco takes two orders split by ' / ': oco s 1 @ 62500 / s 1 stop 61500")
    (inst, first, _), (other, second, _) = (_leg(p, ctx) for p in parts)
    if inst.id != other.id:
        raise GrammarError("both legs of an OCO must be on one instrument")
    for leg in (first, second):
        if leg.kind is HeldKind.MARKET:
            raise GrammarError("an OCO leg is a limit, a stop or a trailing stop, not mkt")
    ids = ctx.next_id(), ctx.next_id(), ctx.next_id()
    return HoldOco(ctx.now_ns(), ids[0], inst.id, ids[1], first, ids[2], second)


def _leg(
    words: list[str], ctx: EntryContext, exits_allowed: bool = False
) -> tuple[Instrument, HeldLeg, tuple[str, str] | None]:
    if not words or _keyword(words[0]) not in SIDES:
        raise GrammarError("an order starts with its side: b or s")
    side = SIDES[_keyword(words[0])]
    if len(words) < 2:
        raise GrammarError("missing quantity: e.g. s 1 stop 61700")
    rest = words[2:]
    inst = ctx.selected
    for i, w in enumerate(rest):
        low = _keyword(w)
        if (
            w != "@"
            and low not in KEYWORDS
            and not _looks_numeric(w)
            and not LEVEL.match(low)
            and not TRAIL.match(low)
            and not EXIT.match(low)
            and (i == 0 or _keyword(rest[i - 1]) not in ("@", "stop", "limit", "tp", "sl"))
        ):
            inst = find_instrument(w, ctx.instruments)
            del rest[i]
            break
    lots = _qty(words[1], inst)
    market = ctx.markets.get(inst.id, Market())
    values: dict[str, str] = {}
    ref = TrailRef.LAST
    reduce = False
    i = 0
    while i < len(rest):
        w = _keyword(rest[i])
        if w in ("@", "stop", "limit", "trail", "tp", "sl"):
            key = "limit" if w == "@" else w
            if key in values or (key == "limit" and "mkt" in values):
                raise GrammarError(f"{rest[i]} given twice")
            if i + 1 >= len(rest):
                raise GrammarError(f"missing value after {rest[i]}")
            values[key] = rest[i + 1]
            i += 2
            continue
        if w in ("mkt", "market"):
            if "limit" in values:
                raise GrammarError("price given twice")
            values["mkt"] = w
        elif w in ("mid", "last") and "trail" in values:
            ref = TrailRef(w)
        elif w == "ro":
            reduce = True
        else:
            raise GrammarError(f"unexpected {rest[i]!r}; e.g. s 1 stop 61700 or s 1 trail 15t")
        i += 1
    exits = None
    if "tp" in values or "sl" in values:
        if not exits_allowed:
            raise GrammarError("tp / sl belong to a bracket, not an OCO leg")
        if "tp" not in values or "sl" not in values:
            raise GrammarError("a bracket needs both tp and sl: b 0.5 @ 61800 tp +40t sl -20t")
        exits = (values.pop("tp"), values.pop("sl"))
    if sum(k in values for k in ("stop", "trail", "mkt")) > 1 or (
        "trail" in values and "limit" in values
    ):
        raise GrammarError("one of: @ price, mkt, stop <price> [limit <price>], trail <offset>")
    if exits is not None and ("stop" in values or "trail" in values):
        raise GrammarError("a bracket's entry is a limit (@ price) or mkt")
    price = None if "limit" not in values else _level(values["limit"], inst, market, side)
    if "stop" in values:
        trigger = _level(values["stop"], inst, market, side)
        kind = HeldKind.STOP if price is None else HeldKind.STOP_LIMIT
        return inst, HeldLeg(side, lots, kind, price, trigger, reduce_only=reduce), exits
    if "trail" in values:
        n, unit = _trail(values["trail"])
        leg = HeldLeg(side, lots, HeldKind.TRAIL, None, None, n, unit, ref, reduce)
        return inst, leg, exits
    if "mkt" in values:
        return inst, HeldLeg(side, lots, HeldKind.MARKET, reduce_only=reduce), exits
    if price is None:
        raise GrammarError("give @ <price>, mkt, stop <price> or trail <offset>")
    return inst, HeldLeg(side, lots, HeldKind.LIMIT, price, reduce_only=reduce), exits


def _trail(word: str) -> tuple[int, TrailUnit]:
    m = TRAIL.match(_keyword(word))
    if m is None:
        raise GrammarError(f"trail {word!r}: an offset in ticks or bps, e.g. 15t or 10bps")
    n, unit = int(m[1]), TrailUnit(m[2])
    if n <= 0 or (unit is TrailUnit.BPS and n >= 10_000):
        raise GrammarError(f"trail {word}: the offset must be above 0 (and under 10000bps)")
    return n, unit


def _bracket(
    inst: Instrument, entry: HeldLeg, exits: tuple[str, str], ctx: EntryContext
) -> HoldBracket:
    market = ctx.markets.get(inst.id, Market())
    exit_side = Side.SELL if entry.side is Side.BUY else Side.BUY
    tp, sl = (_exit(w, entry.price, inst, market, exit_side) for w in exits)
    sign = int(entry.side)
    anchor = entry.price
    if anchor is not None and not (sign * (tp - anchor) > 0 > sign * (sl - anchor)):
        raise GrammarError(
            "a bracket's take-profit is on the profitable side of the entry and its stop-loss "
            "on the other"
        )
    if sign * (tp - sl) <= 0:
        raise GrammarError("the take-profit and the stop-loss are on the wrong sides")
    ids = ctx.next_id(), ctx.next_id(), ctx.next_id(), ctx.next_id()
    return HoldBracket(
        ctx.now_ns(), ids[0], inst.id, entry.side, entry.qty, entry.price, tp, sl, *ids[1:]
    )


def _exit(word: str, entry: int | None, inst: Instrument, market: Market, side: Side) -> int:
    m = EXIT.match(_keyword(word))
    if m is None:
        return _level(word, inst, market, side)
    if entry is None:
        raise GrammarError("with a market entry, give tp and sl as prices")
    price = entry + int(m[2]) * (1 if m[1] == "+" else -1)
    if not 0 < price <= MAX_UNITS:
        raise GrammarError(f"{word} from the entry is not a price")
    return price
