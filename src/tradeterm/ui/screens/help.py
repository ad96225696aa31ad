"""The help screen (``?``): every key binding of the workstation, generated from the bindings
themselves, so it is always true, remaps included."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from tradeterm.ui.widgets.pane import Row, TextPane

HELP_TEXT = (
    "Keys act on the focused pane first, then the workstation. Remap any binding by its id in "
    'the config: [ui.keys] "ladder.centre" = "home". Ctrl+P opens the command palette.\n'
    "The ladder's instrument: order.join_bid / join_ask buy at the best bid / sell at the best "
    "ask of the moment, *_ahead N ticks in front of it, *_behind N ticks behind "
    "(N = ui.join_ticks); any other price: the cursor and b / s. position.flatten / reverse "
    "send a protected market order for the position (twice it to reverse). Orders take the "
    "size preset in the ladder's title (size.next / size.prev; [ui.sizes]).\n"
    "Mouse on the ladder: a click in the bid / ask column buys / sells at that row (as b / s "
    "at a cursor there), on the price centres (ladder.centre), on our order cancels it "
    "(ladder.cancel_order); drag it, or right-click it then click a price, to move it "
    "(order.move_up / move_down by row); the wheel scrolls (ladder.page_up / page_down).\n"
    "Replay: g goes to a time (23:58:00, +60s / -5m), a fill of the recorded session (fill 12 "
    "or #12) or one of its orders (order ID); bookmarks are kept beside the recording (REC.ttb); "
    "a large trade is one of at least replay.large_trade (config)."
)


def collect_bindings(nodes: list[DOMNode]) -> list[tuple[str, str, str, str]]:
    """(where, keys, description, id) for every binding with an id, in a stable order."""
    seen: dict[str, tuple[str, str, str, str]] = {}
    for node in nodes:
        where = "workstation" if node is node.app else type(node).__name__
        by_id: dict[str, tuple[Binding, list[str]]] = {}
        bindings_map = node._bindings.copy()
        if node.app._keymap:  # Textual remaps copies at key time; show the keys that work
            bindings_map.apply_keymap(node.app._keymap)
        for key, bindings in bindings_map.key_to_bindings.items():
            for binding in bindings:
                if binding.id is None:
                    continue
                entry = by_id.setdefault(binding.id, (binding, []))
                entry[1].append(node.app.get_key_display(binding.__class__(key, binding.action)))
        for binding_id, (binding, keys) in by_id.items():
            if binding_id not in seen:
                group = "replay" if binding_id.startswith("replay.") else where
                seen[binding_id] = (group, " / ".join(keys), binding.description, binding_id)
    order = {"workstation": 0, "replay": 2}
    return sorted(seen.values(), key=lambda row: (order.get(row[0], 1), row[0], row[3]))


class HelpTable(TextPane):
    DEFAULT_CSS = """
    HelpTable { height: auto; }
    """

    def __init__(self, entries: list[tuple[str, str, str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries = entries
        self.styles.height = len(entries) + 1

    def on_mount(self) -> None:
        self.call_after_refresh(self._draw)

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.size.width or 80
        ww = max(len(e[0]) for e in self.entries)
        kw = max(len(e[1]) for e in self.entries)
        aw = max(len(e[2]) for e in self.entries)
        iw = max(len(e[3]) for e in self.entries)
        aw = max(8, min(aw, width - ww - kw - iw - 3))  # the description gives way first
        rows: list[Row] = [((f"{'where':<{ww}} {'key':<{kw}} {'action':<{aw}} id", "bold"),)]
        for where, keys, description, binding_id in self.entries:
            rows.append(
                (
                    (f"{where:<{ww}} ", "dim"),
                    (f"{keys:<{kw}} ", "bold"),
                    (f"{description[:aw]:<{aw}} ", ""),
                    (binding_id, "dim"),
                )
            )
        self.set_rows(rows)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%; border: round $primary; background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-intro { margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close")]

    def __init__(self, nodes: list[DOMNode]) -> None:
        super().__init__()
        self.entries = collect_bindings(nodes)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            yield Static(HELP_TEXT, id="help-intro")
            yield HelpTable(self.entries)
