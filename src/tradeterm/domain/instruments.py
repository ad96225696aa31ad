"""Instruments and the integer tick/lot arithmetic used on the hot path.

Prices travel through the engine as integer *ticks* and quantities as integer *lots* of their
instrument. Decimal appears only at the edges: venue I/O, display and export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


STEP_MIN, STEP_MAX = Decimal("1E-18"), Decimal("1E+18")  # a tick or lot no market goes past


class PrecisionError(ValueError):
    """A price or quantity is not a whole number of ticks or lots."""


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable instrument on one venue.

    ``maker_fee`` and ``taker_fee`` are rates (0.0002 = 2 bps); a negative maker fee is a rebate.
    ``qty_step_lots`` is the order-entry step in lots when the venue's book is finer than what it
    accepts in an order (Binance spot: lot 1e-8 for the book, LOT_SIZE step 0.00001 for orders).
    """

    venue: str
    symbol: str
    base: str
    quote: str
    tick_size: Decimal
    lot_size: Decimal
    min_notional: Decimal = Decimal(0)
    maker_fee: Decimal = Decimal(0)
    taker_fee: Decimal = Decimal(0)
    qty_step_lots: int = 1
    id: str = field(init=False)
    _price_scale: tuple[int, int] = field(init=False, repr=False, compare=False)
    _qty_scale: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.tick_size <= 0 or self.lot_size <= 0:
            raise ValueError(f"{self.symbol}: tick_size and lot_size must be positive")
        if not (STEP_MIN <= self.tick_size <= STEP_MAX and STEP_MIN <= self.lot_size <= STEP_MAX):
            # a step such as 1E+999999 (a damaged file) would take forever to scale to integers
            raise ValueError(
                f"{self.symbol}: tick_size and lot_size must be between 1E-18 and 1E+18"
            )
        if self.qty_step_lots < 1:
            raise ValueError(f"{self.symbol}: qty_step_lots must be >= 1")
        object.__setattr__(self, "id", f"{self.venue}:{self.symbol}")
        object.__setattr__(self, "_price_scale", _scale(self.tick_size))
        object.__setattr__(self, "_qty_scale", _scale(self.lot_size))

    # --- venue strings -> integers (the fast path for feeds: no Decimal) ------------------
    def parse_price(self, text: str) -> int:
        """A decimal string from a venue ("61685.99000000") -> ticks, exactly."""
        return _parse_scaled(text, *self._price_scale)

    def parse_qty(self, text: str) -> int:
        return _parse_scaled(text, *self._qty_scale)

    # --- price <-> ticks -------------------------------------------------------------------
    def price_to_ticks(self, price: Decimal | str | int) -> int:
        """Exact conversion; raises PrecisionError if ``price`` is off the tick grid."""
        ticks, rem = divmod(Decimal(price), self.tick_size)
        if rem:
            raise PrecisionError(f"price {price} is not a multiple of tick {self.tick_size}")
        return int(ticks)

    def price_to_ticks_rounded(self, price: Decimal | str | int, *, up: bool) -> int:
        """Round a price onto the grid: bids round down (``up=False``), asks round up."""
        q = Decimal(price) / self.tick_size
        return int(q.to_integral_value(ROUND_CEILING if up else ROUND_FLOOR))

    def ticks_to_price(self, ticks: int) -> Decimal:
        return ticks * self.tick_size

    # --- quantity <-> lots -----------------------------------------------------------------
    def qty_to_lots(self, qty: Decimal | str | int) -> int:
        lots, rem = divmod(Decimal(qty), self.lot_size)
        if rem:
            raise PrecisionError(f"quantity {qty} is not a multiple of lot {self.lot_size}")
        return int(lots)

    def lots_to_qty(self, lots: int) -> Decimal:
        return lots * self.lot_size

    # --- money -----------------------------------------------------------------------------
    def notional(self, price_ticks: int, lots: int) -> Decimal:
        """Exact quote-currency value of ``lots`` at ``price_ticks``."""
        return (price_ticks * lots) * (self.tick_size * self.lot_size)

    def format_price(self, ticks: int | None) -> str:
        if ticks is None:
            return "-"
        return f"{self.ticks_to_price(ticks):f}"

    def format_qty(self, lots: int | None) -> str:
        if lots is None:
            return "-"
        return f"{self.lots_to_qty(lots):f}"

    @property
    def price_decimals(self) -> int:
        return _decimals(self.tick_size)

    @property
    def qty_decimals(self) -> int:
        return _decimals(self.lot_size)


def _scale(step: Decimal) -> tuple[int, int]:
    """(decimal places, step in units of 10**-places) for exact string parsing."""
    places = max(0, -step.normalize().as_tuple().exponent)  # type: ignore[operator]
    return places, int(step.scaleb(places))


def _parse_scaled(text: str, places: int, step_units: int) -> int:
    whole, _, frac = text.partition(".")
    if len(frac) > places:
        if frac[places:].strip("0"):
            raise PrecisionError(f"{text} has more decimals than the instrument allows")
        frac = frac[:places]
    try:
        units = int(whole + frac.ljust(places, "0")) if places else int(whole)
    except ValueError:
        raise PrecisionError(f"{text!r} is not a decimal number") from None
    steps, rem = divmod(units, step_units)
    if rem:
        raise PrecisionError(f"{text} is not a multiple of the instrument's step")
    return steps


def _decimals(step: Decimal) -> int:
    """Digits after the point of a finite step (0.01 -> 2, 5 -> 0)."""
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
