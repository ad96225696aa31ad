"""The command line: ``:`` opens a clean line, Enter sends and gives the keys back to the ladder,
Esc leaves; up / down recall earlier lines (a line that failed is fixed with ``:`` then up).
The grammar is in ``tradeterm.trading.orderentry`` (``HELP`` there).

While the line is open each key is acted on as the app reads it (``ui/typed_keys.py``), so a
burst typed faster than the screen redraws (``:b 1 @ bid⏎:s 1 @ ask⏎b``) is taken in order:
each line is sent at its Enter (``send_typed``), the keys go back to the ladder at that moment,
and the next key is the ladder's or the next line's.

The message beside the input says what happened. For a request sent to the venue it follows the
venue's answer in the engine's ``OrderAnswersView`` on the app's redraw timer: "sent" while
pending, then accepted / filled / cancelled / modified, or refused with the venue's reason."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from tradeterm.core.views import OrderAnswersView
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.orderentry import HELP
from tradeterm.ui.answers import answer_line

log = logging.getLogger("tradeterm.ui")

HISTORY = 50
HINT = "b 0.5 @ 61800 · s 1 mkt · cxl all · ? help"  # fits beside the line at 80 columns
KEYS = "Enter sends · Esc leaves · ↑ earlier"  # beside an open line at 80 columns


class CommandLine(Horizontal):
    DEFAULT_CSS = """
    CommandLine { height: auto; background: $boost; }
    CommandLine > Static#cmd-prompt { width: 2; color: $accent; text-style: bold; }
    CommandLine > Input { width: 25; height: 1; border: none; padding: 0; background: $boost; }
    CommandLine > Input:focus { width: 1fr; border: none; background: $surface; }
    CommandLine > Static#cmd-msg { width: 1fr; height: auto; padding: 0 1;
                                   color: $text-muted; }
    CommandLine > Static#cmd-msg.-error { color: $error; text-style: bold; }
    CommandLine > Static#cmd-msg.-ok { color: $success; }
    """
    BINDINGS = [
        Binding("escape", "leave", "Leave", id="cmdline.leave"),
        Binding("up", "recall(-1)", "Earlier line", show=False, id="cmdline.history_back"),
        Binding("down", "recall(1)", "Later line", show=False, id="cmdline.history_forward"),
    ]

    def __init__(
        self,
        send: Callable[[str], None],
        answers: OrderAnswersView | None = None,
        instruments: Mapping[str, Instrument] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.send = send  # a line sent with Enter (the app's order entry)
        self.answers = answers or OrderAnswersView()
        self.instruments = instruments or {}
        self.history: list[str] = []
        self._recall = 0  # position in the history while recalling (len = the new line)
        self._following: tuple[list[int], str] | None = None  # (answer numbers, what was sent)
        self._seen = -1  # the answers' version the message was drawn from
        self.message = HINT

    def compose(self) -> ComposeResult:
        yield Static(":", id="cmd-prompt")
        yield Input(placeholder="press : to type an order", id="cmd-input", select_on_focus=False)
        yield Static(Text(HINT), id="cmd-msg")

    @property
    def field(self) -> Input:
        return self.query_one(Input)

    # --- opening and leaving -----------------------------------------------------------------
    def open(self) -> None:
        """A clean line with the keys in it (``:``), and the grammar beside it."""
        self.field.value = ""
        if self._following is None:
            self._write(HELP if self.app.size.width >= 120 else KEYS, None)
        self._recall = len(self.history)
        self.screen.set_focus(self.field)  # at once: the next key of a burst is text

    def close(self) -> None:
        """Clear the line and give the keys back to the ladder (after Enter, Esc, ctrl+k), at
        once: the next key read is the ladder's."""
        self.field.value = ""
        if self._following is None and self.message in (HELP, KEYS):
            self._write(HINT, None)  # the open line's help goes with it
        self.app.action_focus_ladder()

    def send_typed(self) -> None:
        """Enter: the line sent now (``ui/typed_keys.py``), the keys back to the ladder first."""
        line = self.field.value.strip()
        if line and (not self.history or self.history[-1] != line):
            self.history = (self.history + [line])[-HISTORY:]
        self.close()
        if line:
            self.send(line)

    def action_leave(self) -> None:
        self.close()

    def action_recall(self, step: int) -> None:
        if not self.history:
            return
        self._recall = max(0, min(len(self.history), self._recall + step))
        line = self.history[self._recall] if self._recall < len(self.history) else ""
        self.field.value = line
        self.field.cursor_position = len(line)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken as the app reads it; this is the field's own submit
        self.send_typed()

    # --- the message -------------------------------------------------------------------------
    def say(self, text: str, ok: bool | None = None, logged: bool = False, hint: str = "") -> None:
        """Say something that is not a venue's answer (stops following one), with a ``hint``
        for the line only. A refusal (``ok`` False) also goes to the log pane, unless the
        engine logged it already (``logged``: a risk denial): the next line typed in a burst
        replaces the message, and the trader must still be able to read why the one before was
        not sent."""
        self._following = None
        self._write(f"{text}   ({hint})" if hint else text, ok)
        if ok is False and not logged:
            log.info("refused: %s", text.removeprefix("✗ "))

    def follow(self, numbers: list[int], what: str) -> None:
        """Show the venue's answers to these requests as they arrive."""
        self._following = (numbers, what)
        self._seen = -1
        self.refresh_view()

    def refresh_view(self) -> None:
        """Called by the app's redraw timer: redraw only when an answer changed."""
        if self._following is None or self.answers.version == self._seen:
            return
        self._seen = self.answers.version
        numbers, what = self._following
        found = [self.answers.answers[n] for n in numbers if n in self.answers.answers]
        text, ok = answer_line(found, what, self.instruments)
        self._write(text, ok)

    def _write(self, text: str, ok: bool | None) -> None:
        self.message = text
        shown = self.query("#cmd-msg").results(Static)
        msg = next(shown, None)
        if msg is None:  # the app is closing: its redraw timer ticked after the line went
            return
        msg.update(Text(text))  # plain: order ids and reasons are not markup
        msg.set_class(ok is False, "-error")
        msg.set_class(ok is True, "-ok")
