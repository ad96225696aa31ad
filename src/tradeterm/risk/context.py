"""What the pre-trade checks read: each instrument's limits in its own integer units, and the
interfaces of the working orders (the OMS) and the trading state (the kill switch)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import msgspec

from tradeterm.core.views import BookReader, InstrumentStats
from tradeterm.domain.events import TradingState
from tradeterm.domain.instruments import Instrument

if TYPE_CHECKING:
    from tradeterm.config import RiskConfig

BIG = 1 << 62  # "no limit" in lots
Verdict = tuple[str, str] | None  # (reason code, message) or None = pass


class WorkingOrders(Protocol):
    """What risk needs to know about working orders (implemented by the OMS)."""

    def working_count(self) -> int: ...

    def exposure(self, instrument: str) -> tuple[int, int, int | None, int | None]:
        """(working buy lots, working sell lots, highest own bid, lowest own ask)."""
        ...


class StateReader(Protocol):
    state: TradingState


class CheckResult(msgspec.Struct, frozen=True):
    """One check's verdict for the order ticket."""

    check: str
    passed: bool
    code: str = ""
    message: str = ""


class InstrumentLimits:
    """One instrument's limits in its own integer units, computed once."""

    __slots__ = (
        "inst",
        "venue",
        "unit",
        "step",
        "max_qty",
        "max_pos",
        "max_notional",
        "max_pos_notional_x2",
        "min_notional",
        "book",
        "stats",
    )

    def __init__(
        self,
        inst: Instrument,
        cfg: RiskConfig,
        book: BookReader | None,
        stats: InstrumentStats | None,
    ) -> None:
        self.inst = inst
        self.venue = inst.venue
        self.unit = inst.tick_size * inst.lot_size
        self.step = inst.qty_step_lots  # the venue's order step, in lots
        own = cfg.instruments.get(inst.symbol) or cfg.instruments.get(inst.id)
        self.max_qty = (
            BIG
            if own is None or own.max_order_qty is None
            else int(own.max_order_qty // inst.lot_size)
        )
        self.max_pos = (
            BIG
            if own is None or own.max_position is None
            else int(own.max_position // inst.lot_size)
        )
        # whole lots and tick-lots by exact integer division (``//``, ``divmod``: no rounding,
        # so nothing depends on the Decimal context), the minimum rounded up
        self.max_notional = int(cfg.max_order_notional // self.unit)  # tick-lots
        self.max_pos_notional_x2 = 2 * int(cfg.max_position_notional // self.unit)
        whole, part = divmod(inst.min_notional, self.unit)
        self.min_notional = int(whole) + (1 if part else 0)
        self.book = book
        self.stats = stats

    def reference_x2(self) -> int | None:
        """Reference price in half ticks: the book's mid, else the last trade."""
        book = self.book
        if book is not None:
            bid, ask = book.best_bid, book.best_ask
            if bid is not None and ask is not None:
                return bid + ask
        stats = self.stats
        if stats is not None and stats.last_price is not None:
            return 2 * stats.last_price
        return None
