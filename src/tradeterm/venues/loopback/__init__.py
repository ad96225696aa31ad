"""A local exchange speaking Binance's spot REST and websocket protocol, backed by the simulated
market and ``matching/``, with fault injection. Used by the tests of the live venues and by
``tradeterm exchange serve`` (usable by other bots too)."""

from tradeterm.venues.loopback.faults import FaultInjector, FaultPlan, FaultSpecError
from tradeterm.venues.loopback.server import LoopbackServer, NotLoopback, check_loopback

__all__ = [
    "FaultInjector",
    "FaultPlan",
    "FaultSpecError",
    "LoopbackServer",
    "NotLoopback",
    "check_loopback",
]
