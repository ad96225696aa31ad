"""Price, inventory and PnL over time, for the chart pane: an engine view of one instrument.

``PriceHistory`` keeps two resolutions, each bounded: trades as one-second bars and a mark
(the touch, the position and its PnL) once a clock second, for the last hour; the same as
one-minute bars and marks for the last day. Whoever owns it (``runtime/chart_history.py``)
feeds it on the engine clock; a reader builds candles of any multiple of a resolution with
``candles``. When the clock goes back (a replay seeking back) everything after it is dropped,
so the history is always the one that led to the clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from tradeterm.core.clock import NS

SECOND = NS
MINUTE = 60 * NS


@dataclass(slots=True)
class Bar:
    """Trades in one period starting at ``start`` (clock ns): prices in ticks, volume in lots."""

    start: int
    open: int
    high: int
    low: int
    close: int
    volume: int

    def add(self, price: int, qty: int) -> None:
        if price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        self.close = price
        self.volume += qty


@dataclass(slots=True, frozen=True)
class Mark:
    """One sample at ``ts``: the touch (ticks; None for an empty side), the position (lots,
    signed) and its PnL (realized + unrealized - fees, in the instrument's quote currency)."""

    ts: int
    bid: int | None
    ask: int | None
    position: int
    pnl: Decimal

    @property
    def mid(self) -> float | None:
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) / 2


class Series:
    """Bars and marks at one resolution, the last ``keep`` periods of each."""

    __slots__ = ("period", "bars", "marks")

    def __init__(self, period: int, keep: int) -> None:
        self.period = period
        self.bars: deque[Bar] = deque(maxlen=keep)
        self.marks: deque[Mark] = deque(maxlen=keep)

    def trade(self, ts: int, price: int, qty: int) -> None:
        start = ts - ts % self.period
        bars = self.bars
        if bars and bars[-1].start == start:
            bars[-1].add(price, qty)
        else:
            bars.append(Bar(start, price, price, price, price, qty))

    def mark(self, mark: Mark) -> None:
        """One mark a period: a later one in the same period replaces it."""
        marks = self.marks
        if marks and marks[-1].ts // self.period == mark.ts // self.period:
            marks[-1] = mark
        else:
            marks.append(mark)

    def rewind(self, ts: int) -> None:
        """Drop what happened after ``ts``: marks after it, bars of periods not over by then."""
        while self.marks and self.marks[-1].ts > ts:
            self.marks.pop()
        while self.bars and self.bars[-1].start + self.period > ts:
            self.bars.pop()


class PriceHistory:
    """One instrument's chart data. ``version`` moves with each mark (once a clock second at
    most), not with each trade: a reader redraws at the rate marks come."""

    def __init__(self, seconds: int = 3600, minutes: int = 1440) -> None:
        self.fine = Series(SECOND, seconds)
        self.coarse = Series(MINUTE, minutes)
        self.last_ts = 0  # the latest time fed (trade or mark)
        self.version = 0

    def series(self, interval: int) -> Series:
        """The finest series whose period divides ``interval`` and reaches far enough back."""
        return self.fine if interval < MINUTE else self.coarse

    def trade(self, ts: int, price: int, qty: int) -> None:
        if ts < self.last_ts:
            self.rewind(ts)
        self.last_ts = ts
        self.fine.trade(ts, price, qty)
        self.coarse.trade(ts, price, qty)

    def mark(self, mark: Mark) -> None:
        if mark.ts < self.last_ts:
            self.rewind(mark.ts)
        self.last_ts = mark.ts
        self.fine.mark(mark)
        self.coarse.mark(mark)
        self.version += 1

    def rewind(self, ts: int) -> None:
        self.fine.rewind(ts)
        self.coarse.rewind(ts)
        self.last_ts = ts
        self.version += 1

    @property
    def last(self) -> Mark | None:
        marks = self.fine.marks
        return marks[-1] if marks else None


def candles(bars: deque[Bar] | list[Bar], interval: int) -> list[Bar]:
    """``bars`` merged into candles of ``interval`` ns (a multiple of their period), oldest
    first; an interval with no trade has no candle."""
    out: list[Bar] = []
    for bar in bars:
        start = bar.start - bar.start % interval
        if out and out[-1].start == start:
            last = out[-1]
            last.high = max(last.high, bar.high)
            last.low = min(last.low, bar.low)
            last.close = bar.close
            last.volume += bar.volume
        else:
            out.append(Bar(start, bar.open, bar.high, bar.low, bar.close, bar.volume))
    return out
