"""One symbol's trade tape, kept as candles: every public trade of the loopback goes into the
second and the minute it happened in, and into an aggregate trade. Klines of any interval, the
rolling 24 hour statistics and the average price are read from here, so they agree with
``/api/v3/trades`` and the trade stream by construction.

Prices are ticks, quantities lots and quote amounts ticks x lots (integers); ``market_data.py``
writes them as Binance's decimal strings. Seconds are kept for two hours (``1s`` klines, the
five-minute average), minutes for sixty days (every other interval, the 24 hour window).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from tradeterm.domain.market import Side
from tradeterm.venues.loopback.intervals import (
    DAY,
    MINUTE,
    SECOND,
    first_opening_from,
    following,
    opening,
)

KEEP_SECONDS = 2 * 3600
KEEP_MINUTES = 60 * 24 * 60
AGG_TRADES = 1000


@dataclass(slots=True)
class Candle:
    open_ms: int
    open: int
    high: int
    low: int
    close: int
    volume: int = 0
    quote: int = 0
    count: int = 0
    taker_buy_volume: int = 0
    taker_buy_quote: int = 0
    first_id: int = -1
    last_id: int = -1

    def add(self, trade_id: int, price: int, qty: int, taker_buys: bool) -> None:
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += qty
        self.quote += price * qty
        self.count += 1
        if taker_buys:
            self.taker_buy_volume += qty
            self.taker_buy_quote += price * qty
        if self.first_id < 0:
            self.first_id = trade_id
        self.last_id = trade_id

    def merge(self, other: Candle) -> None:
        if self.count == 0:
            self.open = other.open
            self.first_id = other.first_id
        self.high = max(self.high, other.high) if self.count else other.high
        self.low = min(self.low, other.low) if self.count else other.low
        self.close = other.close
        self.volume += other.volume
        self.quote += other.quote
        self.count += other.count
        self.taker_buy_volume += other.taker_buy_volume
        self.taker_buy_quote += other.taker_buy_quote
        self.last_id = other.last_id


@dataclass(frozen=True, slots=True)
class AggTrade:
    agg_id: int
    price: int
    qty: int
    first_id: int
    last_id: int
    ms: int
    buyer_maker: bool


class _Series:
    """Candles of one fixed size, oldest first, only for the periods that had trades."""

    def __init__(self, size_ms: int, keep: int) -> None:
        self.size = size_ms
        self.keep = keep
        self.candles: list[Candle] = []
        self.opens: list[int] = []

    def add(self, ms: int, trade_id: int, price: int, qty: int, taker_buys: bool) -> None:
        open_ms = ms - ms % self.size
        if not self.candles or self.opens[-1] != open_ms:
            self.candles.append(Candle(open_ms, price, price, price, price))
            self.opens.append(open_ms)
            if len(self.candles) > self.keep + self.keep // 10:
                del self.candles[: -self.keep], self.opens[: -self.keep]
        self.candles[-1].add(trade_id, price, qty, taker_buys)

    def between(self, start_ms: int, end_ms: int) -> list[Candle]:
        """Candles opening in ``[start_ms, end_ms)``."""
        return self.candles[bisect_left(self.opens, start_ms) : bisect_left(self.opens, end_ms)]

    def close_before(self, ms: int) -> int | None:
        i = bisect_left(self.opens, ms)
        return self.candles[i - 1].close if i else None


class Tape:
    def __init__(self) -> None:
        self.seconds = _Series(SECOND, KEEP_SECONDS)
        self.minutes = _Series(MINUTE, KEEP_MINUTES)
        self.aggs: deque[AggTrade] = deque(maxlen=AGG_TRADES)
        self.last: tuple[int, int, int] | None = None  # (price, qty, ms) of the last trade
        self._agg_ids = 0

    def record(self, trades: list[tuple[int, int, int, Side]], ms: int) -> list[AggTrade]:
        """One match's trades (id, price, qty, aggressor), all at ``ms``; returns the aggregate
        trades they make (consecutive trades of one taker at one price are one)."""
        made: list[AggTrade] = []
        run: list[tuple[int, int, int, Side]] = []
        for trade in trades:
            trade_id, price, qty, aggressor = trade
            taker_buys = aggressor is Side.BUY
            self.seconds.add(ms, trade_id, price, qty, taker_buys)
            self.minutes.add(ms, trade_id, price, qty, taker_buys)
            if run and (run[-1][1] != price or run[-1][3] is not aggressor):
                made.append(self._aggregate(run, ms))
                run = []
            run.append(trade)
            self.last = (price, qty, ms)
        if run:
            made.append(self._aggregate(run, ms))
        return made

    def _aggregate(self, run: list[tuple[int, int, int, Side]], ms: int) -> AggTrade:
        agg = AggTrade(
            self._agg_ids,
            run[0][1],
            sum(t[2] for t in run),
            run[0][0],
            run[-1][0],
            ms,
            run[0][3] is Side.SELL,
        )
        self._agg_ids += 1
        self.aggs.append(agg)
        return agg

    # --- reads -------------------------------------------------------------------------------
    def first_ms(self, interval: str) -> int | None:
        series = self.seconds if interval == "1s" else self.minutes
        return series.opens[0] if series.opens else None

    def candles(
        self, interval: str, opens: list[int], tz_ms: int = 0
    ) -> Iterator[tuple[int, int, Candle]]:
        """(open ms, close ms, candle) of ``interval`` for each opening in ``opens`` (ascending);
        a period without trades is flat at the close before it."""
        series = self.seconds if interval == "1s" else self.minutes
        for open_ms in opens:
            next_ms = following(interval, open_ms, tz_ms)
            parts = series.between(open_ms, next_ms)
            prev = series.close_before(open_ms)
            if parts:
                first = parts[0]
                candle = Candle(open_ms, first.open, first.high, first.low, first.close)
                candle.first_id = first.first_id
                for part in parts:
                    candle.merge(part)
            else:
                flat = prev if prev is not None else 0
                candle = Candle(open_ms, flat, flat, flat, flat)
            yield open_ms, next_ms - 1, candle

    def openings(
        self, interval: str, start: int | None, end: int | None, limit: int, now: int, tz_ms: int
    ) -> list[int]:
        """Binance's choice of candles: from ``start`` the first ``limit``; otherwise the last
        ``limit`` up to ``end`` (or now). Never before the first trade, never after now."""
        first_ms = self.first_ms(interval)
        if first_ms is None:
            return []
        first = opening(interval, first_ms, tz_ms)
        last = opening(interval, now if end is None else min(end, now), tz_ms)
        if start is not None:
            at = max(first, first_opening_from(interval, start, tz_ms))
            out: list[int] = []
            while at <= last and len(out) < limit:
                out.append(at)
                at = following(interval, at, tz_ms)
            return out
        back: list[int] = []
        at = last
        while at >= first and len(back) < limit:
            back.append(at)
            at = opening(interval, at - 1, tz_ms)
        return back[::-1]

    def window(self, now: int, length_ms: int = DAY) -> tuple[Candle | None, int | None]:
        """The trades of the last ``length_ms`` (whole minutes, as Binance's rolling windows) as
        one candle (None: no trades), and the close before the window."""
        start = now - now % MINUTE - length_ms + MINUTE
        parts = self.minutes.between(start, now + 1)
        prev = self.minutes.close_before(start)
        if not parts:
            return None, prev
        first = parts[0]
        total = Candle(start, first.open, first.high, first.low, first.close)
        total.first_id = first.first_id
        for part in parts:
            total.merge(part)
        return total, prev

    def average(self, now: int, minutes: int) -> tuple[int, int] | None:
        """(quote, volume) of the last ``minutes`` minutes of trades."""
        parts = self.seconds.between(now - minutes * MINUTE + 1, now + 1)
        volume = sum(p.volume for p in parts)
        return (sum(p.quote for p in parts), volume) if volume else None
