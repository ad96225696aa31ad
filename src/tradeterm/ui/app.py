"""The Textual app: layout, keys, themes and the redraw timer. Starts and stops the kernel.

The panes never receive one message per market event: a timer (``ui.refresh_hz``, at most 30 Hz)
asks each pane to redraw, and a pane redraws only if the engine view it shows has a new version.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from tradeterm.kernel import Kernel
from tradeterm.ui.format import Palette, set_palette
from tradeterm.ui.screens.help import HelpScreen
from tradeterm.ui.themes import DEFAULT_THEME, load_themes
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.log_pane import LogPane
from tradeterm.ui.widgets.quotes import QuotesPane
from tradeterm.ui.widgets.status_header import StatusHeader
from tradeterm.ui.widgets.tape import TradesTape

log = logging.getLogger("tradeterm.ui")


class TradetermApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "tradeterm"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("right_square_bracket", "next_instrument", "Next instr", id="instrument.next"),
        Binding("left_square_bracket", "prev_instrument", "Prev instr", id="instrument.prev"),
        *[Binding(str(n), f"select_instrument({n - 1})", f"Instrument {n}", show=False,
                  id=f"instrument.select_{n}") for n in range(1, 10)],
        # replay transport (shown only in a replay)
        Binding("space", "replay('toggle_pause')", "Play/Pause", id="replay.play_pause"),
        Binding("plus,equals_sign", "replay('faster')", "Faster", key_display="+",
                id="replay.faster"),
        Binding("minus", "replay('slower')", "Slower", key_display="-", id="replay.slower"),
        Binding("full_stop", "replay('step')", "Step", key_display=".", id="replay.step"),
        Binding("t", "replay('step_to_trade')", "Next trade", id="replay.next_trade"),
        Binding("o", "replay('step_to_order_event')", "Next order evt", id="replay.next_order"),
        Binding("g", "replay_goto", "Go to time", id="replay.goto"),
    ]

    def __init__(self, kernel: Kernel, run_engine: bool = True) -> None:
        super().__init__()
        self.kernel = kernel
        self.run_engine = run_engine
        self.instruments = list(kernel.instruments.values())
        self.selected = 0
        self.palettes: dict[str, Palette] = {}
        ui = kernel.settings.ui
        for name, (theme, pal) in load_themes(kernel.settings.resolved_data_dir() / "themes").items():
            self.register_theme(theme)
            self.palettes[name] = pal
        if ui.keys:
            self.set_keymap(dict(ui.keys))

    def compose(self) -> ComposeResult:
        views = self.kernel.views
        replay = self.kernel.replay
        yield StatusHeader(views.status, replay.state if replay else None, id="status")
        yield QuotesPane(self.instruments, views.books, views.stats, id="quotes")
        with Horizontal(id="body"):
            with Vertical(id="ladder-box"):
                yield Ladder(id="ladder")
            with Vertical(id="right"):
                with Vertical(id="tape-box"):
                    yield TradesTape(id="tape")
                with Vertical(id="log-box"):
                    yield LogPane(views.log, id="log")
        yield Footer()

    def on_mount(self) -> None:
        wanted = self.kernel.settings.ui.theme
        if wanted not in self.palettes:
            log.warning("theme %r not found; using %s (see themes/)", wanted, DEFAULT_THEME)
        self.theme = wanted if wanted in self.palettes else DEFAULT_THEME
        self.query_one("#tape-box").border_title = "Trades"
        self.query_one("#log-box").border_title = "Log"
        self._check_keymap()
        # the main screen's panes, held so they keep redrawing under a modal (help, ticket)
        self.panes = [self.query_one(p) for p in (StatusHeader, QuotesPane, Ladder, TradesTape,
                                                  LogPane)]
        self._show_instrument()
        self.query_one(Ladder).focus()
        self.set_interval(1 / self.kernel.settings.ui.refresh_hz, self.refresh_views)
        if self.run_engine:
            self.run_worker(self._run_kernel(), name="kernel", exit_on_error=True)

    def _check_keymap(self) -> None:
        known = {binding_id for *_, binding_id in HelpScreen(self._binding_nodes()).entries}
        for binding_id in self.kernel.settings.ui.keys:
            if binding_id not in known:
                log.warning("ui.keys: no binding with id %r (see ? for the ids)", binding_id)

    def watch_theme(self, theme: str) -> None:
        set_palette(self.palettes.get(theme, Palette()))
        if getattr(self, "panes", None):
            self.refresh_views()

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width < 100, "-narrow")

    async def _run_kernel(self) -> None:
        await self.kernel.run()
        if self.kernel.replay is None:
            self.exit()  # a finished replay stays on screen for review until the trader quits

    def refresh_views(self) -> None:
        """The only place panes are told to redraw; each checks its view's version."""
        for pane in self.panes:
            pane.refresh_view()

    # --- instruments -----------------------------------------------------------------------
    def _show_instrument(self) -> None:
        inst = self.instruments[self.selected]
        views = self.kernel.views
        main = self.screen_stack[0]  # works whatever modal is on top
        quotes = main.query_one(QuotesPane)
        quotes.selected = self.selected
        main.query_one("#ladder-box").border_title = f"Ladder  {inst.symbol}"
        main.query_one("#tape-box").border_title = f"Trades  {inst.symbol}"
        main.query_one(Ladder).show(inst, views.books[inst.id], views.stats[inst.id])
        main.query_one(TradesTape).show(inst, views.trades[inst.id])
        quotes.refresh_view()

    def action_select_instrument(self, index: int) -> None:
        if 0 <= index < len(self.instruments) and index != self.selected:
            self.selected = index
            self._show_instrument()

    def action_next_instrument(self) -> None:
        self.action_select_instrument((self.selected + 1) % len(self.instruments))

    def action_prev_instrument(self) -> None:
        self.action_select_instrument((self.selected - 1) % len(self.instruments))

    # --- help, palette, quit -----------------------------------------------------------------
    def _binding_nodes(self) -> list:
        return [self, self.screen, *self.screen.query("*")]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self._binding_nodes()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette lists every workstation action, then Textual's own."""
        for where, keys, description, binding_id in HelpScreen(self._binding_nodes()).entries:
            action = self._action_for(binding_id)
            if action is not None:
                yield SystemCommand(description, f"{keys}  ·  {binding_id}",
                                    lambda a=action: self.run_action(a))
        for name in sorted(self.palettes):
            yield SystemCommand(f"Theme: {name.removeprefix('tradeterm-')}",
                                "switch the colour theme", lambda n=name: setattr(self, "theme", n))
        yield from super().get_system_commands(screen)

    def _action_for(self, binding_id: str) -> str | None:
        for node in self._binding_nodes():
            for bindings in node._bindings.key_to_bindings.values():
                for binding in bindings:
                    if binding.id == binding_id:
                        prefix = "" if node is self else (
                            f"focused." if node is self.focused else "")
                        if node is not self and node is not self.focused:
                            return None  # acts on a pane that is not focused
                        return prefix + binding.action
        return None

    # --- replay transport --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("replay") and self.kernel.replay is None:
            return False  # hidden outside a replay
        return True

    def action_replay(self, control: str) -> None:
        replay = self.kernel.replay
        if replay is not None:
            getattr(replay, control)()
            self.panes[0].refresh_view()

    def action_replay_goto(self, error: str = "") -> None:
        from tradeterm.record.replayer import parse_time
        from tradeterm.ui.screens.replay_goto import GotoTimeScreen

        replay = self.kernel.replay
        if replay is None:
            return

        def chosen(text: str | None) -> None:
            if not text:
                return
            try:
                target = parse_time(text, replay.state.start_ns)
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                return
            if not replay.seek(target):
                self.notify(replay.state.message, severity="warning")

        self.push_screen(GotoTimeScreen(error), chosen)

    async def action_quit(self) -> None:
        self.kernel.request_stop()
        self.exit()


def create_app(kernel: Kernel, run_engine: bool = True) -> TradetermApp:
    """The one app factory, shared by the CLI and the snapshot tests."""
    return TradetermApp(kernel, run_engine=run_engine)
