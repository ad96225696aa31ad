"""Routes Python logging into the engine: the log view (log pane) and the bus (the journal).

Log records are stamped with the engine clock, so a simulated run's log is deterministic.
"""

from __future__ import annotations

import logging

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import RingView
from tradeterm.domain.events import LogLine


class EngineLogHandler(logging.Handler):
    def __init__(self, bus: MessageBus, clock: Clock, view: RingView[LogLine]) -> None:
        super().__init__(logging.INFO)
        self.bus = bus
        self.clock = clock
        self.view = view

    def emit(self, record: logging.LogRecord) -> None:
        try:
            now = self.clock.timestamp_ns()
            line = LogLine(now, now, record.levelname, record.name, record.getMessage())
            self.view.append(line)
            self.bus.publish(topics.LOG, line)
        except Exception:  # logging must never take the engine down
            self.handleError(record)
