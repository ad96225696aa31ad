"""One engine process for the OMS state machine (``tests/unit/oms/test_oms_stateful.py``):
the real desk (risk, OMS, store, portfolio, kill switch) on its own simulated clock and bus,
over a store file, talking to the venue double; it can die without flushing (``crash``). Its
event loop (``SteppedLoop``) outlives it: the machine runs it a step at a time."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from decimal import Decimal

from tests.venue_double import VenueDouble
from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.trading.desk import TradingDesk
from tradeterm.domain.events import (
    ConnectionState,
    KillSwitchTripped,
    TradingState,
    TradingStateChanged,
    VenueStatus,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookSnapshot
from tradeterm.domain.orders import OrderStatus
from tradeterm.oms.durability import HeldUntilDurable
from tradeterm.oms.manager import OrderManager
from tradeterm.oms.store import Store

S = OrderStatus
T0 = 1_767_225_600 * NS
BTC = Instrument(
    "fake",
    "BTC/USD",
    "BTC",
    "USD",
    Decimal("0.5"),
    Decimal("0.0001"),
    Decimal(5),
    Decimal("0.0001"),
    Decimal("0.0004"),
)
ETH = Instrument(
    "fake",
    "ETH/USD",
    "ETH",
    "USD",
    Decimal("0.05"),
    Decimal("0.001"),
    Decimal(5),
    Decimal("0.0001"),
    Decimal("0.0004"),
)
MIDS = {BTC.id: 120_000, ETH.id: 60_000}
ACK_TIMEOUT_S = 1.0
WINDOW_NS = 3 * NS // 2  # a request may reach the venue for 1.5 s: longer than the timeout
SETTINGS = load_settings(
    **dict(
        oms={
            "ack_timeout_ms": int(ACK_TIMEOUT_S * 1000),
            "query_retry_ms": 200,
            "max_query_attempts": 4,
        },
        risk={
            "orders_per_second": 1e6,
            "order_burst": 10**6,
            "duplicate_window_ms": 0,
            "max_order_notional": "1e12",
            "max_position_notional": "1e12",
            "daily_loss_limit": "1e12",
            "max_drawdown": "1e12",
            "max_open_orders": 10_000,
        },
        session={"cancel_on_exit": False},
        sim={"seed": 1},
    )
)  # the reconciliation's retry jitter: the same run for the same rules
# what may be logged at ERROR while doing the job: the queries we made fail (a reconciliation
# that meets them retries, and gives up only when they fail past oms.reconcile_retry_s)
EXPECTED_ERRORS = re.compile(
    r"query for order \S+ failed|reconciliation FAILED: venue \S+ "
    r"did not answer \(ConnectionError: venue unreachable \(test\)\)"
)


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        if not EXPECTED_ERRORS.search(line):
            self.lines.append(f"{record.name}: {line}")


class LaggingDisk:
    """The store's disk as a slow one is: commits reach it only when the machine says
    (``catch_up``), and what waits for them waits, through the real loop side
    (``oms.durability.HeldUntilDurable``). The loop's own fsyncs (the kill switch, a
    reconciliation's decision) are immediate and let the held actions through on the loop's
    next turn, as ``WalSync`` does. A crash loses what was held: nothing was sent or told."""

    on_problem = None

    def __init__(self) -> None:
        self.queue = HeldUntilDurable(lambda _upto: None)
        self.dead = False  # the process crashed: what it held dies with it

    @property
    def held(self) -> int:
        return self.queue.held

    def committed(self) -> None:
        self.queue.commit()

    def after(self, action) -> None:  # noqa: ANN001
        self.queue.after(action)

    def sync_now(self) -> None:
        upto = self.queue.committed
        try:
            asyncio.get_running_loop().call_soon(self._caught_up, upto)
        except RuntimeError:  # outside the loop (the machine's own checks)
            self._caught_up(upto)

    def catch_up(self, share: float = 1.0) -> None:
        behind = self.queue.committed - self.queue.synced
        self._caught_up(self.queue.synced + math.ceil(behind * share))

    def _caught_up(self, upto: int) -> None:
        if not self.dead:
            self.queue.caught_up(upto)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        pass

    def stop(self) -> None:
        self.catch_up()


class Engine:
    """One engine process on the store file: dies without flushing (``crash``)."""

    def __init__(self, url: str, venue: VenueDouble, start_ns: int) -> None:
        self.clock = SimClock(start_ns)
        self.bus = MessageBus()
        venue.bus, venue.clock = self.bus, self.clock
        self.views = EngineViews(StatusView(mode="PAPER", venue="fake"))
        MarketDataKeeper(self.bus, self.views, [BTC, ETH])
        self.store = Store(url, "OFF")  # a crash of the process, not of the machine
        self.disk = LaggingDisk()
        self.store.db.durability = self.disk
        self.early: list[str] = []  # orders that reached the venue before their record was on disk
        self._tickets: dict[str, int] = {}
        insert = self.store.insert_order

        def recorded(order, venue_name: str, session: int) -> None:  # noqa: ANN001
            insert(order, venue_name, session)
            self._tickets[order.client_order_id] = self.disk.queue.committed

        self.store.insert_order = recorded  # type: ignore[method-assign]
        venue.on_submit = self._arrives
        self.desk = TradingDesk(
            SETTINGS,
            self.bus,
            self.clock,
            {"fake": venue},
            {BTC.id: BTC, ETH.id: ETH},
            self.views,
            self.store,
        )
        # a reconciliation that meets failing queries retries on this process's clock (the
        # rules move it), not on the wall
        self.desk.watch.pause = self.clock.sleep
        self.desk.watch.now_s = lambda: self.clock.timestamp_ns() / NS
        self.venue = venue
        self.trips: list[KillSwitchTripped] = []
        self.submits_at_trip: int | None = None  # orders sent when the kill switch tripped
        self.bus.subscribe(topics.RISK, self._on_risk)
        self.books()

    def _arrives(self, order) -> None:  # noqa: ANN001
        ticket = self._tickets.get(order.client_order_id)
        if ticket is None or ticket > self.disk.queue.synced:
            self.early.append(
                f"{order.client_order_id} (commit {ticket}, disk at {self.disk.queue.synced})"
            )

    def _on_risk(self, msg: object) -> None:
        if type(msg) is KillSwitchTripped:
            self.trips.append(msg)
            self.submits_at_trip = self.venue.submits
        elif type(msg) is TradingStateChanged and msg.state is not TradingState.HALTED:
            self.submits_at_trip = None

    def outage(self) -> None:
        """The venue's stream, up until now, drops and comes back: the desk reconciles."""
        now = self.clock.timestamp_ns()
        for state in (
            ConnectionState.CONNECTED,
            ConnectionState.DISCONNECTED,
            ConnectionState.CONNECTED,
        ):
            self.bus.publish(topics.venue_status("fake"), VenueStatus(now, now, "fake", state))
        self.books()

    def books(self) -> None:
        now = self.clock.timestamp_ns()
        for inst in (BTC, ETH):
            mid = MIDS[inst.id]
            self.bus.publish(
                topics.book(inst.id),
                BookSnapshot(inst.id, [(mid - 1, 10**9)], [(mid + 1, 10**9)], now, now, now),
            )

    @property
    def oms(self) -> OrderManager:
        return self.desk.oms

    def crash(self) -> None:
        self.disk.dead = True  # with the sync thread: nothing held is sent or told
        self.oms.resolver.stop()
        self.desk.watch.stop()  # its reconciliation tasks die with the process
        self.store.conn.close()  # the buffered status changes die with the process


class SteppedLoop:
    """The event loop every engine process runs on, run a step at a time: an action, then the
    tasks it started (queries, reconciliations) until nothing is ready; the rest waits for the
    simulated clock."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, coro):  # noqa: ANN001, ANN202
        return self.loop.run_until_complete(coro)

    def drain(self, action=None) -> None:  # noqa: ANN001
        """Run ``action`` on the loop (where everything runs), then let the tasks it started
        run."""
        loop = self.loop

        async def spin() -> None:
            if action is not None:
                action()
            for _ in range(50):  # until nothing is ready to run (the rest waits for the clock)
                await asyncio.sleep(0)
                if not loop._ready:  # type: ignore[attr-defined]
                    break

        self.run(spin())

    def advance(self, clock: SimClock, seconds: float) -> None:
        self.drain(lambda: clock.advance_to(clock.timestamp_ns() + int(seconds * NS)))

    def cancel_tasks(self) -> set[asyncio.Task]:
        tasks = asyncio.all_tasks(self.loop)
        for task in tasks:
            task.cancel()
        return tasks

    def close(self) -> None:
        """Cancel what still runs, let it finish, close the loop."""
        tasks = self.cancel_tasks()

        async def finish() -> None:
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(finish())
        self.loop.close()
