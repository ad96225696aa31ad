"""Ways to drive the trading harness through lost, crossed and late answers, for the tests of
how the OMS settles an order's outcome (``test_settled_by_query``, ``test_settled_at_restart``,
``test_settled_by_reconciliation``)."""

import asyncio

import msgspec

from tests.trading_harness import Harness
from tradeterm.core import topics
from tradeterm.domain.events import ConnectionState, VenueStatus
from tradeterm.domain.reports import OrderStatusReport


async def started(url: str = "sqlite://", **kw) -> Harness:
    h = Harness(url, **kw)
    await h.start()
    return h


async def settle(h: Harness, seconds: float = 0.0) -> None:
    if seconds:
        h.advance(seconds)
    for _ in range(30):
        await asyncio.sleep(0)


def replace(report: OrderStatusReport, **changes) -> OrderStatusReport:
    return msgspec.structs.replace(report, **changes)


def publish(h: Harness, event) -> None:
    h.bus.publish(h.venue.topic, event)


def reconnect(h: Harness) -> None:
    """The venue's stream drops and comes back: the desk reconciles."""
    now = h.clock.timestamp_ns()
    for state in (
        ConnectionState.CONNECTED,
        ConnectionState.DISCONNECTED,
        ConnectionState.CONNECTED,
    ):
        h.bus.publish(topics.venue_status("fake"), VenueStatus(now, now, "fake", state))


def hold_answers(h: Harness) -> list[asyncio.Future]:
    """Queries answer with the venue's record as it was when asked, but only when released."""
    answers: list[asyncio.Future] = []
    ask = h.venue.query_order

    async def slow_query(coid, instrument):
        report = await ask(coid, instrument)
        answers.append(asyncio.get_running_loop().create_future())
        await answers[-1]
        return report

    h.venue.query_order = slow_query
    return answers
