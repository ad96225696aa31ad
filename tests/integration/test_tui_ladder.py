"""The ladder with the engine running (Textual pilot): what b / s and shift+up / down act on,
and the top of book the watchlist and the ladder show (issue 13: 13.2, 13.3, 13.12)."""

from __future__ import annotations

import random

from textual.widgets import Static

from tradeterm.config import load_settings
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.format import palette
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter
from tradeterm.ui.widgets.quotes import QuotesPane

BTC = {
    "symbol": "SIM-BTC/USD",
    "base": "BTC",
    "quote": "USD",
    "tick_size": "0.5",
    "lot_size": "0.0001",
    "min_notional": 5,
    "start_price": 61800,
    "maker_median_lots": 400,
    "taker_median_lots": 250,
    "weight": 1.5,
}
ETH = {
    "symbol": "SIM-ETH/USD",
    "base": "ETH",
    "quote": "USD",
    "tick_size": "0.05",
    "lot_size": "0.001",
    "min_notional": 5,
    "start_price": 2650,
    "maker_median_lots": 800,
    "taker_median_lots": 500,
}


def kernel_with(
    tmp_path, seed: int, btc_vol: float = 0.5, eth_vol: float = 0.5, activity: str = "calm"
) -> Kernel:
    """A running sim market, calm and nearly still unless ``btc_vol`` (bps per sqrt s) makes
    BTC move fast."""
    settings = load_settings(
        data_dir=str(tmp_path),
        sim={
            "seed": seed,
            "activity": activity,
            "instruments": [
                {**BTC, "vol_bps_per_sqrt_s": btc_vol},
                {**ETH, "vol_bps_per_sqrt_s": eth_vol},
            ],
        },
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


def working(kernel):
    return [o for o in kernel.views.orders.orders.values() if not o.is_terminal]


def drawn_touch(ladder: Ladder) -> tuple[str | None, str | None]:
    """The best bid and best ask as the ladder draws them (their reverse-highlighted rows)."""
    pal = palette()
    bid = ask = None
    for row in ladder._rows:
        for text, style in row:
            if style.startswith(f"bold reverse {pal.bid}"):
                bid = text.strip()
            elif style.startswith(f"bold reverse {pal.ask}"):
                ask = text.strip()
    return bid, ask


def quoted_touch(quotes: QuotesPane) -> tuple[str, str]:
    row = quotes._rows[1 + quotes.selected]
    return row[2][0].strip(), row[3][0].strip()


def spy_on_sends(app) -> list[tuple[object, list[str]]]:
    """Every command the app executes, with the ladder's lines at that moment (the screen the
    trader saw when the order went out)."""
    sent: list[tuple[object, list[str]]] = []
    execute = app.trading.execute

    def spy(cmd):
        sent.append((cmd, list(app.query_one(Ladder).plain_lines())))
        return execute(cmd)

    app.trading.execute = spy
    return sent


async def test_b_and_s_send_a_price_on_screen_while_the_market_moves(tmp_path):
    """13.2: the cursor was left behind by a moving market (the ladder re-centred) and ``s``
    sold at the cursor's old price, off screen, as a taker 150 ticks away."""
    kernel = kernel_with(tmp_path, seed=11, btc_vol=25.0, activity="normal")
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.query_one(Ladder)
        book = ladder.book
        assert await until(
            pilot,
            lambda: (
                kernel.views.risk.state is TradingState.ACTIVE
                and len(book.bids) > 20
                and len(book.asks) > 20
            ),
        )
        sent = spy_on_sends(app)
        fmt = ladder.instrument.format_price
        for side in ("s", "b"):
            ladder.action_cursor(3)  # the cursor three rows over the middle (up up up)
            chosen = fmt(ladder.cursor)
            # the ladder re-centres only once the market leaves the middle half: the cursor's
            # row goes off screen after a run of some 18 rows one way, which a loaded machine's
            # market (a clean-clone CI with three workers) did not make in 20 s
            assert await until(
                pilot,
                lambda chosen=chosen: (
                    not any(chosen in line for line in ladder.plain_lines()[1:-1])
                ),
                60,
            ), "the market did not move the ladder away from the cursor"
            await pilot.press(side)
            cmd, screen = sent[-1]
            price = fmt(cmd.price)
            # a row's price, or (rows grouped) the exact touch printed in the footer
            assert any(price in line for line in screen[1:]), (
                f"{side} sent {price}, not a price on the ladder:\n" + "\n".join(screen)
            )
            # the cursor was left behind: b / s went back to the touch, which the footer names
            assert f"{'b' if side == 'b' else 's'} {price}" in screen[-1], screen[-1]
            await pilot.press("ctrl+x")
        await pilot.press("escape")


async def test_b_and_s_act_on_the_screen_the_key_was_pressed_on():
    """The cursor the trader sees is the price sent, even if the market moved the instant
    before the key: the ladder's redraw for the key must not re-centre the view and release the
    cursor first (seen in tmux: s sold at the touch, 29 ticks under the cursor on screen)."""
    from tests.helpers import fast_kernel
    from tradeterm.domain.market import BookSnapshot
    from tradeterm.ui.trading import Outcome

    kernel = fast_kernel(seed=2, seconds=5)
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sent = []
        app.trading.execute = lambda cmd: (sent.append(cmd), Outcome(True, "sent"))[1]
        ladder = app.query_one(Ladder)
        rows = ladder.rows_visible
        ladder.action_cursor(rows // 2 - 1)  # near the top row
        cursor = ladder.cursor
        assert cursor in ladder.view.window
        book = ladder.book
        drop = rows // 4 + 3  # far enough that the next frame re-centres the ladder
        book.apply_snapshot(
            BookSnapshot(
                book.instrument,
                [(p - drop, s) for p, s in sorted(book.bids.items(), reverse=True)],
                [(p - drop, s) for p, s in sorted(book.asks.items())],
                book.last_update_id + 1,
                0,
                0,
            )
        )
        app.action_ladder_order("sell")  # no frame drawn between the move and the key
        assert sent[-1].price == cursor
        await pilot.pause(0.2)  # the next frames follow the market and release the cursor
        assert ladder.cursor is None


async def test_b_and_s_at_a_visible_cursor_send_the_cursor_price(tmp_path):
    kernel = kernel_with(tmp_path, seed=12)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        sent = spy_on_sends(app)
        ladder = app.query_one(Ladder)
        await pilot.press(*["down"] * 6)
        price = ladder.cursor
        await pilot.press("b")
        cmd, screen = sent[-1]
        assert (cmd.side, cmd.price) == (Side.BUY, price)
        assert f"b/s {ladder.instrument.format_price(price)}" in screen[-1]
        await pilot.press("ctrl+x")
        # a manual view scrolled away from the touch: b has no price on screen and says so
        await pilot.press("c", *["pagedown"] * 4)
        ladder.view.cursor = None  # no cursor: b would join the best bid, now off screen
        ladder.redraw()
        before = len(sent)
        await pilot.press("b")
        assert len(sent) == before, "an order went out at a price not on screen"
        assert "off the ladder" in message(app) and "press c" in message(app)


async def test_shift_up_never_moves_an_order_of_another_instrument(tmp_path):
    """13.3: shift+up on the BTC ladder moved the ETH order selected in the blotter."""
    kernel = kernel_with(tmp_path, seed=13)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        btc_id, _eth_id = list(kernel.instruments)
        await pilot.press("2")  # the ETH ladder
        ladder = app.query_one(Ladder)
        assert await until(pilot, lambda: ladder.book.best_bid is not None)
        ladder.action_cursor(-40)  # far under the market: it stays working
        await pilot.press("b")  # an ETH buy
        assert await until(pilot, lambda: len(working(kernel)) == 1)
        eth = working(kernel)[0]
        eth_price = eth.price
        blotter = app.query_one(OrdersBlotter)
        assert blotter.selected() is eth
        await pilot.press("1")  # back to the BTC ladder; the ETH order stays selected
        await pilot.press("shift+up")
        await pilot.pause(0.2)
        assert eth.price == eth_price, "shift+up on the BTC ladder moved the ETH order"
        assert "no working SIM-BTC/USD order" in message(app), message(app)
        # a BTC order at the cursor is the one that moves, and the cursor follows it
        ladder.action_cursor(-40)
        await pilot.press("b")
        assert await until(pilot, lambda: len(working(kernel)) == 2)
        btc = next(o for o in working(kernel) if o.instrument == btc_id)
        price = btc.price
        await pilot.press("shift+up")
        assert await until(pilot, lambda: btc.price == price + ladder.view.group)
        assert ladder.cursor == btc.price and eth.price == eth_price
        # the cursor elsewhere, the ETH order still selected: BTC has an order, but which one
        # is not shown: refused with the reason, nothing moves
        await pilot.press("up", "up")
        await pilot.press("shift+down")
        await pilot.pause(0.2)
        assert btc.price == price + ladder.view.group and eth.price == eth_price
        assert "which SIM-BTC/USD order" in message(app)
        await pilot.press("ctrl+x")
        assert await until(pilot, lambda: not working(kernel))


async def test_watchlist_and_ladder_show_the_same_best_bid_in_every_frame(tmp_path):
    """13.12: the watchlist (4 Hz) and the ladder (10 Hz) drew the top of book each from the
    live book on its own beat, so one screen showed two different best bids."""
    kernel = kernel_with(tmp_path, seed=14, btc_vol=20.0, eth_vol=5.0, activity="normal")
    app = create_app(kernel)
    rng = random.Random(14)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        ladder, quotes = app.query_one(Ladder), app.query_one(QuotesPane)
        await pilot.press(*["less_than_sign"] * 4)  # one tick a row: the rows are the prices
        # the first frame with a book (on a loaded machine the ladder's can come after 0.5 s)
        assert await until(pilot, lambda: None not in drawn_touch(ladder))
        different = []
        for n in range(60):
            await pilot.pause(rng.uniform(0.01, 0.06))
            if n % 20 == 10:
                await pilot.press("up")  # a key redraws the ladder at once: still one frame
            shown, quoted = drawn_touch(ladder), quoted_touch(quotes)
            if shown != quoted and not _off_the_ladder(ladder, shown, quoted):
                different.append((shown, quoted))
        assert not different, f"{len(different)} of 60 frames differ: {different[:3]}"


def _off_the_ladder(ladder: Ladder, shown: tuple, quoted: tuple) -> bool:
    """The sides the ladder marks no touch on are those whose quoted price has no row on it: at
    one tick a row, the ladder keeps its centre until the market drifts out of the middle half,
    and this fast market's spread can be wider than the rows (a loaded CI run saw 4 frames with
    the touch 61935.5 / 61959.5, 48 ticks apart, neither on the ladder)."""
    lines = list(ladder.plain_lines())
    return all(
        side == price or (side is None and not any(price in line for line in lines))
        for side, price in zip(shown, quoted)
    )


async def test_zoom_keys_group_prices_and_are_remappable(tmp_path):
    settings = load_settings(
        data_dir=str(tmp_path), sim={"seed": 15}, ui={"keys": {"ladder.zoom_out": "z"}}
    )
    kernel = Kernel(settings, RunOptions(fast=True, seconds=5, record=False))
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.query_one(Ladder)
        assert ladder.view.group == 1 and ladder.view.auto_group  # a dense book: tick rows
        await pilot.press("z", "z")  # remapped from ">"
        assert ladder.view.group == 5 and not ladder.view.auto_group
        book = ladder.book
        lines = ladder.plain_lines()
        assert "step 2.5" in lines[-1]
        # a row holds the sum of its bids: the best bid's row
        row = book.best_bid // 5 * 5
        total = sum(book.size_at(1, p) for p in range(row, row + 5))
        text = next(line for line in lines if ladder.instrument.format_price(row) in line)
        assert f"{ladder.instrument.lots_to_qty(total).normalize():f}"[:5] in text
        await pilot.press("less_than_sign")
        assert ladder.view.group == 2
        await pilot.press("a")
        assert ladder.view.group == 1 and ladder.view.auto_group
        await pilot.press("question_mark")
        from tradeterm.ui.screens.help import HelpTable

        text = "\n".join(app.screen.query_one(HelpTable).plain_lines())
        for binding_id in ("ladder.zoom_in", "ladder.zoom_out", "ladder.group_auto"):
            assert binding_id in text


async def test_replay_ladder_prints_small_sizes_in_plain_digits(tmp_path):
    """13.9: the replay ladder showed a BTCUSDT level of 0.00009 as ``9e-05``."""
    import re
    from pathlib import Path

    shipped = (
        Path(__file__).resolve().parents[2]
        / "recordings"
        / "binance-spot-btcusdt-ethusdt-20240808.ttj"
    )
    kernel = Kernel(
        load_settings(sim={"seed": 1}, data_dir=str(tmp_path)),
        RunOptions(mode="replay", replay=shipped, speed=1.0, interactive=True, record=False),
    )
    kernel.replay.pause()
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        ladder = app.query_one(Ladder)
        for _ in range(300):
            kernel.replay.step()
        assert await until(pilot, lambda: ladder.book.best_ask is not None)
        await pilot.press(*["less_than_sign"] * 12)  # one tick a row
        book = ladder.book
        book.set_level(-1, book.best_ask, 9000)  # 0.00009 BTC (lot 1e-8) at the best ask
        book.version += 1
        await pilot.pause(0.3)
        lines = ladder.plain_lines()
        assert not any(re.search(r"\de-\d", line) for line in lines), "\n".join(lines)
        assert any("0.00009" in line for line in lines)
