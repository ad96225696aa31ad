"""The ladder and the watchlist at 80x24, 120x40 and 200x60: the seeded sim market with a
working order of ours (the own-orders column and its queue estimate) and the cursor, and the
shipped Binance recording (BTCUSDT, tick 0.01) grouped so its book is readable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.ladder_position import entry_row
from tradeterm.ui.widgets.quotes import QuotesPane
from tradeterm.ui.widgets.tape import TradesTape

SIZES = [(80, 24), (120, 40), (200, 60)]
SHIPPED = (
    Path(__file__).resolve().parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
)
SCIENTIFIC = re.compile(r"\de[-+]?\d")


def ids(size):
    return f"{size[0]}x{size[1]}"


def resting_buy(kernel, ticks_under_bid: int) -> Order:
    """A working buy of ours in the frozen kernel's order view (its store is closed: the order
    is shown, as the OMS would show it, not sent)."""
    inst = next(iter(kernel.instruments.values()))
    book = kernel.views.books[inst.id]
    order = Order(
        "TT000001-00000001",
        inst.id,
        Side.BUY,
        inst.qty_to_lots("0.25"),
        price=book.best_bid - ticks_under_bid,
        status=OrderStatus.ACCEPTED,
        ts_created=1,
    )
    kernel.views.orders.orders[order.client_order_id] = order
    kernel.views.orders.version += 1
    return order


def assert_nothing_cut(ladder: Ladder) -> None:
    for line in ladder.plain_lines():
        assert len(line) <= ladder.size.width, line
        assert not SCIENTIFIC.search(line), line


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_ladder_with_an_order_and_the_cursor(snap_compare, seeded_app, size):
    app = seeded_app()
    resting_buy(app.kernel, 3)

    async def cursor(pilot):
        await pilot.press("down", "down")
        await pilot.pause()
        assert_nothing_cut(pilot.app.query_one(Ladder))

    assert snap_compare(app, terminal_size=size, run_before=cursor)


def replay_app(tmp_path):
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel, RunOptions
    from tradeterm.ui.app import create_app

    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(mode="replay", replay=SHIPPED, speed=1.0, interactive=True, record=False),
    )
    kernel.replay.pause()
    return kernel, create_app(kernel)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_replay_ladder_groups_a_fine_tick_book(snap_compare, tmp_path, size):
    """BTCUSDT at 0.01 has a level every few dozen ticks: one tick a row showed one row a side.
    Grouped automatically, each side shows its depth; sizes like 0.00009 are never 9e-05."""
    kernel, app = replay_app(tmp_path)

    async def step(pilot):
        await pilot.pause(0.3)
        target = kernel.replay.state.published + 1500
        for _ in range(1500):
            kernel.replay.step()
        for _ in range(200):  # every step applied, however loaded the machine
            if kernel.replay.state.published >= target:
                break
            await pilot.pause(0.05)
        await pilot.press("c")  # the group is chosen when the view centres: from this book
        quotes = pilot.app.query_one(QuotesPane)
        for _ in range(60):  # the watchlist's other rows follow within a quarter second
            if all(quotes.shown[iid][0] == top for iid, top in quotes.frame.tops.items()):
                break
            await pilot.pause(0.05)
        tape = pilot.app.query_one(TradesTape)  # it redraws four times a second: the last
        items = tape.tape.items if tape.tape is not None else ()  # trade stepped is on top
        inst = tape.instrument  # before the picture is taken
        newest = (
            (inst.format_price(items[-1].price), inst.format_qty(items[-1].size))
            if items and inst is not None
            else None
        )
        for _ in range(60):
            lines = tape.plain_lines()
            if (
                newest is None
                or not tape.size.width
                or (len(lines) > 1 and all(part in lines[1] for part in newest))
            ):
                break  # (a narrow screen has no tape)
            await pilot.pause(0.05)
        ladder = pilot.app.query_one(Ladder)
        assert ladder.view.group > 1 and ladder.view.auto_group
        sized = [line for line in ladder.plain_lines()[1:-1] if re.search(r"\d\s+\d", line)]
        assert len(sized) >= ladder.rows_visible // 3, "a grouped book fills its rows"
        assert_nothing_cut(ladder)

    assert snap_compare(app, terminal_size=size, run_before=step)


def test_ladder_zoomed_out_by_key(snap_compare, seeded_app):
    async def zoom(pilot):
        await pilot.press("greater_than_sign", "greater_than_sign")
        await pilot.pause()
        assert pilot.app.query_one(Ladder).view.group == 5

    assert snap_compare(seeded_app(), terminal_size=(120, 40), run_before=zoom)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_ladder_with_a_position(snap_compare, trading_app, size):
    """A long BTC position (0.05 bought in the seeded session): its size and average entry in
    their row (``@`` and ``@+0.05``, paged down to), its PnL at the cursor on the position
    line; the size preset in the ladder's title."""
    app = trading_app()

    async def cursor(pilot):
        await pilot.press("up", "up", "up")
        ladder = pilot.app.query_one(Ladder)
        for _ in range(30):  # page down to the entry (the market rose since the buy)
            entry = entry_row(ladder.held(), ladder.instrument, ladder.view.group)
            if ladder.view.window is not None and entry in ladder.view.window:
                break
            await pilot.press("pagedown")
        await pilot.pause()
        assert entry in ladder.view.window
        assert any("@+0.05" in line for line in ladder.plain_lines())
        assert_nothing_cut(ladder)
        assert ladder.plain_lines()[-2].startswith(("pos +0.05", "+0.05")), ladder.plain_lines()

    assert snap_compare(app, terminal_size=size, run_before=cursor)
