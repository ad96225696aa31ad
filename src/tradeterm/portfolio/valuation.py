"""A position in money: the one valuation the live portfolio, ``tradeterm status``, the session
summary and ``tradeterm report`` all use, so the same fills give the same figures everywhere.

* Realized PnL is the position's own (average cost in integer tick-lots, ``position.py``).
* Unrealized PnL is the lots position at the mark, exact: the mark is in half ticks (a mid can
  fall between two ticks).
* Fees are the position's ``fees`` (quote and base-asset fees valued at their fills' prices)
  plus each other currency's fees (BNB) at a rate from ``rate(currency, quote)`` when one is
  known. The portfolio's rate is the mark of a ``<currency>/<quote>`` instrument of the session;
  with none the fee stays ``unpriced``: listed per currency, left out of fees, PnL and equity,
  and warned about, never dropped.
* PnL is realized + unrealized - fees.
* Totals over several instruments count only those quoted in the account currency.

A base-asset fee is valued once, at its fill's price; the base it took out of the balance is
not marked again, so PnL differs from "balance at the mark" by that fee times the move since
(a fraction of a lot at most per fill).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from tradeterm.domain.instruments import Instrument
from tradeterm.portfolio.fees import MONEY, NO_FEES, ZERO, Fees
from tradeterm.portfolio.position import Position

Rate = Callable[[str, str], "Decimal | None"]  # (currency, quote) -> quote per unit


def no_rate(_currency: str, _quote: str) -> Decimal | None:
    return None


@dataclass(frozen=True, slots=True)
class Figures:
    """One position in money (the instrument's quote currency) and base units."""

    qty: Decimal  # the lots position in base units
    balance: Decimal  # base units held at the venue: qty less base-asset fees
    avg_price: Decimal | None  # average entry (display precision); None when flat
    mark: Decimal | None  # None = no price
    realized: Decimal  # gross of fees
    unrealized: Decimal
    fees: Decimal  # valued fees, positive = paid
    paid: Fees  # every fee as charged, per currency
    unpriced: Fees  # fees in a currency without a rate: not in ``fees`` nor ``pnl``
    pnl: Decimal  # realized + unrealized - fees


def figures(
    pos: Position, inst: Instrument, mark_x2: int | None = None, rate: Rate = no_rate
) -> Figures:
    unit = MONEY.multiply(inst.tick_size, inst.lot_size)
    realized = MONEY.multiply(Decimal(pos.realized), unit)
    unrealized = ZERO
    if mark_x2 is not None and pos.qty:
        unrealized = MONEY.divide(MONEY.multiply(Decimal(pos.unrealized_x2(mark_x2)), unit), 2)
    fees, unpriced = pos.fees, NO_FEES
    for currency, amount in pos.paid.without(inst.base, inst.quote).items():
        price = rate(currency, inst.quote)
        if price is None:
            unpriced = unpriced.plus(currency, amount)
        else:
            fees = MONEY.add(fees, MONEY.multiply(amount, price))
    return Figures(
        inst.lots_to_qty(pos.qty),
        pos.balance(inst),
        avg_price(pos, inst),
        None
        if mark_x2 is None
        else MONEY.divide(MONEY.multiply(Decimal(mark_x2), inst.tick_size), 2),
        realized,
        unrealized,
        fees,
        pos.paid,
        unpriced,
        MONEY.subtract(MONEY.add(realized, unrealized), fees),
    )


def avg_price(pos: Position, inst: Instrument) -> Decimal | None:
    """The average entry price; an average that does not end within 12 decimals is shown to a
    hundredth of a tick (half to even: named, never the current context's)."""
    ticks = pos.avg_price_ticks()
    if ticks is None:
        return None
    exact = ticks * inst.tick_size
    exponent = exact.as_tuple().exponent
    return (
        exact.quantize(inst.tick_size / 100, ROUND_HALF_EVEN)
        if isinstance(exponent, int) and exponent < -12
        else exact
    )


@dataclass(frozen=True, slots=True)
class Totals:
    realized: Decimal = ZERO
    unrealized: Decimal = ZERO
    fees: Decimal = ZERO
    pnl: Decimal = ZERO
    unpriced: Fees = NO_FEES  # summed over the instruments counted


def totals(rows: Iterable[tuple[Instrument, Figures]], currency: str) -> Totals:
    """Sums over the instruments quoted in ``currency`` (the others are kept apart)."""
    realized = unrealized = fees = pnl = ZERO
    unpriced = NO_FEES
    for inst, f in rows:
        if inst.quote != currency:
            continue
        realized = MONEY.add(realized, f.realized)
        unrealized = MONEY.add(unrealized, f.unrealized)
        fees = MONEY.add(fees, f.fees)
        pnl = MONEY.add(pnl, f.pnl)
        unpriced = unpriced.merged(f.unpriced)
    return Totals(realized, unrealized, fees, pnl, unpriced)


def account_currency(instruments: Iterable[Instrument], configured: str = "") -> str:
    """The currency equity is kept in: the configured one, else the first quote currency."""
    quotes = sorted({i.quote for i in instruments})
    return configured or (quotes[0] if quotes else "")


def rates_from_marks(
    instruments: Mapping[str, Instrument], mark_x2: Callable[[str], int | None]
) -> Rate:
    """A rate for a fee currency from the mark of an instrument trading it against the quote
    currency (``BNB/USDT`` prices BNB in USDT); None when there is none or it has no mark."""
    pairs = {(i.base, i.quote): iid for iid, i in sorted(instruments.items())}

    def rate(currency: str, quote: str) -> Decimal | None:
        iid = pairs.get((currency, quote))
        if iid is None:
            return None
        mark = mark_x2(iid)
        if mark is None:
            return None
        return MONEY.divide(MONEY.multiply(Decimal(mark), instruments[iid].tick_size), 2)

    return rate
