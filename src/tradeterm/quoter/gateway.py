"""Where the quoter's intent goes: an explicit, small order gateway.

The quoter never talks to a venue. It hands commands to an ``OrderGateway``; the kernel binds
the gateway to risk and the OMS, so every quoter order passes the same pre-trade checks as a
manual one and is tracked like one. Calls return at once; the outcome comes back as order events
on the venue's order topic (``topics.orders(venue)``), matched by the quoter's client order id:

* ``OrderAccepted``  the order works at the venue;
* ``OrderDenied``    risk refused it (nothing left the engine) - the quoter backs off;
* ``OrderRejected``  the venue refused it; for an order already accepted this means a refused
                     modify or cancel, and the order keeps working as it was;
* ``OrderFilled``    with ``leaves_qty``; ``OrderModified`` with the new price and quantity
                     (the remaining quantity); ``OrderCanceled`` / ``OrderExpired``.

A modify may be done in place or as cancel-replace. Either keep the client id and answer with
``OrderModified`` once the replacement works, or answer with ``OrderCanceled`` (the quoter then
quotes that level afresh). ``PositionChanged`` on the same topic, quantity in lots, makes the
quoter take its inventory from the position keeper instead of counting fills.

``cancel`` and ``modify`` may return False to say the engine has no such working order any more
(it ended without an event the quoter saw): the quoter then forgets it. Any other return value
means the request went out.

A gateway may have ``screen(command)``: for a ``SubmitOrder`` or a ``ModifyOrder`` the quoter is
about to send, the (reason code, message) with which risk would deny it now for a reason the
quoter can avoid or wait out (an identical order inside the duplicate window, below the minimum
notional, off the order step, outside the price band, crossing our own order), else None. The
quoter then holds it back instead of earning a denial and a back-off.

The gateway may answer synchronously from inside these calls; the quoter copes (it folds
re-entrant requotes into one more pass and reacts to order events on a zero-delay alert).
"""

from __future__ import annotations

from typing import Protocol

from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder


class OrderGateway(Protocol):
    def submit(self, command: SubmitOrder) -> None:
        """Send a new order (the quoter's are limit orders, ``post_only`` by default, with
        ``source="quoter"``)."""

    def cancel(self, command: CancelOrder) -> bool | None:
        """Cancel one working order. Must be accepted in every trading state, HALTED included."""

    def modify(self, command: ModifyOrder) -> bool | None:
        """Change price and/or quantity in place, or answer OrderCanceled (no replacement)."""
