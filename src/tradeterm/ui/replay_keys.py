"""The replay transport keys, composed into the app (``app.replay_keys``): play / pause, speed,
step, next trade, next order event and go to a time. A key the replay cannot follow (no order
event ahead, a time behind the replay clock) is refused on the command line, saying why, and the
replay stays where it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradeterm.record.replay_time import parse_time, say_time, span
from tradeterm.ui.screens.replay_goto import GotoTimeScreen

if TYPE_CHECKING:
    from tradeterm.record.replayer import ReplayVenue
    from tradeterm.ui.app import TradetermApp

REFUSABLE = ("step_to_order_event",)  # controls that answer False when they cannot be done


class ReplayKeys:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app

    @property
    def replay(self) -> ReplayVenue | None:
        return self.app.kernel.replay

    def control(self, name: str) -> None:
        replay = self.replay
        if replay is None:
            return
        done = getattr(replay, name)()
        if name in REFUSABLE and done is False:
            self.app.cmdline.say(f"✗ {replay.state.message}", False)
        self.app.panes[0].refresh_view()

    def goto(self) -> None:
        """``g``: a modal asks for the time; a time that cannot be gone to is refused in the
        modal (the typed text stays, to correct it)."""
        replay = self.replay
        if replay is None:
            return
        state = replay.state
        now = replay.clock.timestamp_ns()
        where = (
            f"recording {span(state.start_ns, state.end_ns)}; now {say_time(now, state.start_ns)}"
        )
        self.app.push_screen(GotoTimeScreen(where, self.go))

    def go(self, text: str) -> str | None:
        """Seek to ``text``: None when the replay goes there, else why not."""
        replay = self.replay
        if replay is None:
            return "not a replay"
        state = replay.state
        try:
            target = parse_time(text, state.start_ns, state.end_ns, replay.clock.timestamp_ns())
        except ValueError as exc:
            return str(exc)
        if not replay.seek(target):
            return state.message
        self.app.panes[0].refresh_view()
        return None
