"""The order-entry grammar's terms (``orderentry.py``, ``held_entry.py``): sides, quantities,
price levels (``61800``, ``bid-2t``, ``mid``) and what the parser reads from the workstation.
Engine-free. Hostile or mistyped input is an error, never a guess (see ``orderentry.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.domain.market import Side
from tradeterm.domain.orders import TimeInForce
from tradeterm.trading.order_names import GrammarError

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


def _keyword(word: str) -> str:
    """The word in lower case when it is plain ASCII; anything else is never a keyword (a
    KELVIN SIGN lower-cases to 'k', and 'mKt' must not be a market order)."""
    return word.lower() if word.isascii() else "\0"


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
