"""The header line: mode badge, venue, connection, trading state, clock, throughput."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len

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
        self.replay = replay  # record.replay_state.ReplayState in a replay, else None

    def refresh_view(self) -> None:
        if not self.changed(
            self.status.version,
            self.replay.version if self.replay else 0,
            palette(),
            self.size.width,
        ):
            return
        self.set_rows([self.status_row()])

    def status_row(self) -> Row:
        """The header, fitted to the width: what matters least goes first (throughput, the
        replay's message, the brand, progress, the clock); mode, connection and trading state
        always stay, and nothing is cut."""
        s = self.status
        healthy = palette().buy
        runs: list[tuple[str, str, int]] = [
            (f" {s.mode} ", MODE_STYLES.get(s.mode, "bold reverse"), 0),
            (" tradeterm ", "bold", 5),
            (f" {s.venue} ", "bold", 2),
            (f" {s.mode} END ", ENDED, 0)
            if s.ended
            else (f" {s.connection.value} ", CONNECTION_STYLES.get(s.connection) or healthy, 0),
            (" ", "", 0),
            (f" {s.trading_state.value} ", TRADING_STYLES[s.trading_state] or healthy, 0),
            *(
                self.replay_runs()
                if self.replay is not None
                else ((f"  {hms(s.clock_ns)} UTC" if s.clock_ns else "  --:--:-- UTC", "bold", 3),)
            ),
            (f"  {s.events_per_s:,.0f} ev/s", "dim", 7),
        ]
        width = self.size.width or 200
        while sum(cell_len(text) for text, _, _ in runs) > width:
            worst = max(runs, key=lambda r: r[2])
            if not worst[2]:
                break
            runs.remove(worst)
        return tuple((text, style) for text, style, _ in runs)

    def replay_runs(self) -> tuple[tuple[str, str, int], ...]:
        """Replay clock, transport state, speed and progress."""
        r = self.replay
        speed = "max" if r.speed is None else f"{r.speed:g}x"
        state = "END" if r.done else "PAUSED" if r.paused else "PLAY"
        state_style = "bold black on yellow" if r.paused or r.done else "bold green"
        return (
            (f"  {hms(r.clock_ns, millis=True)} UTC", "bold", 3),
            ("  ", "", 0),
            (f" {state} ", state_style, 0),
            (f" {speed} ", "bold", 1),
            (f" {r.progress * 100:5.1f}%", "dim", 4),
            (f"  {r.message}" if r.message else "", "italic dim", 6),
        )
