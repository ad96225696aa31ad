"""The driver of the workstation in a browser tab (``tradeterm serve`` sets it for each tab's
process): Textual's WebDriver plus what it lacks for a trading session.

The tab's process talks to the server through its stdin and stdout pipes. When the server's end
goes away (the tab was closed, or the server stopped, died or lost its terminal) the WebDriver
only stops reading, and the session would go on trading with nobody able to see it. Here the
end of the input, or a write the server can no longer read, posts ``TerminalGone`` to the app
once: the terminal hung up (``session.on_hangup``) and the session stops.

The server may also give the tab a note to show when it starts (``TRADETERM_TAB_NOTE``: which
paper account this tab trades).
"""

from __future__ import annotations

import os
from typing import Any

from textual.drivers.web_driver import WebDriver
from textual.message import Message

NOTE_ENV = "TRADETERM_TAB_NOTE"


class TerminalGone(Message):
    """The tab's server is gone: nothing this session draws can be seen any more."""


class TabDriver(WebDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gone = False
        raw = self._write

        def write(data: bytes) -> None:
            if self._gone:
                return
            try:
                raw(data)
            except OSError:  # the server closed its end (EPIPE): the tab is gone
                self._server_gone()

        self._write = write  # type: ignore[method-assign]

    def start_application_mode(self) -> None:
        super().start_application_mode()
        note = os.environ.get(NOTE_ENV)
        if note:
            self._app.call_later(self._app.notify, note, timeout=15)

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # the input ended while the app runs: server gone
            self._server_gone()

    def _server_gone(self) -> None:
        if not self._gone:
            self._gone = True
            self._app.post_message(TerminalGone())
