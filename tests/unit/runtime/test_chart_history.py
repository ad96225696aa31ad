"""The kernel's chart history: trades into bars on the engine clock, one mark a clock second
of each instrument whose touch, position or PnL moved, and none in a second where nothing did."""

from __future__ import annotations

from decimal import Decimal

from tests.helpers import BTC, run_fast
from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.core.history import Bar, Mark
from tradeterm.core.views import EngineViews, PositionRow, StatusView
from tradeterm.domain.market import BookSnapshot, Side, Trade
from tradeterm.runtime.chart_history import ChartHistory

T0 = 1_000 * NS


def desk():
    bus, clock = MessageBus(), SimClock(T0)
    views = EngineViews(StatusView("PAPER", "test"))
    MarketDataKeeper(bus, views, [BTC])
    chart = ChartHistory(bus, clock, views)
    clock.set_timer("chart", NS, chart.sample)
    return bus, clock, views


def book(bus, clock, bid: int, ask: int, uid: int) -> None:
    ts = clock.timestamp_ns()
    bus.publish(topics.book(BTC.id), BookSnapshot(BTC.id, [(bid, 5)], [(ask, 5)], uid, ts, ts))


def trade(bus, clock, price: int, size: int, n: int) -> None:
    ts = clock.timestamp_ns()
    bus.publish(topics.trade(BTC.id), Trade(BTC.id, price, size, Side.BUY, n, ts, ts))


def test_marks_on_the_clock_second_with_the_touch_position_and_pnl():
    bus, clock, views = desk()
    book(bus, clock, 200, 202, 1)
    clock.advance_to(T0 + NS // 2)
    trade(bus, clock, 202, 3, 1)
    trade(bus, clock, 201, 1, 2)
    clock.advance_to(T0 + NS + NS // 4)  # the mark at T0+1s, then the second trade bar
    trade(bus, clock, 205, 2, 3)
    views.portfolio.positions[BTC.id] = PositionRow(
        BTC.id, 4, Decimal("201"), Decimal("1.5"), Decimal("2.25"), Decimal("0.25"), None
    )
    clock.advance_to(T0 + 2 * NS)
    history = views.history[BTC.id]
    assert list(history.fine.marks) == [
        Mark(T0 + NS, 200, 202, 0, Decimal(0)),
        Mark(T0 + 2 * NS, 200, 202, 4, Decimal("3.50")),  # 1.5 + 2.25 - 0.25
    ]
    assert list(history.fine.bars) == [
        Bar(T0, 202, 202, 201, 201, 4),
        Bar(T0 + NS, 205, 205, 205, 205, 2),
    ]


def test_a_second_in_which_nothing_moved_adds_no_mark():
    bus, clock, views = desk()
    book(bus, clock, 200, 202, 1)
    clock.advance_to(T0 + 5 * NS)  # the book came once: one mark, then quiet seconds
    assert [m.ts for m in views.history[BTC.id].fine.marks] == [T0 + NS]
    book(bus, clock, 199, 203, 2)
    clock.advance_to(T0 + 7 * NS)
    assert [(m.ts, m.bid) for m in views.history[BTC.id].fine.marks] == [
        (T0 + NS, 200),
        (T0 + 6 * NS, 199),
    ]


def test_a_seeded_session_keeps_a_history_of_each_instrument_on_its_clock():
    kernel = run_fast(seed=7, seconds=20)
    start = kernel.clock.timestamp_ns() - 20 * NS
    for iid, history in kernel.views.history.items():
        marks = list(history.fine.marks)
        assert 15 <= len(marks) <= 20, iid
        assert all(m.ts % NS == 0 and start < m.ts <= start + 20 * NS for m in marks)
        assert [m.ts for m in marks] == sorted({m.ts for m in marks})
        assert sum(b.volume for b in history.fine.bars) == kernel.views.stats[iid].volume
