"""Where the quoter's intent goes: an explicit, small order gateway.

The quoter never talks to a venue. It hands commands to an ``OrderGateway``; the kernel binds
the gateway to risk and the OMS, so every quoter order passes the same pre-trade checks as a
manual one and is tracked like one. Calls return at once; the outcome comes back as order events
on the bus (``OrderAccepted``, ``OrderDenied`` from risk, ``OrderRejected`` from the venue,
``OrderFilled``, ``OrderModified``, ``OrderCanceled``), which the quoter matches by client id.
"""

from __future__ import annotations

from typing import Protocol

from tradeterm.domain.commands import CancelOrder, ModifyOrder, SubmitOrder


class OrderGateway(Protocol):
    def submit(self, command: SubmitOrder) -> None:
        """Send a new order (the quoter's are post-only limit orders, ``source="quoter"``)."""

    def cancel(self, command: CancelOrder) -> None:
        """Cancel one working order. Must be accepted in every trading state."""

    def modify(self, command: ModifyOrder) -> None:
        """Change price and/or quantity; the OMS may do it as cancel-replace."""
