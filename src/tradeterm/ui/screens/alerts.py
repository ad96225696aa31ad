"""The alerts modal (``A``, binding ``alerts.show``): every alert the session watches, armed or
fired, from ``views.alerts``; ``d`` cancels the selected one. Redrawn on a timer when the view
changed, never per event. Alerts are set on the command line (``alert BTC > 62000``)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tradeterm.core.display import hms
from tradeterm.core.views import AlertEntry, AlertsView
from tradeterm.ui.widgets.pane import Row, TextPane

EMPTY = (
    "No alerts. Set one on the command line (:), e.g. alert BTC > 62000 · alert ETH mid "
    "crosses 2650 repeat · alert pnl < -500 · alert drawdown > 2% · alert fill · alert stale"
)
REDRAW_S = 0.25


def state_of(entry: AlertEntry) -> str:
    if not entry.armed:
        return "fired"
    return "repeat" if entry.rule.endswith(" repeat") else "armed"


def alert_rows(view: AlertsView, selected: int | None, width: int) -> list[Row]:
    """Two or more lines an alert: its number, state and rule; then when it last fired and
    what happened (wrapped, never cut)."""
    if not view.alerts:
        return [((line, "dim"),) for line in textwrap.wrap(EMPTY, max(20, width))]
    rows: list[Row] = []
    for alert_id, entry in view.alerts.items():
        state = state_of(entry)
        mark = "▶" if alert_id == selected else " "
        style = "reverse" if alert_id == selected else ""
        colour = {"fired": "bold yellow", "armed": "green", "repeat": "cyan"}[state]
        origin = "  (config)" if entry.origin == "config" else ""
        rows.append(
            (
                (f"{mark} #{alert_id:<3} ", style),
                (f"{state:<6} ", colour),
                (entry.rule, style or "bold"),
                (origin, "dim"),
            )
        )
        if entry.fired:
            times = (
                f"fired {entry.fired}x, last at {hms(entry.last_ns)}: {entry.last_message}"
                if entry.last_ns
                else f"fired {entry.fired}x in an earlier session"
            )
            for line in textwrap.wrap(times, max(20, width - 7)):
                rows.append((("       " + line, "dim"),))
    return rows


class AlertsTable(TextPane):
    DEFAULT_CSS = """
    AlertsTable { height: 1fr; }
    """

    def __init__(self, view: AlertsView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.selected: int | None = None

    def refresh_view(self) -> None:
        ids = list(self.view.alerts)
        if self.selected not in self.view.alerts:
            self.selected = ids[0] if ids else None
        if self.changed(self.view.version, self.selected, self.size.width):
            self.set_rows(alert_rows(self.view, self.selected, self.size.width))

    def step(self, by: int) -> None:
        ids = list(self.view.alerts)
        if ids and self.selected in ids:
            self.selected = ids[max(0, min(len(ids) - 1, ids.index(self.selected) + by))]
        self.refresh_view()

    def on_resize(self) -> None:
        self.refresh_view()


class AlertsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    AlertsScreen { align: center middle; }
    AlertsScreen > Vertical {
        width: 90%; max-width: 110; height: 80%; border: round $warning; background: $surface;
        padding: 0 1;
    }
    AlertsScreen #alerts-help { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("escape,A", "dismiss", "Close", id="alerts.close"),
        Binding("up", "step(-1)", "Previous", show=False, id="alerts.up"),
        Binding("down", "step(1)", "Next", show=False, id="alerts.down"),
        Binding("d,delete", "cancel_alert", "Cancel alert", id="alerts.cancel"),
    ]

    def __init__(self, view: AlertsView, cancel: Callable[[int], str]) -> None:
        super().__init__()
        self.view = view
        self.cancel = cancel  # cancels one alert; what to say about it

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Alerts"
            yield AlertsTable(self.view, id="alerts-table")
            yield Static("set on the command line: alert <rule> · alert del N", id="alerts-help")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(REDRAW_S, self.table.refresh_view)

    @property
    def table(self) -> AlertsTable:
        return self.query_one(AlertsTable)

    def action_step(self, by: int) -> None:
        self.table.step(by)

    def action_cancel_alert(self) -> None:
        if self.table.selected is not None:
            self.query_one("#alerts-help", Static).update(self.cancel(self.table.selected))
            self.table.refresh_view()
