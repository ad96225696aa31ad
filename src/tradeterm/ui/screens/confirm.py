"""Confirm before acting (an order with ``ui.confirm_orders``, always in LIVE; quitting with
orders working): y / Enter says yes, n / Esc no. Only keys typed after the question showed
answer it (``shown_at``; ``ui/typed_keys.py`` drops the earlier ones): the Enter of a line
typed ahead is not a yes to an order the trader has not seen.

The detail may be live (a callable): it is redrawn on a timer, so an order priced from the book
(``bid-2t``) shows the price it would go out at now (it is priced again when sent), and the quit
question counts what is still working now."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

REFRESH_S = 0.25


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 70; max-width: 100%; height: auto; border: thick $warning;
                               background: $panel; padding: 0 1; }
    ConfirmScreen Label { width: 100%; }
    """
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Send", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Don't send", id="confirm.no"),
    ]

    def __init__(self, title: str, detail: str | Callable[[], str]) -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail
        self.shown = self._detail()
        self.shown_at = math.inf  # monotonic time the question was on screen (Key.time's clock)

    def _detail(self) -> str:
        return self.detail() if callable(self.detail) else self.detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{escape(self.title_text)}[/b]")
            yield Label(escape(self.shown), id="confirm-detail")
            yield Label("[b]y[/b] / Enter: yes    [b]n[/b] / Esc: no")

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()
        if callable(self.detail):
            self.set_interval(REFRESH_S, self.redraw)

    def redraw(self) -> None:
        """Show the detail of now."""
        now = self._detail()
        if now != self.shown:
            self.shown = now
            self.query_one("#confirm-detail", Label).update(escape(now))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
