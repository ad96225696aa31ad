"""The desk's refusals: an order or a modify that risk or the session refused is counted, shown in
the risk pane, logged (a quoter's only at debug level) and published on the ``risk`` topic."""

from __future__ import annotations

import logging

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import RiskView
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderDenied
from tradeterm.trading.results import Denied

log = logging.getLogger("tradeterm.desk")


class Denials:
    def __init__(self, bus: MessageBus, clock: Clock, view: RiskView) -> None:
        self._bus = bus
        self._clock = clock
        self._view = view
        self.count = 0

    def deny(
        self, cmd: SubmitOrder, verdict: tuple[str, str], client_order_id: str | None = None
    ) -> Denied:
        """Refuse ``cmd`` (or the modify of ``client_order_id``, probed as ``cmd``) with the
        verdict ``(code, message)``."""
        self.count += 1
        now = self._clock.timestamp_ns()
        code, message = verdict
        event = OrderDenied(
            now, now, client_order_id or cmd.client_order_id, cmd.instrument, code, message
        )
        view = self._view
        view.denied += 1
        view.last_denied = f"{code}: {message}"
        view.version += 1
        (log.debug if cmd.source == "quoter" else log.info)(
            "order %s denied: %s %s", event.client_order_id, code, message
        )
        self._bus.publish(topics.RISK, event)
        return Denied(event)
