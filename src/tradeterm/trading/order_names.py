"""How the order-entry line names what it acts on: an instrument by its symbol, id, base/quote
pair or base asset, and a working order by its id, its number or a unique end of its id, the
short form the blotter shows (``short_order_ids``). A name that fits nothing, or more than one,
is a ``GrammarError`` saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tradeterm.domain.instruments import Instrument


class GrammarError(ValueError):
    """The line is not a valid command; the message says what is wrong."""


def find_instrument(word: str, instruments: Sequence[Instrument]) -> Instrument:
    """An instrument by its symbol, id, base/quote pair or base asset (BTC -> SIM-BTC/USD when
    only one instrument has that base). Case-insensitive for plain ASCII; a fragment shorter
    than the base asset names nothing (``b`` is not BTC)."""
    fold = str.upper if word.isascii() else (lambda s: s)
    w = fold(word)
    for names in (
        (lambda i: (i.symbol, i.id)),
        (lambda i: (f"{i.base}/{i.quote}",)),
        (lambda i: (i.base,)),
    ):
        hits = [i for i in instruments if w in {fold(n) for n in names(i)}]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise GrammarError(
                f"{word!r} matches {', '.join(i.symbol for i in hits)}: be "
                "specific (type the symbol)"
            )
    known = ", ".join(f"{i.symbol} ({i.base})" for i in instruments[:4])
    raise GrammarError(f"{word!r} names no instrument: type its symbol or base asset, e.g. {known}")


# --- order ids as the blotter shows them ------------------------------------------------------
MIN_SUFFIX = 6  # a shown end of an id that is not ours-shaped: at least this many characters


def _number(oid: str) -> int | None:
    """The order's number: the digits after the last '-' (``TT000001-00000015`` -> 15)."""
    tail = oid.rsplit("-", 1)[-1]
    return int(tail) if "-" in oid and tail.isdigit() else None


def short_order_ids(working: Mapping[str, object]) -> dict[str, str]:
    """The short form of each working order's id, as a narrow blotter shows it: ``#15`` when no
    other working order has number 15, else the shortest end of the id that no other id ends
    with (``2-00000007``). ``find_order`` accepts every form this returns."""
    ids = list(working)
    numbers: dict[int, int] = {}
    for oid in ids:
        n = _number(oid)
        if n is not None:
            numbers[n] = numbers.get(n, 0) + 1
    shown = {}
    for oid in ids:
        n = _number(oid)
        if n is not None and numbers[n] == 1:
            shown[oid] = f"#{n}"
            continue
        size = min(len(oid), MIN_SUFFIX if n is None else len(str(oid).rsplit("-", 1)[-1]) + 1)
        while (
            size < len(oid) and sum(1 for o in ids if o.upper().endswith(oid[-size:].upper())) > 1
        ):
            size += 1
        shown[oid] = oid[-size:]
    return shown


def find_order(word: str, working: Mapping[str, str]) -> str | None:
    """A working order by its full id (any case), its number (``#15`` or ``15``) or a unique end
    of its id (what ``short_order_ids`` shows). None if nothing matches; GrammarError naming the
    candidates if several do."""
    if word in working:
        return word
    if not word.isascii():  # '#٧' is not order 7, 'ß'.upper() is not 'SS' of an id
        return None
    w = word.upper()
    hits = [oid for oid in working if oid.upper() == w]
    if not hits and w.lstrip("#").isdecimal():
        hits = [oid for oid in working if _number(oid) == int(w.lstrip("#"))]
    # an end of an id has a digit in it: "cxl ETH" stays the instrument, never an id ending in it
    if not hits and not w.startswith("#") and len(w) >= 2 and any(c.isdigit() for c in w):
        hits = [oid for oid in working if oid.upper().endswith(w)]
    if len(hits) > 1:
        raise GrammarError(f"{word} matches {', '.join(sorted(hits))}: type more of the id")
    return hits[0] if hits else None
