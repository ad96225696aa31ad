"""The ladder's rows, grouping and cursor, without Textual (ui/widgets/ladder_view.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tradeterm.ui.widgets.ladder_view import (
    GROUPS,
    LadderView,
    Window,
    ask_row,
    bid_row,
    choose_group,
    group_is_off,
    group_sizes,
)


def test_grouping_rounds_bids_down_and_asks_up():
    assert [bid_row(p, 5) for p in (100, 101, 104, 105)] == [100, 100, 100, 105]
    assert [ask_row(p, 5) for p in (100, 101, 104, 105)] == [100, 105, 105, 105]
    assert bid_row(7, 1) == ask_row(7, 1) == 7


@given(st.integers(1, 10**7), st.integers(1, 1000), st.sampled_from(GROUPS))
def test_the_best_bid_row_is_always_under_the_best_ask_row(bid, spread, group):
    assert bid_row(bid, group) < ask_row(bid + spread, group)


def brute(levels: dict[int, int], window: Window, asks: bool) -> dict[int, int]:
    out: dict[int, int] = {}
    for price, size in levels.items():
        row = (ask_row if asks else bid_row)(price, window.group)
        if row in window and size:
            out[row] = out.get(row, 0) + size
    return out


@settings(max_examples=300)
@given(
    st.dictionaries(st.integers(900, 1100), st.integers(1, 10**6), max_size=120),
    st.integers(950, 1050),
    st.integers(1, 40),
    st.sampled_from(GROUPS[:7]),
    st.booleans(),
)
def test_group_sizes_sums_each_rows_levels_whichever_way_it_reads(levels, top, rows, group, asks):
    window = Window(bid_row(top, group), rows, group)
    assert group_sizes(levels, window, asks) == brute(levels, window, asks)


def test_auto_group_is_one_tick_on_a_dense_book_and_coarser_on_a_sparse_one():
    dense_bids = list(range(1000, 900, -1))
    dense_asks = list(range(1001, 1100))
    assert choose_group(dense_bids, dense_asks, 20) == 1
    # BTCUSDT at 0.01: a level every ~40 ticks
    sparse_bids = list(range(100_000, 90_000, -40))
    sparse_asks = list(range(100_001, 110_000, 40))
    group = choose_group(sparse_bids, sparse_asks, 20)
    assert group == 25  # the finest at least half full (a level every 40 ticks)
    assert (
        sum(
            1
            for p in range(bid_row(100_000, group), bid_row(100_000, group) - 20 * group, -group)
            if any(p <= b < p + group for b in sparse_bids)
        )
        >= 10
    )
    # a thin book (five levels) gets the group that shows all of it
    assert choose_group([1000, 800, 600, 400, 200], [1001], 10) == 100
    assert choose_group([], [], 10) == 1


def test_a_group_the_book_outgrew_is_noticed_with_hysteresis():
    dense_bids, dense_asks = list(range(1000, 900, -1)), list(range(1001, 1100))
    # chosen coarse on a thin book at start-up, then the book filled in: back to finer rows
    assert group_is_off(dense_bids, dense_asks, 5, 20)
    assert not group_is_off(dense_bids, dense_asks, 1, 20)
    # a level every other tick: group 2 fits; group 1 is half full, not clearly wrong either way
    half_bids, half_asks = list(range(1000, 900, -2)), list(range(1001, 1100, 2))
    assert choose_group(half_bids, half_asks, 20) == 1
    assert not group_is_off(half_bids, half_asks, 1, 20)
    assert not group_is_off(half_bids, half_asks, 2, 20)
    # the book thinned out under one-tick rows: a level every 10 ticks
    assert group_is_off(list(range(1000, 0, -10)), list(range(1001, 2000, 10)), 1, 20)


def test_the_cursor_stays_at_its_price_and_is_released_when_the_view_leaves_it():
    view = LadderView()
    window = view.place(21, 1000)
    assert window is not None and window.top == 1010 and 1000 in window
    view.move_cursor(3, 21, 1000)
    assert view.cursor == 1003
    assert view.place(21, 1004).top == 1010  # a small move: the view and the cursor stay
    assert view.cursor == 1003
    window = view.place(21, 1150)  # the market moved 150 ticks: the view follows it
    assert 1003 not in window
    assert view.cursor is None and view.released == 1003  # b / s back at the touch


def test_paging_moves_the_cursor_with_the_page_and_centre_returns_to_the_touch():
    view = LadderView()
    view.place(21, 1000)
    view.move_cursor(-2, 21, 1000)
    view.page(-1, 21, 1000)
    assert view.manual and view.cursor == 998 - 10
    window = view.place(21, 5000)  # manual: the market does not move the view
    assert view.cursor in window
    view.recentre()
    assert not view.manual and view.cursor is None
    assert 5000 in view.place(21, 5000)


def test_the_wheel_scrolls_a_few_rows_in_the_view_s_group():
    view = LadderView()
    top = view.place(21, 1000).top
    view.scroll(3, 21, 1000)
    assert view.manual and view.place(21, 1000).top == top + 3
    view.set_group(5, 21, auto=False)
    top = view.place(21, 1000).top
    view.scroll(-2, 21, 1000)
    assert view.place(21, 1000).top == top - 10  # rows, not ticks


def test_zoom_snaps_the_cursor_to_its_row_and_keeps_it_in_a_manual_view():
    view = LadderView()
    view.place(21, 1000)
    view.move_cursor(7, 21, 1000)
    view.page(1, 21, 1000)
    view.zoom(1, 21)
    assert (view.group, view.auto_group) == (2, False)
    assert view.cursor == 1016 and view.cursor in view.place(21, 1000)
    view.zoom(1, 21)
    assert view.group == 5 and view.cursor == 1015
    view.zoom(-5, 21)
    assert view.group == 1
    view.group_auto()
    assert view.auto_group and view.regroup


class LadderMachine(RuleBasedStateMachine):
    """Whatever the keys and the market do, the cursor b / s would use is a row on screen, on
    the grid of the rows shown."""

    @initialize(mid=st.integers(10_000, 20_000), rows=st.integers(1, 60))
    def start(self, mid, rows):
        self.view = LadderView()
        self.mid, self.rows = mid, rows
        self.window = self.view.place(rows, mid)

    @rule(move=st.integers(-400, 400))
    def market_moves(self, move):
        self.mid = max(1000, self.mid + move)
        self.window = self.view.place(self.rows, self.mid)

    @rule(steps=st.integers(-60, 60))
    def cursor(self, steps):
        self.view.move_cursor(steps, self.rows, self.mid)
        self.window = self.view.place(self.rows, self.mid)

    @rule(direction=st.sampled_from([-1, 1]))
    def page(self, direction):
        self.view.page(direction, self.rows, self.mid)
        self.window = self.view.place(self.rows, self.mid)

    @rule(step=st.sampled_from([-1, 1]))
    def zoom(self, step):
        self.view.zoom(step, self.rows)
        self.window = self.view.place(self.rows, self.mid)

    @rule()
    def recentre(self):
        self.view.recentre()
        self.window = self.view.place(self.rows, self.mid)

    @rule(rows=st.integers(1, 60))
    def resize(self, rows):
        self.rows = rows
        self.window = self.view.place(rows, self.mid)

    @invariant()
    def the_cursor_is_on_screen_and_on_the_grid(self):
        view, window = self.view, self.window
        assert window is not None and window.rows == self.rows
        assert window.top % window.group == 0
        if view.cursor is not None:
            assert view.cursor in window
            assert view.cursor % view.group == 0

    @invariant()
    def auto_mode_shows_the_market(self):
        if not self.view.manual:
            assert self.window.shows_bid(self.mid)


LadderMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=20, deadline=None)
TestLadderMachine = LadderMachine.TestCase
