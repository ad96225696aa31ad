"""Keys typed faster than the screen redraws (issue 13.13, found by the pty test of issue 13's
done-when): every key is acted on in the order it was typed, where the screen says after the key
before it. The keys of a burst are all in the app's queue before it reads the first (as the
driver's input thread posts one read of a fast typist's keys): each order line goes out whole,
the keys after its Enter are the ladder's (b / s at the touch), and a line typed straight after
``t`` is the ticket's, never keys for the ladder."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tests.integration.test_tui_trading import live_kernel, message, until
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import TradingState
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.rearm import RearmScreen
from tradeterm.ui.screens.ticket import TicketScreen
from tradeterm.ui.widgets.ladder import Ladder

NAMES = {
    " ": "space",
    ":": "colon",
    "@": "at",
    ".": "full_stop",
    "-": "minus",
    "+": "plus",
    "\r": "enter",
    "\x15": "ctrl+u",
    "\x1b": "escape",
    "\x7f": "backspace",
    "\x0b": "ctrl+k",
}


def burst(app, text: str) -> None:
    """Every key of ``text`` posted to the app at once (no pause between keys)."""
    for ch in text:
        app.post_message(events.Key(NAMES.get(ch, ch), ch if ch.isprintable() else None))


def recorder(kernel) -> list[SubmitOrder]:
    sent: list[SubmitOrder] = []
    kernel.bus.subscribe("command", lambda c: sent.append(c) if type(c) is SubmitOrder else None)
    return sent


async def test_a_burst_of_lines_b_s_and_the_ticket_is_taken_key_by_key_in_order(tmp_path):
    kernel = live_kernel(tmp_path, seed=11, default_size="0.07")
    sent = recorder(kernel)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        inst = app.instruments[0]
        lots = inst.qty_to_lots
        # two lines, b and s at the touch, the ticket (its line cleared, typed, sent), a line
        # with a typo fixed by backspace, then s: seven orders, in this order
        burst(
            app,
            ":b 0.01 @ bid-20t\r:s 0.02 @ ask+30t\rbst\x15b 0.05 @ bid-10t\r"
            ":b 0.03 @ bid-40tx\x7f\rs",
        )
        await until(pilot, lambda: len(sent) >= 7, 3)
        await pilot.pause(0.3)
        assert [(int(c.side), c.qty) for c in sent] == [
            (1, lots("0.01")),
            (-1, lots("0.02")),
            (1, lots("0.07")),
            (-1, lots("0.07")),
            (1, lots("0.05")),
            (1, lots("0.03")),
            (-1, lots("0.07")),
        ], message(app)
        assert {c.instrument for c in sent} == {inst.id}  # no digit switched the instrument
        assert app.focused is app.query_one(Ladder)
        assert app.query_one("#cmd-input", Input).value == ""
        assert len(app.screen_stack) == 1


async def test_keys_after_esc_ctrl_k_and_an_invalid_ticket_go_where_the_screen_says(tmp_path):
    kernel = live_kernel(tmp_path, seed=12, default_size="0.07")
    sent = recorder(kernel)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        # Esc leaves a half-typed line: the b after it is the ladder's
        burst(app, ":s 5 @ ask+9t\x1bb")
        assert await until(pilot, lambda: len(sent) == 1, 3)
        assert int(sent[0].side) == 1 and sent[0].qty == app.instruments[0].qty_to_lots("0.07")
        # an invalid ticket line stays open with its reason; the keys after are still its own
        burst(app, "tb 0.01 @ 12x\rs")  # typed over the line it opens with
        await pilot.pause(0.3)
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.field.value == "b 0.01 @ 12xs" and len(sent) == 1
        burst(app, "\x1b")
        await pilot.pause(0.1)
        # ctrl+k in the middle of a line: HALTED, the line dropped, the next key is the
        # ladder's (2: the second instrument), not text
        assert app.selected == 0
        burst(app, ":b 0.01 @ bid\x0b2")
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.HALTED, 3)
        await pilot.pause(0.3)
        assert app.query_one("#cmd-input", Input).value == ""
        assert app.focused is app.query_one(Ladder)
        assert app.selected == 1
        assert len(sent) == 1


async def test_a_confirmation_is_not_answered_by_keys_typed_before_it_showed(tmp_path):
    """With confirmations on (always in LIVE), the Enter of a burst's first line raises the
    question at once; the second line's Enter, typed before the question showed, must not say
    yes to it (before: it did, and the trader never saw the order confirmed)."""
    kernel = live_kernel(tmp_path, seed=13, confirm_orders=True)
    sent = recorder(kernel)
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        burst(app, ":b 0.01 @ bid-400t\r:s 0.01 @ ask+400t\ry")
        await pilot.pause(0.5)
        assert isinstance(app.screen, ConfirmScreen) and not sent
        assert any("were not taken" in str(n.message) for n in app._notifications)
        await pilot.press("y")  # seen, then answered
        assert await until(pilot, lambda: len(sent) == 1, 3)
        assert int(sent[0].side) == 1
        await pilot.pause(0.3)
        assert len(sent) == 1 and len(app.screen_stack) == 1


async def test_a_burst_into_a_form_is_taken_key_by_key_in_order(tmp_path):
    """The re-arm form: backspaces on the empty reason, a reason, Enter (to the confirmation
    field), a typo fixed by backspace, Enter. Left to Textual, the bound keys (backspace, Enter)
    were run after the characters typed behind them: the reason lost its end and took the
    state typed for the confirmation."""
    kernel = live_kernel(tmp_path, seed=14)
    app = create_app(kernel)
    answers: list[object] = []
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, lambda: kernel.views.risk.state is TradingState.ACTIVE)
        await app.push_screen(RearmScreen("test"), answers.append)
        burst(app, "\x7f\x7f\x7fsafe now\rREDUCINGG\x7f\r")
        assert await until(pilot, lambda: bool(answers), 3), (
            app.screen.query_one("#rearm-reason", Input).value,
            app.screen.query_one("#rearm-confirm", Input).value,
        )
        assert answers == [("safe now", TradingState.REDUCING)]
