"""Alerts in the workstation, composed into the app (``app.alert_keys``): the command line's
``alert ...`` / ``alerts`` / ``alert del N`` / ``unalert N`` (any other line is an order, for
``OrderKeys``), the alerts modal (``A``), and each firing announced: a toast, and the terminal
bell with ``[alerts] bell``. Firings are read from ``views.alerts`` on a timer at the panes'
rate, so a burst of them is a few toasts, not one per event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from tradeterm.trading.alert_entry import (
    CancelAlert,
    ListAlerts,
    is_alert_line,
    parse_alert_command,
)
from tradeterm.trading.order_names import GrammarError
from tradeterm.ui.screens.alerts import AlertsScreen

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp

BINDINGS = [Binding("A", "alerts", "Alerts", show=False, id="alerts.show")]  # in the help
MOST_TOASTS = 3  # at one redraw; more are counted in one more toast
TOAST_S = 10


class AlertKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app
        self.view = app.kernel.views.alerts
        self._seen = self.view.fired.version  # firings before the screen was up are in the modal

    def start(self) -> None:
        self.app.set_interval(1 / self.app.kernel.settings.ui.refresh_hz, self.announce)

    def send_line(self, line: str) -> None:
        """A line from the command line: an alert command here, anything else an order."""
        if not is_alert_line(line):
            self.app.order_keys.send_line(line)
            return
        say = self.app.cmdline.say
        try:
            cmd = parse_alert_command(line, self.app.instruments)
        except GrammarError as exc:
            say(f"✗ {exc}", False)
            return
        if isinstance(cmd, ListAlerts):
            self.show()
        elif isinstance(cmd, CancelAlert):
            say(*self.cancel(cmd.alert_id))
        else:
            entry = self.app.kernel.alerts.set(cmd.rule)
            say(f"✓ alert #{entry.alert_id} set: {entry.rule}   (A lists alerts)", True)

    def cancel(self, alert_id: int | None) -> tuple[str, bool]:
        gone = self.app.kernel.alerts.cancel(alert_id)
        if not gone:
            return (
                "✗ no alerts to cancel" if alert_id is None else f"✗ no alert #{alert_id}"
            ), False
        if len(gone) == 1:
            return f"✓ alert #{gone[0].alert_id} cancelled: {gone[0].rule}", True
        return f"✓ {len(gone)} alerts cancelled", True

    def show(self) -> None:
        if not isinstance(self.app.screen, AlertsScreen):
            self.app.push_screen(AlertsScreen(self.view, lambda n: self.cancel(n)[0]))

    def announce(self) -> None:
        """New firings since the last look: a toast each (the last few), the bell once."""
        ring = self.view.fired
        new = ring.version - self._seen
        if new <= 0:
            return
        self._seen = ring.version
        if self.app.kernel.settings.alerts.bell:
            self.app.bell()
        if isinstance(self.app.screen, AlertsScreen):
            return  # the modal lists the firings: a toast would cover it (at 80x24 it did)
        shown = list(ring)[-min(new, MOST_TOASTS, len(ring)) :]
        if new > len(shown):
            self.app.notify(f"{new - len(shown)} more alerts fired (A lists them)", title="Alerts")
        for fired in shown:
            self.app.notify(
                fired.message,
                title=f"ALERT #{fired.alert_id} {fired.rule}",
                severity="warning",
                timeout=TOAST_S,
            )
