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

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from tradeterm.domain.commands import CancelAll, CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType, TimeInForce
from tradeterm.trading.order_names import GrammarError, find_instrument, find_order

HELP = (
    "b 0.5 @ 61800 · s 1 mkt · b 0.1 @ bid-2t ioc · s 0.2 @ ask post · "
    "cxl all | buys | sells | BTC | <id> · mod <id> @ 61801 [qty]"
)

SIDES = {"b": Side.BUY, "buy": Side.BUY, "s": Side.SELL, "sell": Side.SELL}
TIFS = {"gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC, "fok": TimeInForce.FOK}
REFS = ("bid", "ask", "mid", "last")
LEVEL = re.compile(r"^(bid|ask|mid|last)(?:([+-])([0-9]{1,6})t?)?$")
# "bid - 2t", "ask+ 3", "mid -1 t": the offset joined to its reference before the line is split
OFFSET = re.compile(
    r"\b(bid|ask|mid|last)\s*([+-])\s*([0-9]+)(?:\s*(t)\b)?", re.IGNORECASE | re.ASCII
)
NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")
MAX_LEN = 200
MAX_VALUE = Decimal("1e15")  # a quantity or price typed: at most 15 digits before the point
MAX_UNITS = 2**63 - 1  # ticks and lots are int64 in the engine, the store and the journal


@dataclass(frozen=True, slots=True)
class Market:
    """Reference prices of one instrument (ticks), for ``bid-2t`` style prices."""

    bid: int | None = None
    ask: int | None = None
    last: int | None = None


@dataclass(slots=True)
class EntryContext:
    """What the parser needs from the workstation: instruments, the selected one, reference
    prices, the working orders' ids, the clock and the order-id source."""

    instruments: Sequence[Instrument]
    selected: Instrument
    markets: Mapping[str, Market]
    working: Mapping[str, str]  # client order id -> instrument id
    now_ns: Callable[[], int]
    next_id: Callable[[], str]
    sides: Mapping[str, Side] = field(default_factory=dict)  # client order id -> side (mod @ mid)


Command = SubmitOrder | CancelOrder | CancelAll | ModifyOrder


def parse(line: str, ctx: EntryContext) -> Command:
    """Parse one line. Raises ``GrammarError`` with the reason; never sends anything."""
    words = _words(line)
    head = _keyword(words[0])
    if head in SIDES:
        return _order(words, ctx)
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


def _keyword(word: str) -> str:
    """The word in lower case when it is plain ASCII; anything else is never a keyword (a
    KELVIN SIGN lower-cases to 'k', and 'mKt' must not be a market order)."""
    return word.lower() if word.isascii() else "\0"


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


def _looks_numeric(word: str) -> bool:
    return bool(re.fullmatch(r"[+-]?[0-9.,_]+", word))


def _qty(word: str, inst: Instrument) -> int:
    qty = _decimal(word, "quantity")
    if qty <= 0:
        raise GrammarError(f"quantity must be positive, got {word}")
    try:
        lots = inst.qty_to_lots(qty)
    except (PrecisionError, InvalidOperation):
        raise GrammarError(
            f"quantity {word} is not a multiple of the lot size {inst.lot_size} of {inst.symbol}"
        ) from None
    if lots > MAX_UNITS:
        raise GrammarError(
            f"quantity {word} is too large for {inst.symbol} (at most "
            f"{inst.format_qty(MAX_UNITS)} {inst.base})"
        )
    return lots


def _level(word: str, inst: Instrument, market: Market, side: Side | None) -> int:
    w = _keyword(word)
    m = LEVEL.match(w)
    if m:
        ref, sign, n = m.groups()
        base = _reference(ref, market, inst, side)
        offset = int(n) * (1 if sign == "+" else -1) if sign else 0
        price = base + offset
    else:
        value = _decimal(word, "price")
        try:
            price = inst.price_to_ticks(value)
        except (PrecisionError, InvalidOperation):
            raise GrammarError(
                f"price {word} is not a multiple of the tick size {inst.tick_size} of {inst.symbol}"
            ) from None
    if price <= 0:
        raise GrammarError(f"price must be positive, got {word}")
    if price > MAX_UNITS:
        raise GrammarError(
            f"price {word} is too large for {inst.symbol} (at most {inst.format_price(MAX_UNITS)})"
        )
    return price


def _reference(ref: str, market: Market, inst: Instrument, side: Side | None) -> int:
    if ref == "mid":
        if market.bid is None or market.ask is None:
            raise GrammarError(f"{inst.symbol} has no two-sided market for 'mid'")
        total = market.bid + market.ask
        if total % 2 and side is None:
            raise GrammarError(
                "'mid' falls between two ticks and the order's side is unknown: give the price"
            )
        # between two ticks a passive price never crosses: a buy rounds down, a sell up
        return -(-total // 2) if side is Side.SELL else total // 2
    value: int | None = getattr(market, ref)
    if value is None:
        raise GrammarError(f"{inst.symbol} has no {ref} price yet")
    return value


def _decimal(word: str, what: str) -> Decimal:
    if not NUMBER.fullmatch(word):  # ASCII digits only: Decimal() would read any Unicode digit
        raise GrammarError(f"{what} {word!r} is not a number (digits 0-9 and one point)")
    value = Decimal(word)
    if value > MAX_VALUE:
        raise GrammarError(f"{what} {word} is too large")
    return value


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
