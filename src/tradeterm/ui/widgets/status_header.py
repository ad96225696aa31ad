"""The header line: mode badge, venue, connection, trading state, clock, throughput."""

from __future__ import annotations

from tradeterm.core.views import StatusView
from tradeterm.domain.events import ConnectionState, TradingState
from tradeterm.ui.format import hms, palette
from tradeterm.ui.widgets.pane import Row, TextPane

MODE_STYLES = {
    "LIVE": "bold white on red",
    "PAPER": "bold black on #5fafff",
    "REPLAY": "bold black on #d7af00",
}
CONNECTION_STYLES = {
    ConnectionState.CONNECTED: "",  # healthy states take the theme's "buy" colour
    ConnectionState.CONNECTING: "yellow",
    ConnectionState.RESYNCING: "yellow",
    ConnectionState.STALE: "bold black on yellow",
    ConnectionState.DISCONNECTED: "bold white on red",
}
TRADING_STYLES = {
    TradingState.ACTIVE: "",
    TradingState.REDUCING: "bold black on yellow",
    TradingState.HALTED: "bold white on red",
}


class StatusHeader(TextPane):
    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self, status: StatusView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = status
        self._drawn: tuple[object, ...] | None = None

    def on_mount(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        key = (self.status.version, palette())
        if key == self._drawn:
            return
        self._drawn = key
        self.set_rows([self.status_row()])

    def status_row(self) -> Row:
        s = self.status
        healthy = palette().buy
        return (
            (f" {s.mode} ", MODE_STYLES.get(s.mode, "bold reverse")),
            (" tradeterm ", "bold"),
            (f" {s.venue} ", "bold"),
            (f" {s.connection.value} ", CONNECTION_STYLES.get(s.connection) or healthy),
            (" ", ""),
            (f" {s.trading_state.value} ", TRADING_STYLES[s.trading_state] or healthy),
            (f"  {hms(s.clock_ns)} UTC" if s.clock_ns else "  --:--:-- UTC", "bold"),
            (f"  {s.events_per_s:,.0f} ev/s", "dim"),
        )
