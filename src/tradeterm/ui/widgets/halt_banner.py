"""The HALTED banner: full width, red, impossible to miss while trading is halted.

It names why trading stopped and what the kill switch did: orders cancelled, quoter stopped,
flatten status. Hidden (zero height) while trading is ACTIVE; yellow while REDUCING.
"""

from __future__ import annotations

from collections.abc import Callable

from tradeterm.core.views import RiskView
from tradeterm.domain.events import TradingState
from tradeterm.ui.format import hms
from tradeterm.ui.widgets.pane import TextPane

HALTED = "bold white on #b00000"
REDUCING = "bold black on #d7af00"


class HaltBanner(TextPane):
    DEFAULT_CSS = """
    HaltBanner { height: 2; display: none; background: #b00000; }
    HaltBanner.-reducing { height: 1; background: #d7af00; }
    HaltBanner.-shown { display: block; }
    """

    def __init__(self, risk: RiskView, last_trip: Callable[[], object], **kwargs) -> None:
        super().__init__(**kwargs)
        self.risk = risk
        self.last_trip = last_trip  # -> trading.TripRecord | None

    def refresh_view(self) -> None:
        trip = self.last_trip()
        if not self.changed(self.risk.version, self.risk.state, id(trip), self.size.width):
            return
        state = self.risk.state
        self.set_class(state is not TradingState.ACTIVE, "-shown")
        self.set_class(state is TradingState.REDUCING, "-reducing")
        width = max(self.size.width, 20)
        if state is TradingState.REDUCING:
            self.set_rows([((f" REDUCING ONLY — {self.risk.reason}"[:width].ljust(width),
                             REDUCING),)])
            return
        if state is not TradingState.HALTED:
            self.set_rows([])
            return
        first = f" ■ HALTED — {self.risk.reason}"
        if trip is not None:
            done = []
            if trip.cancel:
                done.append(f"{trip.orders_canceled} order(s) cancelled")
            else:
                done.append("orders left working")
            done.append(f"quoter stopped ({trip.quoters_stopped})" if trip.quoters_stopped
                        else "quoter off")
            done.append("flattening positions" if trip.flatten else "positions kept (no flatten)")
            second = f"   {hms(trip.ts)} by {trip.source}: " + " · ".join(done)
        else:
            second = "   no new orders; quoter paused"
        second += "   ·  re-arm: command palette (ctrl+p) → Re-arm trading"
        self.set_rows([((first[:width].ljust(width), HALTED),),
                       ((second[:width].ljust(width), HALTED),)])
