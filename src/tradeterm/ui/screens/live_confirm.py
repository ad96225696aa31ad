"""LIVE: no order leaves until the trader types the venue's exact name (``Kernel.confirm_live``,
audited). Shown when a live session starts; Esc watches only (every order is denied
LIVE_NOT_CONFIRMED) and the command palette's "Confirm live trading" asks again."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from tradeterm.ui.screens.form_focus import select_on_focus


class LiveConfirmScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    LiveConfirmScreen { align: center middle; }
    LiveConfirmScreen > Vertical { width: 72; max-width: 100%; height: auto;
                                   border: thick $error; background: $panel; padding: 0 1; }
    LiveConfirmScreen Label { width: 100%; }
    LiveConfirmScreen #live-title { background: red; color: white; text-style: bold; }
    LiveConfirmScreen #live-error { color: $error; text-style: bold; }
    """
    BINDINGS = [Binding("escape", "watch_only", "Watch only", id="live.watch_only")]

    def __init__(self, venue: str, instruments: list[str]) -> None:
        super().__init__()
        self.venue = venue
        self.instruments = instruments

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f" LIVE on {escape(self.venue)}: orders are real ", id="live-title")
            yield Label(f"Instruments: {escape(', '.join(self.instruments))}")
            yield Label(
                f"Type [b]{escape(self.venue)}[/b] and Enter to enable order entry. "
                "Esc: watch only (every order is refused until you confirm: ctrl+p → "
                "Confirm live trading)."
            )
            yield Input(placeholder=self.venue, id="live-venue", select_on_focus=False)
            yield Label("", id="live-error")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))  # now, not on a later turn

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken as the app reads it (ui/typed_keys.py): this is Textual's
        self.submit_typed(event.input)

    def submit_typed(self, field: Input) -> None:
        typed = field.value.strip()
        if typed != self.venue:
            self.query_one("#live-error", Label).update(
                f"type {escape(self.venue)} exactly (got {escape(typed)!r}); Esc to watch only"
            )
            return
        self.dismiss(typed)

    def watch_focused(self, focused: Widget | None) -> None:
        select_on_focus(focused)  # keys are taken as read: ui/typed_keys.py

    def action_watch_only(self) -> None:
        self.dismiss(None)
