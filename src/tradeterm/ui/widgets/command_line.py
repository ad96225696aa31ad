"""The command line: ``:`` focuses it, Enter sends, Esc leaves. The grammar is in
``tradeterm.orderentry`` (``HELP`` there); the line below the input says what happened."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from tradeterm.orderentry import HELP


class CommandLine(Horizontal):
    DEFAULT_CSS = """
    CommandLine { height: 1; background: $boost; }
    CommandLine > Static#cmd-prompt { width: 2; color: $accent; text-style: bold; }
    CommandLine > Input { width: 1fr; height: 1; border: none; padding: 0; background: $boost; }
    CommandLine > Input:focus { border: none; background: $surface; }
    CommandLine > Static#cmd-msg { width: 2fr; height: 1; padding: 0 1; color: $text-muted; }
    CommandLine > Static#cmd-msg.-error { color: $error; text-style: bold; }
    CommandLine > Static#cmd-msg.-ok { color: $success; }
    """
    BINDINGS = [Binding("escape", "leave", "Leave", id="cmdline.leave")]

    class Submitted(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    def compose(self) -> ComposeResult:
        yield Static(":", id="cmd-prompt")
        yield Input(placeholder="press : to type an order",
                    id="cmd-input", select_on_focus=False)
        yield Static(Text(HELP), id="cmd-msg")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def say(self, text: str, ok: bool | None = None) -> None:
        msg = self.query_one("#cmd-msg", Static)
        msg.update(Text(text))  # plain: order ids and reasons are not markup
        msg.set_class(ok is False, "-error")
        msg.set_class(ok is True, "-ok")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        if line:
            self.post_message(self.Submitted(line))

    def action_leave(self) -> None:
        self.app.action_focus_ladder()
