"""Confirm an order before it is sent (``ui.confirm_orders``; always in LIVE): y / Enter sends,
n / Esc drops it."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 70; height: auto; border: thick $warning;
                               background: $panel; padding: 0 1; }
    ConfirmScreen Label { width: 100%; }
    """
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Send", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Don't send", id="confirm.no"),
    ]

    def __init__(self, title: str, detail: str) -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{escape(self.title_text)}[/b]")
            yield Label(escape(self.detail))
            yield Label("[b]y[/b] / Enter: yes    [b]n[/b] / Esc: no")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
