"""The Textual app: layout, keys, themes and the redraw timer. Starts and stops the kernel.

The panes never receive one message per market event: a timer (``ui.refresh_hz``, at most 30 Hz)
asks each pane to redraw, and a pane redraws only if the engine view it shows has a new version.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from tradeterm.core import heap
from tradeterm.runtime.kernel import Kernel
from tradeterm.ui import keymap, partial_update, size_presets
from tradeterm.ui.alert_keys import BINDINGS as ALERT_BINDINGS, AlertKeys
from tradeterm.ui.chart_keys import BINDINGS as CHART_BINDINGS, ChartKeys
from tradeterm.ui.command_palette import CommandPalette
from tradeterm.ui.format import Palette, set_palette
from tradeterm.ui.instrument_keys import InstrumentKeys
from tradeterm.ui.ladder_keys import BINDINGS as LADDER_BINDINGS, LadderKeys
from tradeterm.ui.market_frame import MarketFrame
from tradeterm.ui.order_keys import OrderKeys
from tradeterm.ui.pane_keys import BINDINGS as PANE_BINDINGS, SIDE_PANES, PaneKeys
from tradeterm.ui.replay_keys import BINDINGS as REPLAY_BINDINGS, ReplayKeys
from tradeterm.ui.screens.help import HelpScreen
from tradeterm.ui.session_dialogs import SessionDialogs
from tradeterm.ui.tab_driver import TerminalGone
from tradeterm.ui.themes import load_themes, save_theme, starting_theme
from tradeterm.ui.trading import Trading
from tradeterm.ui.typed_keys import TypedKeys
from tradeterm.ui.widgets.chart_pane import ChartPane
from tradeterm.ui.widgets.command_line import CommandLine
from tradeterm.ui.widgets.fills_pane import FillsPane
from tradeterm.ui.widgets.halt_banner import HaltBanner
from tradeterm.ui.widgets.ladder import Ladder
from tradeterm.ui.widgets.log_pane import LogPane
from tradeterm.ui.widgets.orders_blotter import OrdersBlotter
from tradeterm.ui.widgets.pnl_pane import PnlPane
from tradeterm.ui.widgets.positions_pane import PositionsPane
from tradeterm.ui.widgets.quoter_pane import QuoterPane
from tradeterm.ui.widgets.quotes import QuotesPane
from tradeterm.ui.widgets.replay_bar import ReplayBar
from tradeterm.ui.widgets.risk_pane import RiskPane
from tradeterm.ui.widgets.status_header import StatusHeader
from tradeterm.ui.widgets.tape import TradesTape

log = logging.getLogger("tradeterm.ui")


class TradetermApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "tradeterm"
    BINDINGS = [
        Binding("ctrl+k", "kill_switch", "KILL", priority=True, id="risk.kill_switch"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # priority: handled as the app reads the key, so the rest of a fast burst is typed into
        # the command line (a plain binding runs only after the burst reached the ladder)
        Binding(
            "colon",
            "command_line",
            "Command",
            key_display=":",
            priority=True,
            id="order.command_line",
        ),
        Binding("b", "ladder_order('buy')", "Buy@cursor", id="order.buy_at_cursor"),
        Binding("s", "ladder_order('sell')", "Sell@cursor", id="order.sell_at_cursor"),
        Binding("shift+up", "move_order(1)", "Order +1t", show=False, id="order.move_up"),
        Binding("shift+down", "move_order(-1)", "Order -1t", show=False, id="order.move_down"),
        Binding("ctrl+x", "cancel_all", "Cancel all", id="order.cancel_all"),
        Binding("t", "ticket", "Ticket", id="order.ticket"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.focus_next"),
        *[
            Binding(f"f{n + 1}", f"side_pane({n})", title, show=False, id=f"pane.{box[:-4]}")
            for n, (box, title) in enumerate(SIDE_PANES)
        ],
        *PANE_BINDINGS,
        *LADDER_BINDINGS,
        *ALERT_BINDINGS,
        *CHART_BINDINGS,
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("right_square_bracket", "next_instrument", "Next instr", id="instrument.next"),
        Binding("left_square_bracket", "prev_instrument", "Prev instr", id="instrument.prev"),
        *[
            Binding(
                str(n),
                f"select_instrument({n - 1})",
                f"Instrument {n}",
                show=False,
                id=f"instrument.select_{n}",
            )
            for n in range(1, 10)
        ],
        *REPLAY_BINDINGS,  # shown only in a replay
    ]

    def __init__(self, kernel: Kernel, run_engine: bool = True) -> None:
        super().__init__()
        self.kernel = kernel
        self.run_engine = run_engine
        self.instruments = list(kernel.instruments.values())
        self.selected = 0
        self.side_pane = 0
        self.settle_heap = False  # the CLI sets it: freeze start-up objects after the first frame
        self.trading = Trading(kernel)
        self.dialogs = SessionDialogs(self)
        self.replay_keys = ReplayKeys(self)
        self.order_keys = OrderKeys(self)
        self.ladder_keys = LadderKeys(self)
        self.alert_keys = AlertKeys(self)
        self.pane_keys = PaneKeys(self)
        self.chart_keys = ChartKeys(self)
        self.typed_keys = TypedKeys(self)
        self.palette = CommandPalette(self)
        self.instrument_keys = InstrumentKeys(self)
        self.palettes: dict[str, Palette] = {}
        ui = kernel.settings.ui
        self.data_dir = kernel.settings.resolved_data_dir()
        for name, (theme, pal) in load_themes(self.data_dir / "themes").items():
            self.register_theme(theme)
            self.palettes[name] = pal
        # only themes with buy/sell colours: Textual's own are not offered (nor selectable)
        start = starting_theme(self.data_dir, ui.theme, self.palettes)
        self.set_reactive(App.theme, start)
        for name in list(self.available_themes):
            if name not in self.palettes:
                self.unregister_theme(name)
        set_palette(self.palettes.get(start, Palette()))
        if ui.keys:
            self.set_keymap(dict(ui.keys))

    def compose(self) -> ComposeResult:
        views = self.kernel.views
        replay = self.kernel.replay
        insts = self.kernel.instruments
        yield StatusHeader(views.status, replay.state if replay else None, id="status")
        if replay is not None:
            yield ReplayBar(replay, id="replay-bar")
        yield HaltBanner(views.risk, id="halt")
        self.frame = MarketFrame(views.books, views.stats)  # the top of book, one read a frame
        yield QuotesPane(self.instruments, views.books, views.stats, self.frame, id="quotes")
        with Horizontal(id="body"):
            with Vertical(id="ladder-box"):
                yield Ladder(
                    views.orders, self.frame, views.portfolio, self.order_keys, id="ladder"
                )
            with Grid(id="side"):
                panes = {
                    "orders-box": OrdersBlotter(views.orders, insts, views.held, id="orders"),
                    "fills-box": FillsPane(views.fills, insts, id="fills"),
                    "positions-box": PositionsPane(views.portfolio, insts, id="positions"),
                    "pnl-box": PnlPane(views.portfolio, id="pnl"),
                    "risk-box": RiskPane(views.risk, id="risk"),
                    "quoter-box": QuoterPane(views.quoters, insts, id="quoter"),
                    "tape-box": TradesTape(id="tape"),
                    "log-box": LogPane(views.log, id="log"),
                }
                for box, _title in SIDE_PANES:
                    with Vertical(id=box, classes="side-box"):
                        yield panes[box]
            with Vertical(id="chart-box"):  # instead of the side panes: ui/chart_keys.py
                yield ChartPane(views, replay.state if replay else None, id="chart")
        yield CommandLine(self.alert_keys.send_line, views.answers, insts, id="cmdline")
        yield Footer()

    def choose_theme(self, name: str) -> None:
        """A theme chosen in the palette: shown now and kept for the next session."""
        self.theme = name
        try:
            save_theme(self.data_dir, name)
        except OSError as exc:
            self.notify(f"theme not kept for the next session: {exc}", severity="warning")

    def on_mount(self) -> None:
        for n, (box, title) in enumerate(SIDE_PANES):
            self.query_one(f"#{box}").border_title = f"{title} F{n + 1}"
        self.pane_keys.update_box_titles()
        self._check_keymap()
        # the main screen's panes, held so they keep redrawing under a modal (help, ticket)
        self.panes = [
            self.query_one(p)
            for p in (
                StatusHeader,
                HaltBanner,
                QuotesPane,
                Ladder,
                OrdersBlotter,
                FillsPane,
                PositionsPane,
                PnlPane,
                RiskPane,
                QuoterPane,
                TradesTape,
                LogPane,
                ChartPane,
                CommandLine,
            )
        ]
        self.panes += self.query(ReplayBar).results()  # in a replay
        self.ladder = self.query_one(Ladder)
        self.action_side_pane(0)
        self.instrument_keys.show()
        self.query_one(Ladder).focus()
        self.set_interval(1 / self.kernel.settings.ui.refresh_hz, self.refresh_views)
        self.alert_keys.start()  # firings: a toast and the bell, at the same rate
        if self.run_engine:
            self.run_worker(self._run_kernel(), name="kernel", exit_on_error=True)
        if self.settle_heap:
            self.set_timer(1.0, heap.settle)  # once the screen and the market are up
        if not self.kernel.live_confirmed:
            self.dialogs.confirm_live()

    def _check_keymap(self) -> None:
        # the CLI refuses these before the app starts; an app built in code says them here
        for problem in keymap.problems(self.kernel.settings.ui.keys):
            log.warning("%s", problem)

    def watch_theme(self, theme: str) -> None:
        set_palette(self.palettes.get(theme, Palette()))
        if getattr(self, "panes", None):
            self.refresh_views()

    def on_resize(self, event: events.Resize) -> None:
        # the new size is the event's (``self.size`` may still be the old one), and the layout
        # is the main screen's, whatever modal is on top
        self.screen_stack[0].set_class(event.size.width < 100, "-narrow")

    async def _run_kernel(self) -> None:
        """The engine's run; it returns when the session stops (a replay at its end stays up
        for review until the trader quits: ``runtime/replay_review.py``)."""
        await self.kernel.run()
        self.exit()

    def refresh_views(self) -> None:
        """The only place panes are told to redraw; each checks its view's version. A pane
        with a ``REDRAW_S`` skips ticks until that long after its last drawn frame (a busy tape
        or watchlist at the full rate would cost bytes over SSH for no information a trader can
        read); keys redraw a pane at once, not through here."""
        now = time.monotonic()
        if self.ladder.next_draw <= now:  # the top of book moves on the ladder's beat
            self.frame.take()
        for pane in self.panes:
            if getattr(pane, "next_draw", 0.0) <= now:
                pane.refresh_view()

    # --- instruments (ui/instrument_keys.py) ------------------------------------------------
    def action_select_instrument(self, index: int) -> None:
        self.instrument_keys.select(index)

    def action_next_instrument(self) -> None:
        self.action_select_instrument((self.selected + 1) % len(self.instruments))

    def action_prev_instrument(self) -> None:
        self.action_select_instrument((self.selected - 1) % len(self.instruments))

    # --- help, palette, quit -----------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.palette.binding_nodes()))

    def action_command_palette(self) -> None:
        self.palette.open()  # one command per opening (ui/command_palette.py)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette lists every workstation action (``ui/command_palette.py``), then
        Textual's own."""
        yield from self.palette.commands()
        for command in super().get_system_commands(screen):
            if command.title != "Theme":  # Textual's picker of its own themes (no buy / sell)
                yield command

    # --- order keys (ui/order_keys.py) -------------------------------------------------------
    def action_ladder_order(self, side: str) -> None:
        self.order_keys.ladder_order(side)

    def action_move_order(self, rows: int) -> None:
        self.order_keys.move_order(rows)

    async def action_ticket(self) -> None:
        await self.order_keys.ticket()

    def action_cancel_all(self) -> None:
        self.order_keys.cancel_all()

    def action_desk(self, what: str, a: int = 0, b: int = 0) -> None:  # ui/ladder_keys.py
        self.ladder_keys.act(what, a, b)

    def action_alerts(self) -> None:  # ui/alert_keys.py: the alerts modal
        self.alert_keys.show()

    def on_orders_blotter_cancel_requested(self, event: OrdersBlotter.CancelRequested) -> None:
        self.order_keys.cancel(event.order)

    # --- side-pane keys (ui/pane_keys.py) ----------------------------------------------------
    def action_quoter_toggle(self) -> None:
        self.pane_keys.quoter_toggle()

    async def action_quoter_edit(self) -> None:
        await self.pane_keys.quoter_edit()

    def action_log_level(self) -> None:
        self.pane_keys.log_level()

    def action_chart(self, what: str) -> None:  # ui/chart_keys.py
        self.chart_keys.act(what)

    # --- replay transport --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("replay") and self.kernel.replay is None:
            return False  # hidden outside a replay
        if action == "command_line" and (
            len(self.screen_stack) > 1 or isinstance(self.focused, Input)
        ):
            return False  # ':' is text in a field and on a modal
        return True

    def action_replay(self, control: str) -> None:
        self.replay_keys.control(control)

    async def action_replay_key(self, name: str) -> None:
        await self.replay_keys.key(name)

    def on_terminal_gone(self, _message: TerminalGone) -> None:
        """A browser tab whose server is gone (``ui/tab_driver.py``): the terminal hung up."""
        self.kernel.hangup(stop=True)
        if not self.run_engine:
            self.exit()

    async def action_quit(self) -> None:
        self.dialogs.quit(self._stop)

    def _stop(self) -> None:
        self.kernel.request_stop()
        self.exit()

    # --- trading -----------------------------------------------------------------------------
    def action_kill_switch(self) -> None:
        """ctrl+k: HALT now, no confirmation, whatever has focus. A half-typed line is dropped
        and the keys go back to the ladder (a modal such as the ticket stays, showing HALTED)."""
        try:
            self.trading.kill()
        except Exception as exc:  # a kill switch that fails must say so loudly
            log.exception("kill switch failed")
            self.notify(f"KILL SWITCH FAILED: {exc}", severity="error", timeout=30)
            return
        if self.focused is self.cmdline.field:
            self.cmdline.close()
        self.refresh_views()
        self.cmdline.say("KILL SWITCH: trading HALTED, cancels sent", False)

    def action_rearm(self) -> None:
        self.dialogs.rearm()

    def action_confirm_live(self) -> None:
        self.dialogs.confirm_live()

    @property
    def cmdline(self) -> CommandLine:
        return self.screen_stack[0].query_one(CommandLine)

    def action_command_line(self) -> None:
        self.cmdline.open()  # a clean line, focused at once: the next key of a burst is text

    def action_focus_ladder(self) -> None:
        main = self.screen_stack[0]
        main.set_focus(main.query_one(Ladder))  # now, not on the next turn: see on_event

    async def on_event(self, event: events.Event) -> None:
        """A key of the main screen or the ticket is acted on as it is read, before the next
        one (``ui/typed_keys.py``): a fast burst goes where the screen says after each key."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and await self.typed_keys.take(event)
        ):
            return
        await super().on_event(event)

    def action_side_pane(self, index: int) -> None:
        self.side_pane = index
        main = self.screen_stack[0]
        for n, (box, _title) in enumerate(SIDE_PANES):
            main.query_one(f"#{box}").set_class(n == index, "-shown")


def create_app(kernel: Kernel, run_engine: bool = True) -> TradetermApp:
    """The one app factory, shared by the CLI and the snapshot tests."""
    size_presets.require_valid(kernel.settings, kernel.instruments.values())
    partial_update.install()
    return TradetermApp(kernel, run_engine=run_engine)
