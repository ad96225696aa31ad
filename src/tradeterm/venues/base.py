"""The venue contract. A new venue implements this class and nothing else needs to change.

A venue does two jobs:

* **Market data.** ``run()`` connects and publishes market data on the bus until ``stop()``:
  first a ``BookSnapshot`` for each instrument on ``topics.book(id)``, then ``BookDelta``s that
  carry the venue's update ids, and ``Trade``s on ``topics.trade(id)``. Timestamps: ``ts_event``
  is the venue's time, ``ts_recv`` the clock's time on receipt. When the feed breaks or goes
  quiet the venue publishes a ``VenueStatus`` on ``topics.venue_status(name)`` and, once back,
  a fresh snapshot; the book drops deltas until then.
* **Execution.** ``submit_order``/``cancel_order``/``modify_order`` send requests and return at
  once; outcomes arrive later as order events (``OrderAccepted``, ``OrderFilled``...) on
  ``topics.orders(name)``. A venue never raises for a refused order; it publishes
  ``OrderRejected`` with a reason code.

All methods are called on the engine's asyncio loop; a venue must never block it (use async I/O,
and give control back at least every few milliseconds when it produces data in a loop).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order


class Venue(ABC):
    name: str

    def __init__(self, bus: MessageBus, clock: Clock) -> None:
        self.bus = bus
        self.clock = clock
        self._stopping = False

    @abstractmethod
    def instruments(self) -> list[Instrument]:
        """The instruments this venue trades in this session (known before ``run``)."""

    @abstractmethod
    async def run(self) -> None:
        """Connect, publish snapshots then updates, and return only after ``stop()``."""

    def stop(self) -> None:
        """Ask ``run`` to return soon. Safe to call more than once."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    @abstractmethod
    def submit_order(self, order: Order) -> None:
        """Send a new order. The outcome arrives as order events."""

    @abstractmethod
    def cancel_order(self, order: Order) -> None:
        """Ask the venue to cancel a working order. The outcome arrives as order events."""

    def modify_order(self, order: Order, price: int | None, qty: int | None) -> bool:
        """Modify in place if the venue can; return False to have the OMS cancel-replace."""
        return False
