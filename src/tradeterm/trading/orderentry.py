"""The order-entry command grammar: one line of text -> one engine command, or an error.

Engine-free (no Textual, no kernel): the workstation's command line, and anything else that takes
typed orders, parse here and send the command only when parsing succeeded.

Grammar (case-insensitive; ``[]`` optional, ``|`` alternatives)::

    order   := side qty [price] [tif] [flag]* [symbol]
    side    := b | buy | s | sell
    qty     := decimal                          base units, e.g. 0.5 (must be on the lot grid)
    price   := @ level | mkt | market
    level   := decimal | ref [(+|-) n [t]]      61800, bid, ask-2t, mid + 1t, last
    ref     := bid | ask | mid | last
    tif     := gtc | ioc | fok
    flag    := post | ro                        post-only, reduce-only
    symbol  := symbol | id | base/quote | base  SIM-BTC/USD, sim:SIM-BTC/USD, BTC/USD, BTC
    cancel  := cxl all | cxl buys | cxl sells | cxl symbol | cxl order-id
    modify  := mod order-id [@ level] [qty]
    held    := stop, trailing stop, bracket and oco lines: ``held_entry.py``
    decimal := ASCII digits with one optional point: 0.5, 61800, .25

A limit order needs a price; ``mkt`` sends a market order (IOC). A reference price that does
not exist yet (no bid, no trade) is an error, never a guess. ``mid`` between two ticks rounds
away from the other side, so that a passive order never crosses: a buy rounds down, a sell up
(a modify rounds for the side of the order it modifies).

Hostile or mistyped input is an error, never a guess: numbers are ASCII digits only (a Unicode
digit such as ``᱄`` is not a 4), keywords are ASCII (no look-alike letters), an instrument is
named by its symbol, id, base/quote or base asset (a letter that happens to be in a symbol names
nothing), and a quantity or price must fit the engine's integer ticks and lots. How a line names
an instrument or a working order is ``order_names.py``.
"""

from __future__ import annotations

import unicodedata

from tradeterm.domain.commands import (
    CancelAll,
    CancelOrder,
    HoldBracket,
    HoldOco,
    HoldOrder,
    ModifyOrder,
    SubmitOrder,
)
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType, TimeInForce
from tradeterm.trading.entry_terms import (
    LEVEL,
    MAX_LEN,
    OFFSET,
    SIDES,
    TIFS,
    EntryContext,
    Market,
    _keyword,
    _level,
    _looks_numeric,
    _qty,
)
from tradeterm.trading.held_entry import held_order, is_held, oco
from tradeterm.trading.order_names import GrammarError, find_instrument, find_order

HELP = (
    "b 0.5 @ 61800 · s 1 mkt · b 0.1 @ bid-2t ioc · s 0.2 @ ask post · "
    "cxl all | buys | sells | BTC | <id> · mod <id> @ 61801 [qty]"
)

Command = SubmitOrder | CancelOrder | CancelAll | ModifyOrder | HoldOrder | HoldOco | HoldBracket


def parse(line: str, ctx: EntryContext) -> Command:
    """Parse one line. Raises ``GrammarError`` with the reason; never sends anything."""
    words = _words(line)
    head = _keyword(words[0])
    if head in SIDES:
        return held_order(words, ctx) if is_held(words) else _order(words, ctx)
    if head == "oco":
        return oco(words, ctx)
    if head in ("cxl", "cancel", "c"):
        return _cancel(words[1:], ctx)
    if head in ("mod", "modify", "mv"):
        return _modify(words[1:], ctx)
    raise GrammarError(f"unknown command {words[0]!r}; try: {HELP}")


def _words(line: str) -> list[str]:
    if len(line) > MAX_LEN:
        raise GrammarError(f"line too long ({len(line)} characters, at most {MAX_LEN})")
    hidden = next((c for c in line if not c.isprintable() and c != "\t"), None)
    if hidden is not None:
        name = unicodedata.name(hidden, "a control character")
        raise GrammarError(
            f"the line holds an invisible character (U+{ord(hidden):04X}, "
            f"{name}); type it again in plain text"
        )
    # a leading ':' is the habit of pressing the command key again while already typing (vim)
    text = line.strip().lstrip(":").replace("@", " @ ")
    words = OFFSET.sub(lambda m: f"{m[1]}{m[2]}{m[3]}t", text).split()
    if not words:
        raise GrammarError(f"empty command; try: {HELP}")
    return words


# --- orders -----------------------------------------------------------------------------------
def _order(words: list[str], ctx: EntryContext) -> SubmitOrder:
    side = SIDES[_keyword(words[0])]
    if len(words) < 2:
        raise GrammarError("missing quantity: e.g. b 0.5 @ 61800")
    rest = words[2:]
    inst = ctx.selected
    # a symbol may come anywhere after the quantity; find it first, it sets the grid
    for i, w in enumerate(rest):
        low = _keyword(w)
        if w[0] in "+-" and not _looks_numeric(w):
            raise GrammarError(
                f"{w!r}: a tick offset follows its reference, e.g. bid-2t or bid - 2t"
            )
        if (
            w != "@"
            and low not in TIFS
            and low not in ("mkt", "market", "post", "ro")
            and not _looks_numeric(w)
            and not LEVEL.match(low)
            and (i == 0 or rest[i - 1] != "@")
        ):
            inst = find_instrument(w, ctx.instruments)
            del rest[i]
            break
    lots = _qty(words[1], inst)
    order_type, price, tif = OrderType.LIMIT, None, TimeInForce.GTC
    post = reduce = False
    seen_tif = False
    i = 0
    while i < len(rest):
        w = _keyword(rest[i])
        if w == "@":
            if price is not None or order_type is OrderType.MARKET:
                raise GrammarError("price given twice")
            if i + 1 >= len(rest):
                raise GrammarError("missing price after @")
            price = _level(rest[i + 1], inst, ctx.markets.get(inst.id, Market()), side)
            i += 2
            continue
        if w in ("mkt", "market"):
            if price is not None or order_type is OrderType.MARKET:
                raise GrammarError("price given twice")
            order_type = OrderType.MARKET
        elif w in TIFS:
            if seen_tif:
                raise GrammarError("time in force given twice")
            tif, seen_tif = TIFS[w], True
        elif w == "post":
            post = True
        elif w == "ro":
            reduce = True
        else:
            raise GrammarError(f"unexpected {rest[i]!r}; an order is e.g. b 0.5 @ 61800 ioc")
        i += 1
    if order_type is OrderType.LIMIT and price is None:
        raise GrammarError("a limit order needs a price: add @ <price> (or mkt)")
    if order_type is OrderType.MARKET:
        if post:
            raise GrammarError("a market order cannot be post-only")
        if seen_tif and tif is TimeInForce.GTC:
            raise GrammarError("a market order cannot rest (gtc)")
        tif = tif if seen_tif else TimeInForce.IOC
    if post and tif is not TimeInForce.GTC:
        raise GrammarError(f"post-only cannot be {tif.value}")
    return SubmitOrder(
        ctx.now_ns(),
        ctx.next_id(),
        inst.id,
        side,
        lots,
        order_type,
        price,
        tif=tif,
        post_only=post,
        reduce_only=reduce,
    )


# --- cancel and modify ------------------------------------------------------------------------
def _cancel(args: list[str], ctx: EntryContext) -> CancelOrder | CancelAll:
    if len(args) != 1:
        raise GrammarError("cxl takes one argument: all, buys, sells, a symbol or an order id")
    what = args[0]
    now = ctx.now_ns()
    low = _keyword(what)
    if low == "all":
        return CancelAll(now)
    if low in ("buys", "bids"):
        return CancelAll(now, None, Side.BUY)
    if low in ("sells", "asks"):
        return CancelAll(now, None, Side.SELL)
    oid = find_order(what, ctx.working)
    if oid is not None:
        return CancelOrder(now, oid, ctx.working[oid])
    try:
        inst = find_instrument(what, ctx.instruments)
    except GrammarError:
        raise GrammarError(f"no working order or instrument {what!r}") from None
    return CancelAll(now, inst.id)


def _modify(args: list[str], ctx: EntryContext) -> ModifyOrder:
    if not args:
        raise GrammarError("mod needs an order id: mod <id> @ <price> [qty]")
    oid = find_order(args[0], ctx.working)
    if oid is None:
        raise GrammarError(f"no working order {args[0]!r}")
    inst = next((i for i in ctx.instruments if i.id == ctx.working[oid]), None)
    if inst is None:
        raise GrammarError(f"order {oid} is on an unknown instrument")
    price = qty = None
    rest = args[1:]
    i = 0
    while i < len(rest):
        if rest[i] == "@":
            if price is not None or i + 1 >= len(rest):
                raise GrammarError("mod: one price after @")
            price = _level(
                rest[i + 1], inst, ctx.markets.get(inst.id, Market()), ctx.sides.get(oid)
            )
            i += 2
        else:
            if qty is not None:
                raise GrammarError(f"unexpected {rest[i]!r}; mod <id> @ <price> [qty]")
            qty = _qty(rest[i], inst)
            i += 1
    if price is None and qty is None:
        raise GrammarError("mod needs a new price (@ <price>) and/or a new quantity")
    return ModifyOrder(ctx.now_ns(), oid, inst.id, price, qty)
