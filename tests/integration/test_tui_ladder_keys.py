"""The keys of the ladder's instrument with the engine running (Textual pilot): flatten,
reverse, cancel its buys / sells / orders, join bid / ask (and N ticks in front or behind),
size presets. Each order is checked against the book at the moment it was sent and against
the instrument on the ladder; refusals are read on the message line."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input, Static

from tradeterm.config import load_settings
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderType
from tradeterm.risk.protection import protection_price
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.ticket import TicketScreen
from tradeterm.ui.widgets.ladder import Ladder


def session(tmp_path, seed: int = 1, activity: str = "normal", **ui) -> Kernel:
    settings = load_settings(
        sim={"seed": seed, "activity": activity}, data_dir=str(tmp_path), ui=ui
    )
    return Kernel(settings, RunOptions(record=False))


async def until(pilot, condition, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def message(app) -> str:
    return str(app.query_one("#cmd-msg", Static).render())


def spy_on_submits(kernel) -> list[tuple[object, int, int]]:
    """Every order the kernel is given (as sent: protected), with the best bid and ask of its
    instrument's book at that moment."""
    sent: list[tuple[object, int, int]] = []
    submit = kernel.submit

    def spy(cmd):
        book = kernel.views.books[cmd.instrument]
        sent.append((cmd, book.best_bid, book.best_ask))
        return submit(cmd)

    kernel.submit = spy
    return sent


def position(kernel, inst) -> Decimal:
    row = kernel.views.portfolio.positions.get(inst.id)
    return inst.lots_to_qty(row.qty if row else 0)


def working(kernel):
    return [o for o in kernel.views.orders.orders.values() if not o.is_terminal]


async def ready(pilot, kernel) -> None:
    assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
    ladder = pilot.app.query_one(Ladder)
    assert await until(pilot, lambda: ladder.view.window is not None)


async def command(pilot, line: str) -> None:
    await pilot.press("colon")
    pilot.app.query_one("#cmd-input", Input).value = line
    await pilot.press("enter")


async def test_join_keys_send_the_touch_of_the_moment_at_the_size_preset(tmp_path):
    kernel = session(tmp_path, sizes={"BTC": [0.01, 0.05]}, join_ticks=3)
    app = create_app(kernel)
    sent = spy_on_submits(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, kernel)
        ladder = app.query_one(Ladder)
        inst = ladder.instrument
        for key, side in (("j", Side.BUY), ("k", Side.SELL)):
            await pilot.press(key)
            cmd, bid, ask = sent[-1]
            assert cmd.instrument == inst.id and cmd.side is side
            assert cmd.price == (bid if side is Side.BUY else ask)
            assert cmd.order_type is OrderType.LIMIT
            assert inst.lots_to_qty(cmd.qty) == Decimal("0.01")
        await pilot.press("z")  # the next preset, in the ladder's title
        assert "size 0.0500 (2/2)" in str(app.query_one("#ladder-box").border_title)
        for key, side, offset in (("u", Side.BUY, -3), ("i", Side.SELL, 3)):
            await pilot.press(key)
            cmd, bid, ask = sent[-1]
            assert cmd.side is side and inst.lots_to_qty(cmd.qty) == Decimal("0.05")
            assert cmd.price == (bid if side is Side.BUY else ask) + offset
        # bid + 3 ticks: refused when it would cross the ask of that moment (the sim's spread is
        # mostly one tick), else sent at bid + 3, under the ask
        for key, side, said in (("J", Side.BUY, "bid+3t"), ("K", Side.SELL, "ask-3t")):
            before = len(sent)
            await pilot.press(key)
            if len(sent) == before:
                assert f"✗ not sent: {said}" in message(app)
                assert "would cross the" in message(app)
            else:
                cmd, bid, ask = sent[-1]
                assert cmd.side is side
                assert cmd.price == (bid + 3 if side is Side.BUY else ask - 3)
                assert bid < cmd.price < ask
        await pilot.press("Z")  # back to the first
        assert "size 0.0100 (1/2)" in str(app.query_one("#ladder-box").border_title)


async def test_keys_act_on_the_instrument_on_screen_only(tmp_path):
    kernel = session(tmp_path, activity="calm", join_ticks=10)  # orders that stay working
    app = create_app(kernel)
    sent = spy_on_submits(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, kernel)
        btc, eth = list(kernel.instruments.values())[:2]
        await pilot.press("u")  # a BTC buy ten ticks under the bid
        await pilot.press("2")  # ETH on the ladder
        assert app.query_one(Ladder).instrument is eth
        await pilot.pause(0.2)
        await pilot.press("u", "i")
        assert [c.instrument for c, _, _ in sent] == [btc.id, eth.id, eth.id]
        assert await until(pilot, lambda: len(working(kernel)) == 3)
        await pilot.press("B")  # ETH's buys only
        assert await until(pilot, lambda: len(working(kernel)) == 2)
        assert {(o.instrument, o.side) for o in working(kernel)} == {
            (btc.id, Side.BUY),
            (eth.id, Side.SELL),
        }
        await pilot.press("B")
        assert f"no working {eth.symbol} buys to cancel" in message(app)
        await pilot.press("S")
        assert await until(pilot, lambda: [o.instrument for o in working(kernel)] == [btc.id])
        await pilot.press("1", "X")  # BTC again: all of its orders
        assert await until(pilot, lambda: not working(kernel))
        await pilot.press("X")
        assert f"no working {btc.symbol} orders to cancel" in message(app)


async def test_flatten_and_reverse_send_the_position_at_the_market(tmp_path):
    kernel = session(tmp_path, seed=3)
    app = create_app(kernel)
    sent = spy_on_submits(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, kernel)
        inst = app.query_one(Ladder).instrument
        await pilot.press("F")  # flat: said, nothing sent
        assert not sent and f"{inst.symbol} is flat: nothing to flatten" in message(app)
        await pilot.press("R")
        assert not sent and "nothing to reverse" in message(app)
        await command(pilot, "b 0.0537 mkt")
        assert await until(pilot, lambda: position(kernel, inst) == Decimal("0.0537"))
        bps = kernel.settings.risk.market_protection_bps
        await pilot.press("R")  # twice the position, sold: short the same size
        cmd, bid, ask = sent[-1]
        assert (cmd.side, cmd.order_type, cmd.reduce_only) == (Side.SELL, OrderType.MARKET, False)
        assert inst.lots_to_qty(cmd.qty) == Decimal("0.1074")
        assert cmd.price == protection_price(Side.SELL, bid + ask, bps)  # the book when sent
        assert await until(pilot, lambda: position(kernel, inst) == Decimal("-0.0537"))
        await pilot.pause(0.3)  # the ladder marks the short and its PnL
        footer = app.query_one(Ladder).plain_lines()[-2]
        assert footer.startswith("pos -0.0537 @ ") and " USD" in footer, footer
        await pilot.press("F")
        cmd, bid, ask = sent[-1]
        assert (cmd.side, cmd.reduce_only, cmd.instrument) == (Side.BUY, True, inst.id)
        assert inst.lots_to_qty(cmd.qty) == Decimal("0.0537")
        assert cmd.price == protection_price(Side.BUY, bid + ask, bps)
        assert await until(pilot, lambda: position(kernel, inst) == 0)


async def test_flatten_asks_first_when_confirmations_are_on_and_is_refused_by_risk(tmp_path):
    kernel = session(tmp_path, seed=5, confirm_orders=True)
    app = create_app(kernel)
    sent = spy_on_submits(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, kernel)
        inst = app.query_one(Ladder).instrument
        await command(pilot, "b 0.02 mkt")
        await pilot.pause(0.1)
        await pilot.press("y")
        assert await until(pilot, lambda: position(kernel, inst) == Decimal("0.02"))
        await pilot.press("F")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen) and "SELL 0.0200" in app.screen.shown
        await pilot.press("n")
        assert len(sent) == 1 and "not sent" in message(app)
        kernel.trip_kill_switch("test: halted")  # risk refuses the reverse, and says why
        await pilot.press("R")
        await pilot.pause(0.1)
        await pilot.press("y")
        await pilot.pause(0.1)
        assert "DENIED" in message(app) and position(kernel, inst) == Decimal("0.02")


async def test_the_size_preset_is_the_tickets_and_the_ladders_size(tmp_path):
    kernel = session(tmp_path, sizes={"*": [0.001, 0.002], "SIM-BTC/USD": [0.5, 1]})
    app = create_app(kernel)
    sent = spy_on_submits(kernel)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, kernel)
        await pilot.press("z", "u")
        assert kernel.instruments[sent[-1][0].instrument].lots_to_qty(sent[-1][0].qty) == 1
        await pilot.press("t")
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.query_one(Input).value.startswith("b 1.0000 ")
        await pilot.press("escape", "2")  # ETH: the "*" list, its own place in it
        await pilot.pause(0.1)
        assert "size 0.001 (1/2)" in str(app.query_one("#ladder-box").border_title)
        await pilot.press("b")
        eth = list(kernel.instruments.values())[1]
        assert sent[-1][0].instrument == eth.id and eth.lots_to_qty(sent[-1][0].qty) == Decimal(
            "0.001"
        )
