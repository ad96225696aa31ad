"""One instrument's position with exact integer accounting.

Everything is kept in the instrument's integer units: quantities in lots, money in
*tick-lots* (one tick of price times one lot, ``tick_size * lot_size`` of the quote currency).
Integer arithmetic is exact, so a million fills reconcile to the last unit.

Average-cost method. ``cost`` is the signed cost basis of the open quantity (price ticks x
lots, the sign of the position). Reducing ``k`` of ``|qty|`` lots removes
``cost * k / |qty|`` (rounded toward zero) from the basis and books the difference to the exit
value as realized PnL; any rounding stays in the basis of the remaining lots and is released
when the position closes. Hence, always and exactly::

    realized - cost == cash flow of all fills  (-sum(side * price * lots))
    realized + unrealized == cash flow + qty * mark     where unrealized = qty * mark - cost

and a flat position has ``cost == 0``. Fees are Decimal amounts of the quote currency, kept
apart (negative fees are rebates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow

# Money sums: exact or an exception, never a silent rounding.
MONEY = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow])


@dataclass(frozen=True, slots=True)
class Position:
    instrument: str
    qty: int = 0  # lots, signed (long > 0)
    cost: int = 0  # tick-lots, signed cost basis of the open quantity
    realized: int = 0  # tick-lots
    fees: Decimal = Decimal(0)  # quote currency, positive = paid
    fills: int = 0
    volume: int = 0  # lots traded
    ts_last: int = 0

    def with_fill(self, side: int, price: int, lots: int, fee: Decimal = Decimal(0),
                  ts: int = 0) -> Position:
        """The position after one fill (``side`` +1 buy / -1 sell). Pure: self is unchanged."""
        if lots <= 0:
            raise ValueError(f"{self.instrument}: fill quantity must be positive, got {lots}")
        qty, cost, realized = self.qty, self.cost, self.realized
        if qty == 0 or (qty > 0) == (side > 0):  # opening or adding
            qty += side * lots
            cost += side * price * lots
        else:  # reducing, maybe flipping
            held = -qty if qty < 0 else qty
            close = lots if lots < held else held
            direction = 1 if qty > 0 else -1
            removed = _div_toward_zero(cost * close, held)
            realized += direction * close * price - removed
            cost -= removed
            qty -= direction * close
            rest = lots - close
            if rest:  # flipped: the rest opens a position the other way
                qty = side * rest
                cost = side * price * rest
        return replace(self, qty=qty, cost=cost, realized=realized,
                       fees=MONEY.add(self.fees, fee), fills=self.fills + 1,
                       volume=self.volume + lots, ts_last=ts or self.ts_last)

    def unrealized_x2(self, mark_x2: int) -> int:
        """Unrealized PnL in half tick-lots at a mark given in half ticks (a mid can fall
        between two ticks)."""
        return self.qty * mark_x2 - 2 * self.cost

    def avg_price_ticks(self) -> Decimal | None:
        """Average entry in ticks (display precision); None when flat."""
        if self.qty == 0:
            return None
        return Decimal(self.cost) / Decimal(self.qty)


def _div_toward_zero(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q
