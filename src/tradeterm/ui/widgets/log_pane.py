"""The log pane: engine log lines (INFO and above), newest at the bottom."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from tradeterm.core.views import RingView
from tradeterm.domain.events import LogLine
from tradeterm.ui.format import hms

LEVEL_STYLES = {"WARNING": "yellow", "ERROR": "bold red", "CRITICAL": "bold white on red"}


class LogPane(RichLog):
    DEFAULT_CSS = """
    LogPane {
        height: 1fr; padding: 0 1; background: transparent;
        overflow-x: hidden; scrollbar-size: 0 0;
    }
    """

    def __init__(self, view: RingView[LogLine], **kwargs) -> None:
        super().__init__(max_lines=500, wrap=False, markup=False, **kwargs)
        self.view = view
        self._drawn = 0

    def refresh_view(self) -> None:
        version = self.view.version
        new = version - self._drawn
        if new <= 0:
            return
        self._drawn = version
        items = self.view.items
        for line in list(items)[-min(new, len(items)):]:
            text = Text(no_wrap=True)
            text.append(f"{hms(line.ts_event)} ", "dim")
            text.append(f"{line.level:<7} ", LEVEL_STYLES.get(line.level, "cyan"))
            text.append(line.message)
            self.write(text)
