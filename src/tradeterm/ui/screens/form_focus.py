"""A form's field selects its text the moment it gets the focus (``ui/typed_keys.py``).

The forms' keys are acted on as the app reads them, so a field that gets the focus takes the next
key at once. Textual's ``Input.select_on_focus`` selects on the field's Focus event, a turn
later, and would select (and so replace) keys typed meanwhile: the forms' fields are made with
``select_on_focus=False`` and the form calls this from its ``watch_focused``, which runs as the
screen's focus moves."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Input
from textual.widgets.input import Selection


def select_on_focus(focused: Widget | None) -> None:
    """The focused field's text selected now (typing replaces it), as Textual's
    ``select_on_focus`` would."""
    if isinstance(focused, Input):
        focused.selection = Selection(0, len(focused.value))
