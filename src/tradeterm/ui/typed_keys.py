"""Every key of the main screen and the ticket acted on as the app reads it, in typed order.

Textual acts on a priority binding as it reads a key, but hands any other key to the focused
widget's own queue: the widget types it or lets it bubble back to the app, where the bindings
are looked up against the focus of *that* moment. In a burst typed faster than the screen
redraws (``:b 0.01 @ bid-2t⏎:s 0.01 @ ask+2t⏎b``) the keys after Enter were already queued at
the command line when Enter was taken: the next line was typed onto the end of the first, and a
``b`` meant for the ladder became text. A trader expects the next key to go where the screen
says after the previous one.

So ``TypedKeys.take`` acts on each key of the main screen and of the order ticket at once, with
Textual's public pieces (``Screen.active_bindings``, ``App.run_action``,
``Widget.check_consume_key``), and only then reads the next key:

1. a character the open line consumes is typed into it (as ``Input`` would);
2. a priority binding (ctrl+k, ``:``) is left to Textual, which runs it at once;
3. Enter on an open line sends it (``LineTaker.send_typed``): the command line closes and the
   keys go back to the ladder before the next key is read; the ticket is dismissed;
4. any other key runs the binding the screen shows for it now (the ladder's ``b`` / ``s``, the
   line's editing keys, Esc); an action that opens the ticket (``t``) or a form (``g``, ``M``,
   ``p``) is awaited, so the line typed after it is the ticket's or the form's.

A modal form with text fields (go-to, bookmark name, re-arm, LIVE confirmation, quoter
parameters: ``TypedForm``) takes its keys the same way while one of its fields has the focus:
characters are typed into it, its editing keys (backspace, ctrl+u, arrows), Tab / up / down and
Esc run at once, and Enter is the form's ``submit_typed``. Left to Textual, a printable key is
typed by the ``Input`` as soon as its own queue runs, but a bound key (backspace, ctrl+u) goes
from the ``Input`` up through each parent's queue to the app's, where the binding is run
(``message_pump.py`` ``_on_message`` bubbles by posting; ``app.py`` ``App._on_key`` runs
``_check_bindings``): under a busy app the characters typed after a backspace are in the field
before it is run, and it deletes them (ctrl+u typed before a time left the go-to box empty).
A form's fields do not select their text on Textual's Focus event, which also comes a turn
late and would select keys typed meanwhile; the form selects it as the focus moves
(``screens/form_focus.py``).

Other modals (help, confirmations, the bookmark list) keep Textual's own handling, except that a
confirmation takes only keys typed after it showed (``ConfirmScreen.shown_at``, against the
time the terminal's key was read, ``Key.time``): the Enter of a line typed ahead is not a yes
to an order the trader has not seen; those keys are dropped, and a notification says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol, runtime_checkable

from textual import events
from textual.app import App
from textual.widgets import Input

from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.ticket import TicketScreen
from tradeterm.ui.widgets.command_line import CommandLine


class LineTaker(Protocol):
    """An order line that takes typed keys: the command line while it is open, the ticket."""

    @property
    def field(self) -> Input: ...

    def send_typed(self) -> None:
        """Enter: send the line as it is now (and give the keys back to the ladder)."""


@runtime_checkable
class TypedForm(Protocol):
    """A modal form whose focused text field takes typed keys in order (its fields are made
    with ``select_on_focus=False``; its ``watch_focused`` selects: ``screens/form_focus.py``)."""

    def submit_typed(self, field: Input) -> None:
        """Enter in ``field``: what the form does with it, now."""


class Line(NamedTuple):
    """The field that has the keys, and what Enter in it does."""

    field: Input
    send: Callable[[], None]


class TypedKeys:
    """Owned by the app, which hands it every key it reads (``on_event``)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._dropped_at: ConfirmScreen | None = None  # the question keys were dropped at

    async def take(self, event: events.Key) -> bool:
        """True when the key was acted on now; False leaves it to Textual."""
        app = self.app
        if isinstance(app.screen, ConfirmScreen) and event.time < app.screen.shown_at:
            if self._dropped_at is not app.screen:  # typed before the question showed
                self._dropped_at = app.screen
                app.notify(
                    "keys typed before this question showed were not taken: "
                    "answer it, then type again",
                    severity="warning",
                )
            return True
        line = self._line()
        if line is None and len(app.screen_stack) > 1:
            return False  # another modal: Textual's own way
        app.app_focus = True
        if line is not None and line.field.check_consume_key(event.key, event.character):
            type_into(line.field, event.character or "")
            return True
        if self._priority(event.key):
            return False  # Textual runs a priority binding as it reads the key
        if line is not None and event.key == "enter":
            line.send()
            return True
        active = app.screen.active_bindings.get(event.key)
        if active is None or not active.enabled:
            return False
        return await app.run_action(active.binding.action, active.node)

    def _line(self) -> Line | None:
        """The line that has the keys: the ticket on top, a form's focused field, or the main
        screen's open command line (it has the focus from ``:`` until Enter, Esc or ctrl+k)."""
        screen = self.app.screen
        if isinstance(screen, TicketScreen):
            return Line(screen.field, screen.send_typed) if screen.is_mounted else None
        if isinstance(screen, TypedForm):
            field = screen.focused
            if not isinstance(field, Input):
                return None
            return Line(field, lambda: screen.submit_typed(field))
        if screen is self.app.screen_stack[0]:  # (no command line yet while starting)
            taker: LineTaker | None = next(iter(screen.query(CommandLine)), None)
            if taker is not None and screen.focused is taker.field:
                return Line(taker.field, taker.send_typed)
        return None

    def _priority(self, key: str) -> bool:
        """An enabled priority binding for ``key`` (the app's own ones count on the ticket too,
        whose bindings Textual's ``active_bindings`` stop at)."""
        app = self.app
        for screen in {app.screen, app.screen_stack[0]}:
            active = screen.active_bindings.get(key)
            if active is not None and active.binding.priority and active.enabled:
                return True
        return False


def type_into(field: Input, text: str) -> None:
    """``text`` typed at the cursor (over the selection, if any), as ``Input`` does."""
    selection = field.selection
    if selection.is_empty:
        field.insert_text_at_cursor(text)
    else:
        field.replace(text, *selection)
