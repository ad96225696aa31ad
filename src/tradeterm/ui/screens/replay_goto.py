"""Go to a time in a replay (key ``g``): HH:MM:SS (UTC), +90s / +5m from the start, or ISO."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class GotoTimeScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    GotoTimeScreen { align: center middle; }
    GotoTimeScreen > Vertical { width: 60; height: auto; border: round $accent;
                                background: $panel; padding: 0 1; }
    GotoTimeScreen Label { width: 100%; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="replay.goto_cancel")]

    def __init__(self, error: str = "") -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Go to time (forward): HH:MM:SS UTC, +90s, +5m, or ISO date-time")
            yield Input(placeholder="23:58:00", id="goto-time")
            yield Label(self.error, id="goto-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
