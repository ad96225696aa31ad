"""The header line: mode badge, venue, connection, trading state, clock, throughput."""

from __future__ import annotations

from typing import Any

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
ENDED = "bold black on #d7af00"  # the market is over (a replay at its end): nothing trades
TRADING_STYLES = {
    TradingState.ACTIVE: "",
    TradingState.REDUCING: "bold black on yellow",
    TradingState.HALTED: "bold white on red",
}


class StatusHeader(TextPane):
    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self, status: StatusView, replay: Any = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = status
        self.replay = replay  # record.replay_transport.ReplayState in a replay, else None

    def refresh_view(self) -> None:
        if not self.changed(self.status.version, self.replay.version if self.replay else 0, palette()):
            return
        self.set_rows([self.status_row()])

    def status_row(self) -> Row:
        s = self.status
        healthy = palette().buy
        return (
            (f" {s.mode} ", MODE_STYLES.get(s.mode, "bold reverse")),
            (" tradeterm ", "bold"),
            (f" {s.venue} ", "bold"),
            (f" {s.mode} END ", ENDED) if s.ended else
            (f" {s.connection.value} ", CONNECTION_STYLES.get(s.connection) or healthy),
            (" ", ""),
            (f" {s.trading_state.value} ", TRADING_STYLES[s.trading_state] or healthy),
            *(self.replay_runs() if self.replay is not None else (
                (f"  {hms(s.clock_ns)} UTC" if s.clock_ns else "  --:--:-- UTC", "bold"),)),
            (f"  {s.events_per_s:,.0f} ev/s", "dim"),
        )

    def replay_runs(self) -> tuple[tuple[str, str], ...]:
        """Replay clock, transport state, speed and progress."""
        r = self.replay
        speed = "max" if r.speed is None else f"{r.speed:g}x"
        state = ("END" if r.done else "PAUSED" if r.paused else "PLAY")
        state_style = "bold black on yellow" if r.paused or r.done else "bold green"
        return (
            (f"  {hms(r.clock_ns, millis=True)} UTC", "bold"),
            ("  ", ""),
            (f" {state} ", state_style),
            (f" {speed} ", "bold"),
            (f" {r.progress * 100:5.1f}%", "dim"),
            (f"  {r.message}" if r.message else "", "italic dim"),
        )
