"""The account: positions per instrument, valued at a configurable mark, and the equity curve.

Money figures are exact Decimals computed from the integer positions (``position.py``).
``revalue`` runs on a clock timer and after every fill, never per market data event: market
data only moves the books the marks are read from.

Equity is ``starting_cash + realized + unrealized - fees`` in the account currency (the quote
currency of the instruments; an instrument quoted in another currency is tracked but left out of
equity, with a warning). Today's PnL is equity now minus equity at the start of the UTC day;
drawdown is measured from today's peak equity. Both survive restarts through ``DayState``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tradeterm.core.clock import NS
from tradeterm.core.views import BookReader, InstrumentStats, PortfolioView, PositionRow
from tradeterm.domain.events import OrderFilled, PositionChanged
from tradeterm.domain.instruments import Instrument
from tradeterm.portfolio.position import MONEY, Position

log = logging.getLogger(__name__)

DAY_NS = 86_400 * NS
CURVE_INTERVAL_NS = NS  # one equity sample per clock second at most


@dataclass(slots=True)
class DayState:
    """Today's reference points for the daily loss and drawdown limits (UTC days)."""

    day: int  # days since the epoch
    start_equity: Decimal
    peak_equity: Decimal


class Portfolio:
    def __init__(self, instruments: dict[str, Instrument], view: PortfolioView,
                 books: dict[str, BookReader], stats: dict[str, InstrumentStats],
                 mark: str = "mid", starting_cash: Decimal = Decimal(0),
                 currency: str = "") -> None:
        if mark not in ("mid", "last"):
            raise ValueError(f"mark must be 'mid' or 'last', got {mark!r}")
        self.instruments = instruments
        self.view = view
        self.books = books
        self.stats = stats
        self.mark = mark
        self.starting_cash = starting_cash
        quotes = sorted({i.quote for i in instruments.values()})
        self.currency = currency or (quotes[0] if quotes else "")
        others = [i.id for i in instruments.values() if i.quote != self.currency]
        if others:
            log.warning("instruments %s are not quoted in %s: their PnL is kept apart from equity",
                        ", ".join(others), self.currency)
        self.positions: dict[str, Position] = {iid: Position(iid) for iid in instruments}
        self._unit = {iid: inst.tick_size * inst.lot_size for iid, inst in instruments.items()}
        self.day: DayState | None = None
        self.day_dirty = False  # set when ``day`` changed and should be persisted
        self._last_curve_ts = 0
        self.on_position: Callable[[PositionChanged], None] | None = None
        view.currency = self.currency

    # --- state -----------------------------------------------------------------------------
    def load(self, positions: list[Position], day: DayState | None) -> None:
        """Positions and today's reference points as the store kept them."""
        for pos in positions:
            self.positions[pos.instrument] = pos
        self.day = day

    def position(self, instrument: str) -> Position:
        pos = self.positions.get(instrument)
        if pos is None:
            pos = self.positions[instrument] = Position(instrument)
        return pos

    def qty(self, instrument: str) -> int:
        pos = self.positions.get(instrument)
        return pos.qty if pos is not None else 0

    def with_fill(self, fill: OrderFilled) -> Position:
        """The instrument's position after ``fill``; nothing changes until ``commit``."""
        inst = self.instruments.get(fill.instrument)
        fee = fill.fee if inst is None or fill.fee_currency in ("", inst.quote) else Decimal(0)
        return self.position(fill.instrument).with_fill(int(fill.side), fill.price, fill.qty, fee,
                                                        fill.ts_event)

    def commit(self, pos: Position, ts: int) -> None:
        """Make ``pos`` (from ``with_fill``, already persisted) the current position."""
        self.positions[pos.instrument] = pos
        self.revalue(ts)
        if self.on_position is not None:
            avg = pos.avg_price_ticks()
            unit_price = self._price(pos.instrument, avg)
            self.on_position(PositionChanged(ts, ts, pos.instrument, pos.qty,
                                             unit_price if unit_price is not None else Decimal(0),
                                             self.money(pos.instrument, pos.realized)))

    # --- valuation -------------------------------------------------------------------------
    def mark_x2(self, instrument: str) -> int | None:
        """The mark in half ticks: the book's mid (``mark = "mid"``) or the last trade."""
        if self.mark == "mid":
            book = self.books.get(instrument)
            if book is not None and book.best_bid is not None and book.best_ask is not None:
                return book.best_bid + book.best_ask
        stats = self.stats.get(instrument)
        if stats is not None and stats.last_price is not None:
            return 2 * stats.last_price
        if self.mark == "last":  # no trade yet: fall back to the mid
            book = self.books.get(instrument)
            if book is not None and book.best_bid is not None and book.best_ask is not None:
                return book.best_bid + book.best_ask
        return None

    def money(self, instrument: str, tick_lots: int) -> Decimal:
        return MONEY.multiply(Decimal(tick_lots), self._unit[instrument]) \
            if instrument in self._unit else Decimal(tick_lots)

    def unrealized(self, instrument: str) -> Decimal:
        pos = self.position(instrument)
        mark = self.mark_x2(instrument)
        if mark is None or pos.qty == 0:
            return Decimal(0)
        half = MONEY.multiply(Decimal(pos.unrealized_x2(mark)), self._unit[instrument])
        return MONEY.divide(half, Decimal(2))

    def equity(self) -> Decimal:
        total = self.starting_cash
        for iid, pos in self.positions.items():
            inst = self.instruments.get(iid)
            if inst is None or inst.quote != self.currency:
                continue
            total = MONEY.add(total, self.money(iid, pos.realized))
            total = MONEY.add(total, self.unrealized(iid))
            total = MONEY.subtract(total, pos.fees)
        return total

    def revalue(self, ts: int) -> None:
        """Recompute every row, equity, today's PnL and drawdown; sample the equity curve."""
        view = self.view
        realized = unrealized = fees = Decimal(0)
        for iid, pos in self.positions.items():
            inst = self.instruments.get(iid)
            if inst is None:
                continue
            row_unrealized = self.unrealized(iid)
            row_realized = self.money(iid, pos.realized)
            mark = self.mark_x2(iid)
            view.positions[iid] = PositionRow(
                iid, pos.qty, self._price(iid, pos.avg_price_ticks()), row_realized,
                row_unrealized, pos.fees,
                None if mark is None else MONEY.divide(Decimal(mark) * inst.tick_size, 2),
                inst.quote)
            if inst.quote == self.currency:
                realized = MONEY.add(realized, row_realized)
                unrealized = MONEY.add(unrealized, row_unrealized)
                fees = MONEY.add(fees, pos.fees)
        equity = MONEY.subtract(MONEY.add(self.starting_cash, MONEY.add(realized, unrealized)),
                                fees)
        self._roll_day(ts, equity)
        day = self.day
        assert day is not None
        if equity > day.peak_equity:
            day.peak_equity = equity
            self.day_dirty = True
        view.realized, view.unrealized, view.fees, view.equity = realized, unrealized, fees, equity
        view.day_pnl = equity - day.start_equity
        view.peak_equity = day.peak_equity
        view.drawdown = day.peak_equity - equity
        if ts - self._last_curve_ts >= CURVE_INTERVAL_NS:
            self._last_curve_ts = ts
            view.equity_curve.append((ts, equity))
        view.version += 1

    def _roll_day(self, ts: int, equity: Decimal) -> None:
        today = ts // DAY_NS
        if self.day is None or self.day.day != today:
            if self.day is not None:
                log.info("new trading day: today's PnL and drawdown restart from equity %s",
                         equity)
            self.day = DayState(today, equity, equity)
            self.day_dirty = True

    def _price(self, instrument: str, ticks: Decimal | None) -> Decimal | None:
        inst = self.instruments.get(instrument)
        if ticks is None or inst is None:
            return None
        exact = ticks * inst.tick_size
        return exact.quantize(inst.tick_size / 100) if exact.as_tuple().exponent < -12 else exact
