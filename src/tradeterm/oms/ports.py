"""What the OMS needs from above it, passed at construction (the trading desk implements them):
one narrow protocol per thing the OMS pushes up, called in the order the OMS reaches it."""

from __future__ import annotations

from typing import Protocol

from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import OrderFilled
from tradeterm.domain.orders import Order


class TradingHalt(Protocol):
    def halt(self, problem: str) -> None:
        """Something the OMS cannot settle by itself (a fill that does not fit its order, a
        store that cannot write, an order the venue lost): trading must stop."""


class ReplacementSender(Protocol):
    def send_replacement(self, cmd: SubmitOrder) -> None:
        """The new half of a cancel-replace, once the venue confirmed the cancel: an order like
        any other (through risk)."""


class PostTrade(Protocol):
    def after_fill(self, fill: OrderFilled) -> None:
        """A fill is on disk and told (position, fills pane, log) after its order's own
        change: the post-trade limits look at it."""


class HeldOrderSender(Protocol):
    def send_held(self, cmd: SubmitOrder) -> Order | str:
        """A held order released (its trigger reached, its entry filled): an order like any
        other, through pre-trade risk. The order the OMS took, or why risk denied it
        (``CODE: message``)."""


class HeldListSender(Protocol):
    def takes_lists(self, instrument: str) -> bool:
        """The venue of ``instrument`` keeps OCO order lists itself."""

    def send_list(self, list_id: str, cmds: list[SubmitOrder]) -> list[Order] | str:
        """A held OCO sent as the venue's order list, every order through pre-trade risk:
        the orders the OMS took, or why risk denied one (``CODE: message``)."""


class HeldSender(HeldOrderSender, HeldListSender, Protocol):
    """What the emulator sends through: single orders, and order lists where the venue keeps
    them."""
