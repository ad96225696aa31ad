"""The session's dialogs, composed into the app (``app.dialogs``): quitting while something is
working, re-arming after a HALT, and confirming LIVE trading. Each asks through a modal screen
and acts through the kernel only; what happened is said on the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tradeterm.core.views import EngineViews
from tradeterm.domain.orders import OrderStatus
from tradeterm.trading.results import RearmRefused, Rearmed
from tradeterm.ui.screens.confirm import ConfirmScreen
from tradeterm.ui.screens.live_confirm import LiveConfirmScreen
from tradeterm.ui.screens.rearm import RearmScreen

if TYPE_CHECKING:
    from tradeterm.ui.app import TradetermApp


def busy(views: EngineViews) -> str:
    """Why quitting needs a confirmation ('' when nothing is working and no quoter runs).
    Orders whose cancel is sent but not confirmed are counted apart: they may still fill."""
    live = [o for o in views.orders.orders.values() if not o.is_terminal]
    cancelling = sum(1 for o in live if o.status is OrderStatus.PENDING_CANCEL)
    working = len(live) - cancelling
    quoting = sum(1 for q in views.quoters.values() if q.enabled)
    parts = [f"{working} working order(s)"] if working else []
    if cancelling:
        parts.append(f"{cancelling} cancel(s) not yet confirmed by the venue")
    if quoting:
        parts.append(f"{quoting} quoter(s) on")
    return " and ".join(parts)


class SessionDialogs:
    def __init__(self, app: TradetermApp) -> None:
        self.app = app
        self.kernel = app.kernel

    def quit(self, stop: Callable[[], None]) -> None:
        """Stop at once when nothing is working; else ask, counting what works now (the
        question follows the venue's answers while it is open)."""
        if not busy(self.kernel.views):
            stop()
            return

        def question() -> str:
            now = busy(self.kernel.views)
            return (
                f"Still: {now}. They stay at the venue as the session policy says (cancel "
                "them first with ctrl+x or ctrl+k)."
                if now
                else "Nothing is working any more."
            )

        self.app.push_screen(ConfirmScreen("Quit?", question), lambda yes: stop() if yes else None)

    def rearm(self) -> None:
        app = self.app

        def chosen(answer) -> None:
            if not answer:
                return
            reason, state = answer
            match self.kernel.rearm(reason, state, source="ui"):
                case RearmRefused(error):
                    app.notify(error, severity="error", timeout=8)
                    app.cmdline.say(f"re-arm refused: {error}", False)
                case Rearmed():
                    app.cmdline.say(f"trading {state.value}: {reason}", True)
            app.refresh_views()

        app.push_screen(RearmScreen(self.kernel.views.risk.reason), chosen)

    def confirm_live(self) -> None:
        """LIVE: order entry stays locked until the venue's name is typed (audited)."""
        app = self.app
        if self.kernel.live_confirmed:
            app.cmdline.say("live trading is already confirmed", None)
            return

        def typed(name: str | None) -> None:
            if name is not None and self.kernel.confirm_live(name):
                app.cmdline.say(f"LIVE trading on {name} confirmed: orders go to the venue", True)
            else:
                app.cmdline.say(
                    "watching only: orders are refused until you confirm live trading (ctrl+p)",
                    False,
                )

        app.push_screen(
            LiveConfirmScreen(self.kernel.clients.name, [i.symbol for i in app.instruments]), typed
        )
