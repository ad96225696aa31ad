"""Go to a moment of a replay (key ``g``): a clock time (UTC; the next day's after midnight), a
date and time, +90s / -5m from the replay clock, a fill of the recorded session by number
(``fill 12`` or ``#12``) or one of its orders (``order ID``). A target that cannot be gone to is
refused here, with the reason, and the typed text stays to be corrected; Escape closes. The
replay goes on playing while the box is open: its "now" line follows the replay clock, which the
offsets count from when Enter is pressed."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from tradeterm.ui.screens.form_focus import select_on_focus

PROMPT = "Go to: HH:MM:SS (UTC), +90s / -5m from now, or 2024-08-09 00:00:05"
WHERE_EVERY_S = 0.25  # how often the "now" line follows the replay clock
TARGETS = "or the 12th fill: #12 / fill 12; an order: order TT000001-00000042"


class GotoTimeScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    GotoTimeScreen { align: center middle; }
    GotoTimeScreen > Vertical { width: 72; max-width: 100%; height: auto;
                                border: round $accent; background: $panel; padding: 0 1; }
    GotoTimeScreen Label { width: 100%; }
    GotoTimeScreen #goto-where { color: $text-muted; }
    GotoTimeScreen #goto-error { color: $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="replay.goto_cancel")]

    def __init__(self, where: Callable[[], str], go: Callable[[str], str | None]) -> None:
        super().__init__()
        self.where = where  # the recording's span and the replay clock, as they are now
        self.go = go  # seeks; returns why not, or None when the replay goes there
        self._shown = where()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(PROMPT)
            yield Label(TARGETS)
            yield Label(self._shown, id="goto-where")
            yield Input(placeholder="+60s", id="goto-time", select_on_focus=False)
            yield Label("", id="goto-error")

    def on_mount(self) -> None:
        self.set_interval(WHERE_EVERY_S, self._show_where)

    def _show_where(self) -> None:
        text = self.where()
        if text != self._shown:
            self._shown = text
            self.query_one("#goto-where", Label).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken as the app reads it (ui/typed_keys.py): this is Textual's
        self.submit_typed(event.input)

    def submit_typed(self, field: Input) -> None:
        text = field.value.strip()
        if not text:
            self.dismiss(None)
            return
        why = self.go(text)
        if why is None:
            self.dismiss(text)
        else:
            self.query_one("#goto-error", Label).update(f"✗ {why}")

    def watch_focused(self, focused: Widget | None) -> None:
        select_on_focus(focused)  # keys are taken as read: ui/typed_keys.py

    def action_cancel(self) -> None:
        self.dismiss(None)
