"""A replay's bookmarks: the name prompt (``M``: a default name, Enter keeps it) and the list
(``L``): Enter goes to the highlighted one, r renames it, d / Delete deletes it, Esc closes.
Every change is written to the recording's side file at once (``record/bookmarks.py``)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList

from tradeterm.record.bookmarks import Bookmark, Bookmarks
from tradeterm.ui.screens.form_focus import select_on_focus

CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 72; max-width: 100%; height: auto; max-height: 90%;
                    border: round $accent; background: $panel; padding: 0 1; }}
{name} Label {{ width: 100%; }}
{name} .muted {{ color: $text-muted; }}
{name} #bookmark-error {{ color: $error; }}
{name} OptionList {{ height: auto; max-height: 16; }}
"""


class BookmarkNameScreen(ModalScreen[str | None]):
    DEFAULT_CSS = CSS.format(name="BookmarkNameScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="replay.bookmark_cancel")]

    def __init__(self, title: str, name: str) -> None:
        super().__init__()
        self.title_text = title
        self.default = name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text, style="bold"))
            yield Label("Name (Enter keeps it, Esc: no bookmark)", classes="muted")
            yield Input(value=self.default, id="bookmark-name", select_on_focus=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken as the app reads it (ui/typed_keys.py): this is Textual's
        self.submit_typed(event.input)

    def submit_typed(self, field: Input) -> None:
        self.dismiss(field.value.strip() or self.default)

    def watch_focused(self, focused: Widget | None) -> None:
        select_on_focus(focused)  # keys are taken as read: ui/typed_keys.py

    def action_cancel(self) -> None:
        self.dismiss(None)


class BookmarksScreen(ModalScreen[None]):
    DEFAULT_CSS = CSS.format(name="BookmarksScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="bookmarks.close"),
        Binding("r", "rename", "Rename", id="bookmarks.rename"),
        Binding("d,delete", "delete", "Delete", id="bookmarks.delete"),
    ]

    def __init__(
        self,
        bookmarks: Bookmarks,
        say_time: Callable[[int], str],
        go: Callable[[Bookmark], None],
    ) -> None:
        super().__init__()
        self.bookmarks = bookmarks
        self.say_time = say_time
        self.go = go

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Bookmarks", style="bold"))
            yield Label("Enter: go to it   r: rename   d: delete   Esc: close", classes="muted")
            yield OptionList(id="bookmark-list")
            yield Label("", id="bookmark-error")

    def on_mount(self) -> None:
        self.fill()
        if self.bookmarks.problem:
            self.query_one("#bookmark-error", Label).update(Text(f"✗ {self.bookmarks.problem}"))

    def fill(self, highlight: int = 0) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        marks = self.bookmarks.marks
        if not marks:
            listing.add_option(Text("no bookmarks yet: M sets one at the replay clock"))
            listing.disabled = True
            return
        for mark in marks:
            listing.add_option(Text.assemble((f"{self.say_time(mark.ts):>26}  ", "dim"), mark.name))
        listing.highlighted = min(highlight, len(marks) - 1)
        listing.focus()

    def _chosen(self) -> tuple[int, Bookmark] | None:
        k = self.query_one(OptionList).highlighted
        marks = self.bookmarks.marks
        return (k, marks[k]) if k is not None and 0 <= k < len(marks) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.dismiss(None)
            self.go(chosen[1])

    def action_rename(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        k, mark = chosen

        def renamed(name: str | None) -> None:
            if name is not None:
                self._keep(lambda: self.bookmarks.rename(mark, name))
            self.fill(k)

        self.app.push_screen(BookmarkNameScreen(f"Rename {mark.name}", mark.name), renamed)

    def action_delete(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self._keep(lambda: self.bookmarks.delete(chosen[1]))
            self.fill(chosen[0])

    def _keep(self, change: Callable[[], object]) -> None:
        try:
            change()
        except OSError as exc:
            self.query_one("#bookmark-error", Label).update(Text(f"✗ not kept: {exc}"))

    def action_close(self) -> None:
        self.dismiss(None)
