"""Fees as the venues charge them: an exact amount per currency, and the one rule for what a fee
is worth in an instrument's quote currency.

A venue names the currency of every fee (``OrderFilled.fee_currency``): Binance spot charges a
buy in the base asset it delivers, a sell in the quote asset, and either in BNB when the account
pays fees with BNB; the simulated venues charge the quote currency. ``Fees`` keeps each currency
apart, exactly, so the positions can equal the venue's balances. A fee without a currency is
taken to be in the quote currency (the simulated venues and stores written before fee currencies
were kept).

What a fee is worth (``fee_value``): a quote-currency fee is itself; a base-asset fee is
converted at the price of the fill that paid it, once, when it is paid (so PnL follows from the
fills alone and a restart or a report computes the same figure); a fee in any other currency
(BNB) has no price in the fill: it is kept in its own currency and valued only where a rate is
known (``valuation.py``), never dropped.
"""

from __future__ import annotations

import json
from collections.abc import ItemsView, Iterable, Iterator, Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact, InvalidOperation, Overflow

from tradeterm.domain.instruments import Instrument

# Money sums: exact or an exception, never a silent rounding (the rounding is named so that it
# is not taken from ``decimal.DefaultContext``, which anything in the process may change).
MONEY = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[Inexact, InvalidOperation, Overflow])
ZERO = Decimal(0)


class Fees(Mapping[str, Decimal]):
    """An immutable mapping currency -> amount (positive = paid, negative = rebate received);
    currencies that sum to zero are left out. Equal and hashable by value."""

    __slots__ = ("_amounts",)

    def __init__(self, amounts: Mapping[str, Decimal] | Iterable[tuple[str, Decimal]] = ()) -> None:
        items = amounts.items() if isinstance(amounts, Mapping) else amounts
        total: dict[str, Decimal] = {}
        for currency, amount in items:
            total[currency] = MONEY.add(total.get(currency, ZERO), amount)
        self._amounts = {c: a for c, a in sorted(total.items()) if a}

    @classmethod
    def _of(cls, amounts: dict[str, Decimal]) -> Fees:
        """From a dict already summed, sorted and without zeros (the fast path)."""
        fees = object.__new__(cls)
        fees._amounts = amounts
        return fees

    def plus(self, currency: str, amount: Decimal) -> Fees:
        """These fees and one more."""
        if not amount:
            return self
        amounts = dict(self._amounts)
        if currency in amounts:
            total = MONEY.add(amounts[currency], amount)
            if total:
                amounts[currency] = total
            else:
                del amounts[currency]
            return Fees._of(amounts)
        amounts[currency] = amount
        return Fees._of(dict(sorted(amounts.items())))

    def merged(self, other: Fees) -> Fees:
        if not other:
            return self
        if not self:
            return other
        return Fees([*self._amounts.items(), *other._amounts.items()])

    def amount(self, currency: str) -> Decimal:
        return self._amounts.get(currency, ZERO)

    def without(self, *currencies: str) -> Fees:
        if all(c in currencies for c in self._amounts):
            return NO_FEES
        return Fees._of({c: a for c, a in self._amounts.items() if c not in currencies})

    def items(self) -> ItemsView[str, Decimal]:  # the dict's own view: no per-item lookups
        return self._amounts.items()

    def __contains__(self, currency: object) -> bool:
        return currency in self._amounts

    def __getitem__(self, currency: str) -> Decimal:
        return self._amounts[currency]

    def __iter__(self) -> Iterator[str]:
        return iter(self._amounts)

    def __len__(self) -> int:
        return len(self._amounts)

    def __bool__(self) -> bool:
        return bool(self._amounts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Fees):
            return self._amounts == other._amounts
        return NotImplemented if not isinstance(other, Mapping) else self._amounts == dict(other)

    def __hash__(self) -> int:
        return hash(tuple(self._amounts.items()))

    def __repr__(self) -> str:
        return f"Fees({self._amounts!r})"

    def as_strings(self) -> dict[str, str]:
        """``{"BTC": "0.00000051", ...}``: exact decimal text, for JSON and the screen."""
        return {c: f"{a:f}" for c, a in self._amounts.items()}

    # --- the store's text ------------------------------------------------------------------
    def to_text(self) -> str:
        return json.dumps(self.as_strings(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> Fees:
        """Parse ``to_text``; ValueError (naming the text) for anything else."""
        try:
            data = json.loads(text) if text else {}
            if not isinstance(data, dict):
                raise ValueError("not an object")
            amounts = [(str(c), Decimal(a)) for c, a in data.items() if isinstance(a, str)]
            if len(amounts) != len(data) or not all(a.is_finite() for _, a in amounts):
                raise ValueError("amounts must be decimal text")
        except (ValueError, ArithmeticError) as exc:
            raise ValueError(f"fees per currency {text[:80]!r} are not readable ({exc})") from None
        return cls(amounts)


NO_FEES = Fees()


def fee_currency(inst: Instrument | None, currency: str) -> str:
    """The currency a fill's fee is in: as the venue named it, else the quote currency."""
    return currency or (inst.quote if inst is not None else "")


def fee_value(
    inst: Instrument | None, price_ticks: int, amount: Decimal, currency: str
) -> Decimal | None:
    """What a fee is worth in the instrument's quote currency at the fill's price: the amount
    itself in the quote currency; amount x fill price in the base asset; None in any other
    currency (it waits for a rate) or for an instrument not known."""
    if inst is None:
        return amount if not currency else None
    if not currency or currency == inst.quote:
        return amount
    if currency == inst.base:
        return MONEY.multiply(amount, MONEY.multiply(Decimal(price_ticks), inst.tick_size))
    return None
