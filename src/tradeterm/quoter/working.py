"""The quoter's own working orders, and the plan that moves them towards the desired quotes.

``plan`` is pure: given the desired levels and the working quotes it returns the submits,
modifies and cancels to send. Its rules, per side and level:

* no desired quote at a level -> cancel what works there (unless a cancel is already pending);
* nothing working            -> submit;
* a request in flight        -> wait for its answer (one request per order at a time);
* working and live           -> modify when the size must shrink (an inventory limit is
  never left waiting), when the size differs, when the price is ``requote_ticks`` or more
  away, or when it is off by less but older than ``max_age_ns`` (a quote already at the
  right price and size is never replaced: that would only spend a request); otherwise leave it
  alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradeterm.domain.market import Side

PENDING_NEW = "PENDING_NEW"
LIVE = "LIVE"
PENDING_MODIFY = "PENDING_MODIFY"
PENDING_CANCEL = "PENDING_CANCEL"


@dataclass(slots=True)
class WorkingQuote:
    client_order_id: str
    side: Side
    level: int
    price: int
    lots: int  # leaves
    status: str = PENDING_NEW
    placed_ns: int = 0  # when the current price was set (for the age rule)
    accepted: bool = False  # the venue acknowledged it (a later refusal is of a modify/cancel)
    target_price: int | None = None  # of a pending modify
    target_lots: int | None = None


@dataclass(frozen=True, slots=True)
class Submit:
    side: Side
    level: int
    price: int
    lots: int


@dataclass(frozen=True, slots=True)
class Modify:
    client_order_id: str
    price: int
    lots: int


@dataclass(frozen=True, slots=True)
class Cancel:
    client_order_id: str


Action = Submit | Modify | Cancel


class WorkingQuotes:
    """Own orders by client id and by (side, level)."""

    def __init__(self) -> None:
        self.by_id: dict[str, WorkingQuote] = {}
        self._slots: dict[tuple[int, int], WorkingQuote] = {}

    def add(self, quote: WorkingQuote) -> None:
        self.by_id[quote.client_order_id] = quote
        self._slots[(int(quote.side), quote.level)] = quote

    def reset(self, quotes: list[WorkingQuote]) -> None:
        """Only ``quotes`` (a replay went back to where they worked)."""
        self.by_id.clear()
        self._slots.clear()
        for quote in quotes:
            self.add(quote)

    def remove(self, client_order_id: str) -> WorkingQuote | None:
        quote = self.by_id.pop(client_order_id, None)
        if quote is not None and self._slots.get((int(quote.side), quote.level)) is quote:
            del self._slots[(int(quote.side), quote.level)]
        return quote

    def at(self, side: Side, level: int) -> WorkingQuote | None:
        return self._slots.get((int(side), level))

    def get(self, client_order_id: str) -> WorkingQuote | None:
        return self.by_id.get(client_order_id)

    def deepest(self, side: Side) -> int:
        """The deepest level working on ``side`` (-1: none)."""
        deepest = -1
        for quote in self.by_id.values():
            if quote.side is side and quote.level > deepest:
                deepest = quote.level
        return deepest

    def levels(self, side: Side) -> list[WorkingQuote]:
        return sorted((q for q in self.by_id.values() if q.side is side), key=lambda q: q.level)

    def __len__(self) -> int:
        return len(self.by_id)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self.by_id.values()))


def plan(
    bids: list[tuple[int, int]],
    asks: list[tuple[int, int]],
    working: WorkingQuotes,
    now_ns: int,
    requote_ticks: int,
    max_age_ns: int,
) -> list[Action]:
    actions: list[Action] = []
    for side, desired in ((Side.BUY, bids), (Side.SELL, asks)):
        wanted = len(desired)
        for level in range(max(wanted, 1 + working.deepest(side))):
            quote = working.at(side, level)
            if level >= wanted:  # no desired quote at this level
                if quote is not None and quote.status != PENDING_CANCEL:
                    actions.append(Cancel(quote.client_order_id))
                continue
            price, lots = desired[level]
            if quote is None:
                actions.append(Submit(side, level, price, lots))
            elif quote.status == LIVE and (
                lots != quote.lots
                or abs(price - quote.price) >= requote_ticks
                or (now_ns - quote.placed_ns >= max_age_ns and price != quote.price)
            ):
                actions.append(Modify(quote.client_order_id, price, lots))
    return actions


def pull_all(working: WorkingQuotes) -> list[Action]:
    """Cancels for every own order that is not already being cancelled."""
    return [Cancel(q.client_order_id) for q in working if q.status != PENDING_CANCEL]
