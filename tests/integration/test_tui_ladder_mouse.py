"""The mouse on the ladder with the engine running (Textual pilot): a click in the bid column
buys at that row's price, in the ask column sells, on one of our orders cancels it; a drag, or
a right click then a click, moves it (a modify to the row's price); the wheel scrolls; a click
on the header or the footer sends nothing; with ui.confirm_orders nothing goes out before the
trader says yes. Every click is aimed at a price of the frame drawn (``Ladder.drawn``) and the
order must carry exactly that price, which the line on screen also shows."""

from __future__ import annotations

from decimal import Decimal

from textual import events

from tradeterm.config import load_settings
from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.ladder_click import Column, spans


def session(tmp_path, **ui) -> Kernel:
    settings = load_settings(
        sim={"seed": 3, "activity": "calm"},
        data_dir=str(tmp_path),
        ui={"sizes": {"BTC": [0.002, 0.01]}, **ui},
    )
    return Kernel(settings, RunOptions(record=False))


async def until(pilot, condition, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def spy(app) -> list[tuple[object, list[str]]]:
    """Every command the app executes, with the ladder's lines at that moment."""
    sent: list[tuple[object, list[str]]] = []
    execute = app.trading.execute

    def record(cmd):
        sent.append((cmd, list(app.query_one(Ladder).plain_lines())))
        return execute(cmd)

    app.trading.execute = record
    return sent


async def ready(pilot) -> Ladder:
    """A running market, and a ladder that holds still: a manual view on one-tick rows (the
    wheel makes it manual, ``<`` takes the rows out of automatic grouping)."""
    kernel = pilot.app.kernel
    assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
    ladder = pilot.app.query_one(Ladder)
    assert await until(pilot, lambda: ladder.drawn is not None)
    await pilot.press("less_than_sign")
    await wheel(pilot, ladder, down=False)
    await wheel(pilot, ladder, down=True)
    assert ladder.view.manual and not ladder.view.auto_group
    return ladder


async def wheel(pilot, ladder: Ladder, down: bool) -> None:
    kind = events.MouseScrollDown if down else events.MouseScrollUp
    await pilot._post_mouse_events([kind], ladder, (10, 5))  # the pilot has no wheel of its own


def cell(ladder: Ladder, column: Column, price: int, side: int | None = None) -> tuple[int, int]:
    """pilot.click's offset (from the ladder's outer edge) of ``column`` on ``price``'s row
    of the frame on screen."""
    drawn = ladder.drawn
    assert drawn is not None and price in drawn.prices
    span = next(
        s
        for s in spans(drawn.layout)
        if s.column is column and (side is None or s.side in (0, side))
    )
    pad_x = ladder.content_region.x - ladder.region.x
    pad_y = ladder.content_region.y - ladder.region.y
    return pad_x + (span.start + span.end) // 2, pad_y + drawn.first + drawn.prices.index(price)


def shown(lines: list[str], ladder: Ladder, price: int, offset: tuple[int, int]) -> bool:
    """The line clicked shows ``price``."""
    pad_y = ladder.content_region.y - ladder.region.y
    return ladder.instrument.format_price(price) in lines[offset[1] - pad_y]


def rows_around_touch(ladder: Ladder) -> tuple[int, int]:
    """A bid row three under the best bid and an ask row three over the best ask, on screen."""
    top = ladder.frame.top(ladder.instrument.id)
    bid, ask = top.bid - 3, top.ask + 3
    assert bid in ladder.drawn.prices and ask in ladder.drawn.prices
    return bid, ask


async def test_a_click_in_the_bid_column_buys_and_in_the_ask_column_sells_at_that_row(tmp_path):
    app = create_app(session(tmp_path))
    sent = spy(app)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = await ready(pilot)
        inst = ladder.instrument
        bid, ask = rows_around_touch(ladder)
        for column, price, side in ((Column.BID, bid, Side.BUY), (Column.ASK, ask, Side.SELL)):
            at = cell(ladder, column, price)
            await pilot.click(ladder, offset=at)
            cmd, lines = sent[-1]
            assert isinstance(cmd, SubmitOrder) and cmd.instrument == inst.id
            assert (cmd.side, cmd.price) == (side, price) and shown(lines, ladder, price, at)
            assert inst.lots_to_qty(cmd.qty) == Decimal("0.002")  # the preset in force
        assert await until(pilot, lambda: len(ladder.working_orders()) == 2)
        await pilot.press("z")  # the next preset: the next click takes it
        await pilot.click(ladder, offset=cell(ladder, Column.BID, bid - 1))
        assert inst.lots_to_qty(sent[-1][0].qty) == Decimal("0.01")


async def test_clicks_on_the_header_and_footer_send_nothing_and_the_price_centres(
    tmp_path,
):
    app = create_app(session(tmp_path))
    sent = spy(app)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = await ready(pilot)
        price = ladder.drawn.prices[0]
        x, y = cell(ladder, Column.BID, price)
        footer = y + len(ladder.drawn.prices)  # the line under the last price row
        for offset in ((x, y - 1), (x, footer), (x, ladder.region.height - 1), (0, y)):
            await pilot.click(ladder, offset=offset)  # header, footer, the border, padding
        assert sent == []
        await pilot.click(ladder, offset=cell(ladder, Column.PRICE, price))
        assert not ladder.view.manual and sent == []  # re-centred, as c does


async def test_a_click_on_our_order_cancels_it_and_a_drag_or_pick_then_click_moves_it(tmp_path):
    app = create_app(session(tmp_path))
    sent = spy(app)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = await ready(pilot)
        bid, _ = rows_around_touch(ladder)
        await pilot.click(ladder, offset=cell(ladder, Column.BID, bid))
        assert await until(pilot, lambda: len(ladder.working_orders()) == 1)
        (order,) = ladder.working_orders()
        # a drag from the order to another row: a modify to that row's price
        await pilot.mouse_down(ladder, offset=cell(ladder, Column.OWN, bid, side=1))
        await pilot.mouse_up(ladder, offset=cell(ladder, Column.BID, bid - 2))
        cmd, _ = sent[-1]
        assert isinstance(cmd, ModifyOrder) and cmd.client_order_id == order.client_order_id
        assert cmd.price == bid - 2
        assert await until(pilot, lambda: ladder.working_orders()[0].price == bid - 2)
        # right click picks it up, the next click on a price moves it there
        await pilot.click(ladder, offset=cell(ladder, Column.OWN, bid - 2, side=1), button=3)
        assert len(sent) == 1 + 1 and "picked up" in str(app.query_one("#cmd-msg").render())
        await pilot.click(ladder, offset=cell(ladder, Column.ASK, bid - 5))
        cmd, _ = sent[-1]
        assert isinstance(cmd, ModifyOrder) and cmd.price == bid - 5
        assert await until(pilot, lambda: ladder.working_orders()[0].price == bid - 5)
        # a click on it cancels it
        await pilot.click(ladder, offset=cell(ladder, Column.OWN, bid - 5, side=1))
        cmd, _ = sent[-1]
        assert isinstance(cmd, CancelOrder) and cmd.client_order_id == order.client_order_id
        assert await until(pilot, lambda: not ladder.working_orders())


async def test_x_cancels_the_order_in_the_cursor_s_row(tmp_path):
    app = create_app(session(tmp_path))
    sent = spy(app)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = await ready(pilot)
        await pilot.press("x")  # no cursor: nothing to cancel, and it says so
        assert sent == [] and "no working" in str(app.query_one("#cmd-msg").render())
        bid, _ = rows_around_touch(ladder)
        await pilot.click(ladder, offset=cell(ladder, Column.BID, bid))
        assert await until(pilot, lambda: len(ladder.working_orders()) == 1)
        ladder.view.cursor = bid
        await pilot.press("x")
        assert isinstance(sent[-1][0], CancelOrder)
        assert await until(pilot, lambda: not ladder.working_orders())


async def test_the_wheel_scrolls_the_rows(tmp_path):
    app = create_app(session(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = await ready(pilot)
        top = ladder.drawn.prices[0]
        await wheel(pilot, ladder, down=False)
        assert ladder.drawn.prices[0] == top + 3  # three rows a notch, to higher prices
        await wheel(pilot, ladder, down=True)
        await wheel(pilot, ladder, down=True)
        assert ladder.drawn.prices[0] == top - 3


async def test_with_confirm_orders_a_click_asks_first_and_sends_only_on_yes(tmp_path):
    app = create_app(session(tmp_path, confirm_orders=True))
    sent = spy(app)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = await ready(pilot)
        bid, ask = rows_around_touch(ladder)
        await pilot.click(ladder, offset=cell(ladder, Column.BID, bid))
        assert isinstance(app.screen, ConfirmScreen) and sent == []
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen) and sent == []
        await pilot.click(ladder, offset=cell(ladder, Column.ASK, ask))
        assert isinstance(app.screen, ConfirmScreen) and sent == []
        await pilot.press("y")
        cmd, _ = sent[-1]
        assert len(sent) == 1 and (cmd.side, cmd.price) == (Side.SELL, ask)


async def test_at_80x24_a_click_in_the_bid_column_buys_at_that_row(tmp_path):
    app = create_app(session(tmp_path))
    sent = spy(app)
    async with app.run_test(size=(80, 24)) as pilot:
        ladder = await ready(pilot)
        bid, ask = rows_around_touch(ladder)
        at = cell(ladder, Column.BID, bid)
        await pilot.click(ladder, offset=at)
        cmd, lines = sent[-1]
        assert (cmd.side, cmd.price) == (Side.BUY, bid) and shown(lines, ladder, bid, at)
        at = cell(ladder, Column.ASK, ask)
        await pilot.click(ladder, offset=at)
        cmd, lines = sent[-1]
        assert (cmd.side, cmd.price) == (Side.SELL, ask) and shown(lines, ladder, ask, at)
