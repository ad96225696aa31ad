"""The account: positions per instrument, valued at a configurable mark, and the equity curve.

Money figures are exact Decimals computed from the integer positions (``position.py``).
``revalue`` runs on a clock timer and after every fill, never per market data event: market
data only moves the books the marks are read from.

A fill reaches a position only through ``position.apply_fill`` and a position becomes money only
through ``valuation.figures`` (the report and ``tradeterm status`` use the same two), so every
reader of the same fills sees the same figures. Fees are kept per currency as the venue charged
them (``fees.py``); a fee in a third currency (BNB) is valued at the mark of a ``BNB/<quote>``
instrument of the session when there is one, else it is listed as unpriced, left out of equity
and warned about once.

Equity is ``starting_cash + realized + unrealized - fees`` in the account currency (the quote
currency of the instruments; an instrument quoted in another currency is tracked but left out of
equity, with a warning). Today's PnL is equity now minus equity at the start of the UTC day;
drawdown is measured from today's peak equity. Both survive restarts through ``DayState``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS
from tradeterm.core.display import money
from tradeterm.core.views import BookReader, InstrumentStats, PortfolioView, PositionRow
from tradeterm.domain.events import OrderFilled, PositionChanged
from tradeterm.domain.instruments import Instrument
from tradeterm.portfolio.day_history import DayHistory
from tradeterm.portfolio.position import MONEY, Position, apply_fill
from tradeterm.portfolio.valuation import (
    Figures,
    account_currency,
    avg_price,
    figures,
    Totals,
    rates_from_marks,
    totals,
)

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
    def __init__(
        self,
        bus: MessageBus,
        instruments: dict[str, Instrument],
        view: PortfolioView,
        books: dict[str, BookReader],
        stats: dict[str, InstrumentStats],
        mark: str = "mid",
        starting_cash: Decimal = Decimal(0),
        currency: str = "",
    ) -> None:
        if mark not in ("mid", "last"):
            raise ValueError(f"mark must be 'mid' or 'last', got {mark!r}")
        self._bus = bus  # PositionChanged on the ``position`` topic, at every commit
        self.instruments = instruments
        self.view = view
        self.books = books
        self.stats = stats
        self.mark = mark
        self.starting_cash = starting_cash
        self.currency = account_currency(instruments.values(), currency)
        others = [i.id for i in instruments.values() if i.quote != self.currency]
        if others:
            log.warning(
                "instruments %s are not quoted in %s: their PnL is kept apart from equity",
                ", ".join(others),
                self.currency,
            )
        self.positions: dict[str, Position] = {iid: Position(iid) for iid in instruments}
        self._unit = {iid: inst.tick_size * inst.lot_size for iid, inst in instruments.items()}
        self.day: DayState | None = None
        self._last_curve_ts = 0
        self._rate = rates_from_marks(instruments, self.mark_x2)
        self._unpriced_warned: set[str] = set()
        # per instrument, the last revalue's (position, mark, figures, row): see ``_valued``
        self._last_valued: dict[str, tuple[Position, int | None, Figures, PositionRow]] = {}
        self._total: tuple[int, Totals] | None = None  # (rows, their totals) of the last revalue
        # PositionChanged at every commit, and today's reference points follow equity (not
        # while a replay rebuilds: its figures are valued at another moment's market)
        self.publishing = True
        self.days: DayHistory | None = None  # where a replay can go back: ``keep_day_history``
        view.currency = self.currency

    # --- state -----------------------------------------------------------------------------
    def load(self, positions: list[Position], day: DayState | None) -> None:
        """Positions and today's reference points as the store kept them."""
        for pos in positions:
            self.positions[pos.instrument] = pos
        self.day = day

    def keep_day_history(self) -> None:
        """Keep today's reference points as they change, so that ``reset`` can go back to
        those of an earlier moment (a replay that can go back: ``day_history.py``)."""
        if self.days is None:
            self.days = DayHistory()

    def reset(self, ts: int) -> None:
        """As before any fill, at ``ts``: every position flat, the equity curve started again,
        the day's start and peak those of ``ts`` (kept by ``keep_day_history``; else started
        again) (a replay rewinding its own trading)."""
        self.positions.clear()
        self.positions.update((iid, Position(iid)) for iid in self.instruments)
        self.view.positions.clear()
        self.view.equity_curve.clear()
        point = self.days.at(ts) if self.days is not None else None
        self.day = (
            None if point is None else DayState(point.day, point.start_equity, point.peak_equity)
        )
        self._last_curve_ts = 0
        self.revalue(ts)

    def snapshot(self) -> dict[str, Position]:
        """The positions as they are (a replay's checkpoint; a ``Position`` never changes)."""
        return dict(self.positions)

    def restore(self, positions: Mapping[str, Position], ts: int) -> None:
        """As ``reset``, then the positions of a ``snapshot`` (a plain replay going back to a
        checkpoint of its recorded session's trading), valued at ``ts``."""
        self.reset(ts)
        self.positions.update(positions)
        self.revalue(ts)

    def position(self, instrument: str) -> Position:
        pos = self.positions.get(instrument)
        if pos is None:
            pos = self.positions[instrument] = Position(instrument)
        return pos

    def qty(self, instrument: str) -> int:
        pos = self.positions.get(instrument)
        return pos.qty if pos is not None else 0

    def closable_lots(self, instrument: str) -> int:
        """Signed lots a closing order may trade (``Position.closable_lots``): flatten's size."""
        inst = self.instruments.get(instrument)
        pos = self.positions.get(instrument)
        if pos is None:
            return 0
        return pos.qty if inst is None else pos.closable_lots(inst)

    def with_fill(self, fill: OrderFilled, base: Position | None = None) -> Position:
        """The instrument's position after ``fill``; nothing changes until ``commit``. ``base``:
        a position recorded but not committed yet (its fill waits for the disk)."""
        return apply_fill(
            base or self.position(fill.instrument), self.instruments.get(fill.instrument), fill
        )

    def commit(self, pos: Position, ts: int) -> None:
        """Make ``pos`` (from ``with_fill``, already persisted) the current position; revalue,
        then publish ``PositionChanged``."""
        self.positions[pos.instrument] = pos
        self.revalue(ts)
        inst = self.instruments.get(pos.instrument)
        avg = None if inst is None else avg_price(pos, inst)
        if not self.publishing:
            return
        self._bus.publish(
            topics.POSITION,
            PositionChanged(
                ts,
                ts,
                pos.instrument,
                pos.qty,
                avg if avg is not None else Decimal(0),
                self.money(pos.instrument, pos.realized),
            ),
        )

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
        return (
            MONEY.multiply(Decimal(tick_lots), self._unit[instrument])
            if instrument in self._unit
            else Decimal(tick_lots)
        )

    def figures(self, instrument: str) -> Figures:
        """The instrument's position in money at the current mark (``valuation.figures``)."""
        return figures(
            self.position(instrument),
            self.instruments[instrument],
            self.mark_x2(instrument),
            self._rate,
        )

    def unrealized(self, instrument: str) -> Decimal:
        return self.figures(instrument).unrealized

    def revalue(self, ts: int) -> None:
        """Value every row (``_valued``), equity, today's PnL and drawdown; sample the equity
        curve."""
        view = self.view
        rows = []
        fresh = False
        for iid, pos in self.positions.items():
            inst = self.instruments.get(iid)
            if inst is None:
                continue
            f, row, new = self._valued(iid, pos, inst)
            fresh = fresh or new
            rows.append((inst, f))
            view.positions[iid] = row
        if fresh or self._total is None or len(rows) != self._total[0]:
            self._total = len(rows), totals(rows, self.currency)
        total = self._total[1]
        self._warn_unpriced(total.unpriced)
        equity = MONEY.add(self.starting_cash, total.pnl)
        if self.publishing or self.day is None:
            self._follow_day(ts, equity)
        day = self.day
        assert day is not None
        view.realized, view.unrealized, view.fees = total.realized, total.unrealized, total.fees
        view.unpriced_fees = total.unpriced
        view.equity = equity
        view.day_pnl = equity - day.start_equity
        view.peak_equity = day.peak_equity
        view.drawdown = day.peak_equity - equity
        if ts - self._last_curve_ts >= CURVE_INTERVAL_NS:
            self._last_curve_ts = ts
            view.equity_curve.append((ts, equity))
        view.version += 1

    def _valued(
        self, iid: str, pos: Position, inst: Instrument
    ) -> tuple[Figures, PositionRow, bool]:
        """The position's figures and row at the mark now, and whether they are new: those of
        the last revalue while the position and its mark are the same (and no fee in a third
        currency, whose rate is another instrument's mark, is in them)."""
        mark_x2 = self.mark_x2(iid)
        last = self._last_valued.get(iid)
        if last is not None and last[0] is pos and last[1] == mark_x2:
            return last[2], last[3], False
        f = figures(pos, inst, mark_x2, self._rate)
        row = PositionRow(
            iid,
            pos.qty,
            f.avg_price,
            f.realized,
            f.unrealized,
            f.fees,
            f.mark,
            inst.quote,
            f.balance,
            f.paid,
            f.unpriced,
        )
        if pos.paid.without(inst.base, inst.quote):
            self._last_valued.pop(iid, None)
        else:
            self._last_valued[iid] = (pos, mark_x2, f, row)
        return f, row, True

    def _warn_unpriced(self, unpriced: Mapping[str, Decimal]) -> None:
        for currency in unpriced:
            if currency not in self._unpriced_warned:
                self._unpriced_warned.add(currency)
                log.warning(
                    "fees paid in %s are kept in %s but left out of equity: no %s/%s "
                    "instrument in this session to price them",
                    currency,
                    currency,
                    currency,
                    self.currency,
                )

    def _follow_day(self, ts: int, equity: Decimal) -> None:
        """Today's reference points after ``equity`` at ``ts``: a new UTC day starts from it,
        a higher peak takes it."""
        today = ts // DAY_NS
        day = self.day
        if day is None or day.day != today:
            if day is not None:
                log.info(
                    "new trading day: today's PnL and drawdown restart from equity %s",
                    money(equity, self.currency),
                )
            day = self.day = DayState(today, equity, equity)
        elif equity > day.peak_equity:
            day.peak_equity = equity
        else:
            return
        if self.days is not None:
            self.days.note(ts, day.day, day.start_equity, day.peak_equity)
