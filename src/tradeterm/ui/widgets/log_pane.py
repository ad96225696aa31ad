"""The log pane: engine log lines (INFO and above), newest at the bottom, with a level filter.
Lines wrap in a narrow pane rather than lose their end (a cut line can cut a number).

The pane keeps the last ``KEEP`` lines it was given (whatever their level), so changing the
filter re-renders them at the new level. It draws only from ``refresh_view`` (the app's timer,
or once after a key), never once per log event.
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.widgets import RichLog

from tradeterm.core.views import RingView
from tradeterm.domain.events import LogLine
from tradeterm.ui.format import hms

LEVEL_STYLES = {"WARNING": "yellow", "ERROR": "bold red", "CRITICAL": "bold white on red"}
# the engine routes INFO and above into the log view (logbridge); DEBUG never reaches the pane
LEVELS = ("INFO", "WARNING", "ERROR")
RANK = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
KEEP = 500


class LogPane(RichLog):
    DEFAULT_CSS = """
    LogPane {
        height: 1fr; padding: 0 1; background: transparent;
        overflow-x: hidden; scrollbar-size: 0 0;
    }
    """

    def __init__(self, view: RingView[LogLine], **kwargs) -> None:
        super().__init__(max_lines=KEEP, wrap=True, markup=False, min_width=1, **kwargs)
        self.view = view
        self.level = LEVELS[0]
        self.lines_kept: deque[LogLine] = deque(maxlen=KEEP)
        self._drawn = 0
        self._rerender = False

    @property
    def title(self) -> str:
        """The box title: the filter is named when it hides something."""
        return "Log" if self.level == LEVELS[0] else f"Log ≥{self.level}"

    def shown(self, line: LogLine) -> bool:
        return RANK.get(line.level, 20) >= RANK[self.level]

    def set_level(self, level: str) -> None:
        """Show lines at ``level`` and above; redrawn by the next ``refresh_view``."""
        if level not in LEVELS:
            raise ValueError(f"log level {level!r}: use one of {', '.join(LEVELS)}")
        if level != self.level:
            self.level = level
            self._rerender = True

    def cycle_level(self) -> str:
        self.set_level(LEVELS[(LEVELS.index(self.level) + 1) % len(LEVELS)])
        return self.level

    def on_resize(self) -> None:
        """A new width: the kept lines are wrapped again for it by the next redraw."""
        self._rerender = True

    def refresh_view(self) -> None:
        version = self.view.version
        new = version - self._drawn
        if new > 0:
            self._drawn = version
            items = self.view.items
            fresh = list(items)[-min(new, len(items)) :]
            self.lines_kept.extend(fresh)
        else:
            fresh = []
        if self._rerender:
            self._rerender = False
            self.clear()
            fresh = list(self.lines_kept)
        for line in fresh:
            if self.shown(line):
                self.write(render(line))


def render(line: LogLine) -> Text:
    """One log line; a long one wraps in the pane (never cut). INFO needs no label."""
    text = Text()
    text.append(f"{hms(line.ts_event)} ", "dim")
    if line.level != "INFO":
        text.append(f"{line.level} ", LEVEL_STYLES.get(line.level, "cyan"))
    text.append(line.message)
    return text
