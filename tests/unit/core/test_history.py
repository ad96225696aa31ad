"""The chart's history view: bars and marks at two resolutions, bounded, rewound with the
clock, and candles of any interval built from them."""

from __future__ import annotations

from decimal import Decimal

from tradeterm.core.history import MINUTE, SECOND, Bar, Mark, PriceHistory, candles

T0 = 28_333_333 * MINUTE  # a whole minute


def mark(ts: int, bid: int = 100, ask: int = 102, position: int = 0, pnl: str = "0") -> Mark:
    return Mark(ts, bid, ask, position, Decimal(pnl))


def test_trades_make_one_bar_a_second_with_exact_ohlc_and_volume():
    h = PriceHistory()
    for offset, price, qty in ((0.1, 100, 1), (0.5, 104, 2), (0.9, 97, 3), (1.2, 99, 5)):
        h.trade(T0 + int(offset * SECOND), price, qty)
    assert list(h.fine.bars) == [Bar(T0, 100, 104, 97, 97, 6), Bar(T0 + SECOND, 99, 99, 99, 99, 5)]
    assert list(h.coarse.bars) == [Bar(T0, 100, 104, 97, 99, 11)]


def test_marks_one_a_period_the_latest_wins_and_the_version_moves_with_each():
    h = PriceHistory()
    h.mark(mark(T0 + SECOND, position=1))
    h.mark(mark(T0 + SECOND + SECOND // 2, position=2))  # same second: replaces
    h.mark(mark(T0 + 2 * SECOND, position=3, pnl="-1.5"))
    assert [(m.ts, m.position) for m in h.fine.marks] == [
        (T0 + SECOND + SECOND // 2, 2),
        (T0 + 2 * SECOND, 3),
    ]
    assert [m.position for m in h.coarse.marks] == [3]  # one a minute: the latest
    assert h.last == mark(T0 + 2 * SECOND, position=3, pnl="-1.5")
    assert h.version == 3
    assert h.last.mid == 101.0
    assert Mark(T0, None, 102, 0, Decimal(0)).mid is None


def test_memory_is_bounded_at_both_resolutions():
    h = PriceHistory(seconds=60, minutes=5)
    for s in range(20 * 60):
        ts = T0 + s * SECOND
        h.trade(ts, 100 + s % 7, 1)
        h.mark(mark(ts, position=s))
    assert len(h.fine.bars) == len(h.fine.marks) == 60
    assert len(h.coarse.bars) == len(h.coarse.marks) == 5
    assert h.fine.marks[0].ts == T0 + (20 * 60 - 60) * SECOND  # the last minute, in order
    assert h.coarse.bars[-1].start == T0 + 19 * MINUTE
    assert h.coarse.marks[-1].position == 20 * 60 - 1


def test_the_clock_going_back_drops_what_happened_after_it():
    h = PriceHistory()
    for s in range(10):
        h.trade(T0 + s * SECOND, 100 + s, 1)
        h.mark(mark(T0 + s * SECOND, position=s))
    h.mark(mark(T0 + 4 * SECOND + 1, position=40))  # a replay sought back into second 4
    assert [m.position for m in h.fine.marks] == [0, 1, 2, 3, 40]
    assert [b.start for b in h.fine.bars] == [T0 + s * SECOND for s in range(4)]
    assert list(h.coarse.bars) == []  # the minute was not over at the new clock
    h.trade(T0 + 4 * SECOND + 2, 90, 1)
    assert h.fine.bars[-1] == Bar(T0 + 4 * SECOND, 90, 90, 90, 90, 1)


def test_candles_merge_bars_into_any_multiple_of_their_period():
    bars = [
        Bar(T0, 10, 12, 9, 11, 1),
        Bar(T0 + SECOND, 11, 15, 11, 14, 2),
        Bar(T0 + 6 * SECOND, 14, 14, 8, 8, 3),  # seconds 2-5 had no trade
    ]
    assert candles(bars, 5 * SECOND) == [
        Bar(T0, 10, 15, 9, 14, 3),
        Bar(T0 + 5 * SECOND, 14, 14, 8, 8, 3),
    ]
    assert candles(bars, SECOND) == bars
    assert bars[0] == Bar(T0, 10, 12, 9, 11, 1)  # the view's bars are not touched


def test_series_is_picked_by_interval():
    h = PriceHistory()
    assert h.series(SECOND) is h.fine and h.series(5 * SECOND) is h.fine
    assert h.series(MINUTE) is h.coarse and h.series(5 * MINUTE) is h.coarse
