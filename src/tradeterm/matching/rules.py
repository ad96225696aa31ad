"""Per-instrument exchange rules: order size and price grid, minimum notional, post-only
behaviour, allocation (price-time or pro-rata), self-trade prevention and fees.

Prices and sizes are integers (ticks and lots of the instrument); ``price_step`` and
``qty_step`` are the order-entry grid in those units (an exchange may quote a book finer than it
accepts orders, e.g. Binance BTCUSDT sizes to 1e-8 but orders to 1e-5). ``min_notional`` is in
``ticks * lots`` units, so the check is one integer multiplication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from tradeterm.domain.instruments import Instrument
from tradeterm.matching.orders import STP_CANCEL_AGGRESSING, STP_NAMES


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Maker and taker fee rates (0.0002 = 2 bps; negative = rebate), optionally per owner."""

    maker: Decimal = Decimal(0)
    taker: Decimal = Decimal(0)
    per_owner: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def rate(self, owner: int, maker: bool) -> Decimal:
        special = self.per_owner.get(owner)
        if special is not None:
            return special[0] if maker else special[1]
        return self.maker if maker else self.taker

    def fee(
        self, instrument: Instrument, price: int, qty: int, maker: bool, owner: int = 0
    ) -> Decimal:
        """Exact fee in the quote currency for ``qty`` lots at ``price`` ticks."""
        return instrument.notional(price, qty) * self.rate(owner, maker)


@dataclass(frozen=True, slots=True)
class MatchingRules:
    price_step: int = 1  # ticks
    qty_step: int = 1  # lots
    min_qty: int = 1  # lots
    max_qty: int = 0  # lots; 0 = no limit
    min_notional: int = 0  # ticks * lots
    post_only_slide: bool = False  # False: reject a post-only that would take; True: reprice it
    pro_rata: bool = False  # allocate a level pro rata (remainder by time) instead of FIFO
    stp: int = STP_CANCEL_AGGRESSING  # default self-trade prevention
    fees: FeeSchedule = field(default_factory=FeeSchedule)

    def __post_init__(self) -> None:
        if self.price_step < 1 or self.qty_step < 1 or self.min_qty < 1 or self.max_qty < 0:
            raise ValueError("price_step, qty_step and min_qty must be >= 1, max_qty >= 0")
        if self.min_notional < 0:
            raise ValueError("min_notional must be >= 0")

    @property
    def strict(self) -> bool:
        """True when validation needs more than positivity and min notional."""
        return self.price_step > 1 or self.qty_step > 1 or self.min_qty > 1 or self.max_qty > 0

    @classmethod
    def for_instrument(
        cls,
        instrument: Instrument,
        *,
        post_only: str = "reject",
        pro_rata: bool = False,
        stp: str = "cancel_aggressing",
        price_step: int = 1,
        qty_step: int = 1,
        min_qty: int = 1,
        max_qty: int = 0,
    ) -> MatchingRules:
        """Rules from an instrument's min notional and fees. ``post_only`` is reject | slide."""
        if post_only not in ("reject", "slide"):
            raise ValueError(f"post_only must be 'reject' or 'slide', got {post_only!r}")
        if stp not in STP_NAMES:
            raise ValueError(f"stp must be one of {', '.join(STP_NAMES)}, got {stp!r}")
        unit = instrument.tick_size * instrument.lot_size
        min_notional = int((instrument.min_notional / unit).to_integral_value(ROUND_CEILING))
        return cls(
            price_step=price_step,
            qty_step=qty_step,
            min_qty=min_qty,
            max_qty=max_qty,
            min_notional=min_notional,
            post_only_slide=post_only == "slide",
            pro_rata=pro_rata,
            stp=STP_NAMES[stp],
            fees=FeeSchedule(instrument.maker_fee, instrument.taker_fee),
        )
