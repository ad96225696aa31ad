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

and a flat position has ``cost == 0``.

Fees (``fees.py``) are kept two ways: ``paid``, every fee as charged, exactly, per currency
(negative = rebates); and ``fees``, what the quote- and base-currency ones cost in the quote
currency at their fills' prices (a third currency such as BNB is not in it: valuation prices it
when a rate is known). ``realized`` is gross: net PnL is realized + unrealized - fees.

Two quantities, on purpose:

* ``qty``, the **lots position**: the signed sum of the fills, integer lots. Risk limits,
  reduce-only, the quoter's inventory and reconciliation against the fills use it.
* ``balance(inst)``, the **base balance**: ``qty`` lots less the fees charged in the base asset
  (a Binance spot buy of 0.001 BTC delivers 0.000999 BTC), exact in Decimal, possibly a
  fraction of a lot. It is what the venue holds; ``closable_lots`` is what a closing order can
  trade on the venue's order step (flatten uses it: a spot venue refuses to sell more than the
  balance, or off its step), and the rest is dust.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
)

from tradeterm.domain.events import OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.portfolio.fees import MONEY, NO_FEES, Fees, fee_currency, fee_value

__all__ = ["MONEY", "Position", "apply_fill"]

# an average entry, which is rarely exact: rounded as named, not by the current context
_AVERAGE = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero])


@dataclass(frozen=True, slots=True)
class Position:
    instrument: str
    qty: int = 0  # lots, signed (long > 0)
    cost: int = 0  # tick-lots, signed cost basis of the open quantity
    realized: int = 0  # tick-lots
    fees: Decimal = Decimal(0)  # quote currency: quote and base fees at their fills' prices
    fills: int = 0
    volume: int = 0  # lots traded
    ts_last: int = 0
    paid: Fees = NO_FEES  # every fee as charged, per currency

    def with_fill(
        self,
        side: int,
        price: int,
        lots: int,
        fee: Decimal = Decimal(0),
        ts: int = 0,
        currency: str = "",
        value: Decimal | None = None,
    ) -> Position:
        """The position after one fill (``side`` +1 buy / -1 sell). Pure: self is unchanged.

        ``fee`` is charged in ``currency`` ("" = the quote currency) and is worth ``value`` in
        the quote currency (``fees.fee_value``; None = no price yet). ``apply_fill`` works
        both out from an ``OrderFilled``."""
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
        if value is None and not currency:
            value = fee
        return Position(  # every field, in order (dataclasses.replace costs twice this)
            self.instrument,
            qty,
            cost,
            realized,
            self.fees if value is None else MONEY.add(self.fees, value),
            self.fills + 1,
            self.volume + lots,
            ts or self.ts_last,
            self.paid.plus(currency, fee),
        )

    # --- balances at the venue -------------------------------------------------------------
    def balance(self, inst: Instrument) -> Decimal:
        """The base asset the fills left at the venue: the lots position less base-asset fees."""
        return MONEY.subtract(inst.lots_to_qty(self.qty), self.paid.amount(inst.base))

    def quote_flow(self, inst: Instrument) -> Decimal:
        """What the fills did to the quote balance: the cash flow less quote-currency fees."""
        flow = MONEY.multiply(
            Decimal(self.realized - self.cost), MONEY.multiply(inst.tick_size, inst.lot_size)
        )
        return MONEY.subtract(flow, self.paid.amount(inst.quote))

    def closable_lots(self, inst: Instrument) -> int:
        """Signed lots a closing order may trade, on the venue's order step (toward zero): a
        long sells what its base balance holds (never more than the position), a short buys
        back its lots. What is left is dust no order can close."""
        lots = self.qty
        if lots > 0:
            held = MONEY.divide(self.balance(inst), inst.lot_size)
            lots = max(0, min(lots, int(held.to_integral_value(ROUND_FLOOR))))
        step = inst.qty_step_lots
        return lots - lots % step if lots >= 0 else -(-lots - -lots % step)

    def unrealized_x2(self, mark_x2: int) -> int:
        """Unrealized PnL in half tick-lots at a mark given in half ticks (a mid can fall
        between two ticks)."""
        return self.qty * mark_x2 - 2 * self.cost

    def avg_price_ticks(self) -> Decimal | None:
        """Average entry in ticks (display precision: 28 digits, half to even); None when flat."""
        if self.qty == 0:
            return None
        return _AVERAGE.divide(Decimal(self.cost), Decimal(self.qty))


def apply_fill(pos: Position, inst: Instrument | None, fill: OrderFilled) -> Position:
    """``pos`` after ``fill``: the one way a fill reaches a position (live, restart, report)."""
    currency = fee_currency(inst, fill.fee_currency)
    return pos.with_fill(
        int(fill.side),
        fill.price,
        fill.qty,
        fill.fee,
        fill.ts_event,
        currency,
        fee_value(inst, fill.price, fill.fee, currency),
    )


def _div_toward_zero(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q
