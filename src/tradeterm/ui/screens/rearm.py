"""Re-arm trading after a HALT: a reason, then the target state typed out as the confirmation
(ACTIVE, or REDUCING to allow only exposure-reducing orders). Nothing happens on a typo."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from tradeterm.domain.events import TradingState
from tradeterm.ui.screens.form_focus import select_on_focus


class RearmScreen(ModalScreen[tuple[str, TradingState] | None]):
    DEFAULT_CSS = """
    RearmScreen { align: center middle; }
    RearmScreen > Vertical { width: 72; height: auto; border: thick $error; background: $panel;
                             padding: 0 1; }
    RearmScreen Label { width: 100%; }
    RearmScreen #rearm-error { color: $error; text-style: bold; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rearm.cancel")]

    def __init__(self, halted_reason: str) -> None:
        super().__init__()
        self.halted_reason = halted_reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]Re-arm trading[/b]  (halted: {escape(self.halted_reason)})")
            yield Label("Why is it safe to trade again?")
            yield Input(
                placeholder="reason (required, kept in the audit log)",
                id="rearm-reason",
                select_on_focus=False,
            )
            yield Label("Type ACTIVE to re-arm, or REDUCING to allow only reducing orders:")
            yield Input(placeholder="ACTIVE", id="rearm-confirm", select_on_focus=False)
            yield Label("", id="rearm-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken as the app reads it (ui/typed_keys.py): this is Textual's
        self.submit_typed(event.input)

    def submit_typed(self, field: Input) -> None:
        reason = self.query_one("#rearm-reason", Input).value.strip()
        typed = self.query_one("#rearm-confirm", Input).value.strip()
        error = self.query_one("#rearm-error", Label)
        if field.id == "rearm-reason" and reason and not typed:
            self.set_focus(self.query_one("#rearm-confirm", Input))  # now: the next key is its
            return
        if not reason:
            error.update("a reason is required")
            self.set_focus(self.query_one("#rearm-reason", Input))
            return
        if typed not in (TradingState.ACTIVE.value, TradingState.REDUCING.value):
            error.update(f"type ACTIVE or REDUCING exactly (got {typed!r}); Esc to stay halted")
            return
        self.dismiss((reason, TradingState(typed)))

    def watch_focused(self, focused: Widget | None) -> None:
        select_on_focus(focused)  # keys are taken as read: ui/typed_keys.py

    def action_cancel(self) -> None:
        self.dismiss(None)
