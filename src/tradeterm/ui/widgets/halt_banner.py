"""The HALTED banner: full width, red, impossible to miss while trading is halted.

It names why trading stopped and what the kill switch did, as the engine counted it
(``RiskView.trip``): orders cancelled, quoters stopped, flattening and how it is going, and how
to re-arm. Nothing is cut: the text flows onto as many lines as the width needs, and the banner
takes that height. Hidden while trading is ACTIVE; yellow while REDUCING.
"""

from __future__ import annotations

from tradeterm.core.views import RiskView, TripReport
from tradeterm.domain.events import TradingState
from tradeterm.ui.format import hms
from tradeterm.ui.widgets.fit import flow_text
from tradeterm.ui.widgets.pane import TextPane

HALTED = "bold white on #b00000"
REDUCING = "bold black on #d7af00"
REARM = "re-arm: ctrl+p → Re-arm trading"


def what_it_did(trip: TripReport) -> list[str]:
    done = [f"{trip.orders_cancelled} order(s) cancelled" if trip.cancel else "orders left working"]
    if trip.held_cancelled:
        done.append(f"{trip.held_cancelled} held order(s) cancelled")
    n = trip.quoters_stopped
    done.append(
        "quoter stopped" if n == 1 else f"{n} quoters stopped" if n else "no quoter was running"
    )
    if not trip.flatten:
        done.append("positions kept (no flatten)")
    elif trip.flatten_state == "flattening":
        done.append("flattening positions")
    elif trip.flatten_state == "flat":
        done.append("positions flat")
    else:
        done.append(f"flatten: {trip.flatten_state}")
    return done


class HaltBanner(TextPane):
    DEFAULT_CSS = """
    HaltBanner { height: 2; display: none; background: #b00000; }
    HaltBanner.-reducing { background: #d7af00; }
    HaltBanner.-shown { display: block; }
    """

    def __init__(self, risk: RiskView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.risk = risk

    def refresh_view(self) -> None:
        if not self.changed(self.risk.version, self.risk.state, self.size.width):
            return
        state = self.risk.state
        self.set_class(state is not TradingState.ACTIVE, "-shown")
        self.set_class(state is TradingState.REDUCING, "-reducing")
        width = max(self.app.size.width if self.is_attached else 0, self.size.width, 20)
        if state is TradingState.REDUCING:
            lines = flow_text(f"REDUCING ONLY — {self.risk.reason}", [REARM], width)
            style = REDUCING
        elif state is TradingState.HALTED:
            trip = self.risk.trip
            if trip is not None:
                items = [f"{hms(trip.ts)} by {trip.source}:", *what_it_did(trip)]
                items[0:2] = [f"{items[0]} {items[1]}"]
            else:
                items = ["no new orders; quoter paused"]
            lines = flow_text(f"■ HALTED — {self.risk.reason}", items + [REARM], width)
            style = HALTED
        else:
            self.set_rows([])
            return
        if self.styles.height is None or self.styles.height.value != len(lines):
            self.styles.height = len(lines)
        self.set_rows([((line.ljust(width), style),) for line in lines])
