"""Soak harness (issue 12, "Done when"): a live session trading with a quoter against the
loopback exchange while it misbehaves (drop, gap, 5xx, timeout, dup), on the native Binance
venue or through ccxt; then the quoter stops, the orders are canceled, and everything is checked
against the exchange's own books: the trading state, orders left uncertain, each exchange trade
against the fills in the store, the position against the balance change. Each venue's run is
its own test file (they run in parallel).

Every run starts with issue 12.1's race made to happen (a regression check that fails for certain
if the bug comes back): a first session submits an order the venue never takes (503 before
processing), cancels it before any answer and stops with it pending; the soak session restarts
on the same store, and its start-up reconciliation meets the order. It must resolve it as never
placed; any trip of the kill switch stays HALTED and fails the soak.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.live_session import LiveSession, canary_keys, exchange_settings
from tests.loopback_session import wait_until
from tradeterm.core import topics
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.events import KillSwitchTripped, OrderDenied, OrderRejected
from tradeterm.domain.market import Side
from tradeterm.venues.loopback import LoopbackServer
from tradeterm.trading.results import OrderSent

FAULTS = "drop=20,gap=7,5xx=0.05,timeout=0.02:1.5,dup=0.05"
BTC0 = Decimal(10)  # the account's BTC at the start (live_session.exchange_settings)
WATCHED = {  # log lines counted (figures for the report, not asserted)
    "outage_reconciliations": "reconnected: reconciling",
    "reconcile_retries": "did not answer during reconciliation",
    "oms_uncertain": "asking the venue",  # the OMS: no answer within ack_timeout_ms
    "venue_unknown_outcomes": "outcome unknown",  # the venue: 5xx / timeout on a submit
}


@dataclass
class Soak:
    venue: str
    seconds: float
    state: str = ""
    reason: str = ""
    trips: list[str] = field(default_factory=list)  # every kill-switch trip: "source: reason"
    unsettled: list[str] = field(default_factory=list)  # orders not settled after wind-down
    exchange_trades: dict[str, int] = field(default_factory=dict)  # trade id -> signed lots
    fills: list[tuple[str, int]] = field(default_factory=list)  # the store: (trade id, lots)
    position: Decimal = Decimal(0)  # BTC, the portfolio's lots position
    ledger_balance: Decimal = Decimal(0)  # BTC, the portfolio's balance (fees in the coin out)
    balance_change: Decimal = Decimal(0)  # BTC, the exchange's (commissions included)
    base_fees: Decimal = Decimal(0)  # BTC paid as commission
    venue_rejects: dict[str, int] = field(default_factory=dict)
    denials: dict[str, int] = field(default_factory=dict)  # risk's, by reason
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def other_trips(self) -> list[str]:
        return list(self.trips)

    def summary(self) -> str:
        return (
            f"{self.venue} {self.seconds:g}s: {self.state} {self.reason!r}; "
            f"{len(self.exchange_trades)} trades, {len(self.fills)} fills; "
            f"position {self.position} BTC, balance change {self.balance_change} "
            f"(fees {self.base_fees}); rejects {self.venue_rejects}; denials {self.denials}; "
            f"trips {self.trips}; "
            f"unsettled {self.unsettled}; counts {self.counts}"
        )


# --- the two venues ----------------------------------------------------------------------------
async def soak_native(tmp_path: Path, seconds: float, faults: str = FAULTS) -> Soak:
    async def start(server: LoopbackServer, key: str, secret: str) -> tuple[Any, Any]:
        session = LiveSession(
            server,
            tmp_path,
            key,
            secret,
            quoter="placeholder",
            binance={"stale_after_s": 5.0, "request_timeout_s": 2.0},
        )
        kernel = await session.start()
        return kernel, session.stop

    def figures(kernel: Any) -> dict[str, int]:
        venue = kernel.execution
        feed, user = venue.feed.stats, venue.user
        return {
            "reconnects": feed.reconnects,
            "resyncs": feed.resyncs,
            "snapshot_failures": feed.snapshot_failures,
            "user_stream_reconnects": max(0, user.connects - 1) if user else 0,
            "venue_resolved_by_query": venue.execution.resolved_by_query,
            "duplicates_dropped": venue.execution.duplicates_dropped,
        }

    return await _soak("binance", tmp_path, seconds, faults, start, figures)


async def soak_ccxt(tmp_path: Path, seconds: float, faults: str = FAULTS) -> Soak:
    from tests.ccxt_session import ccxt_kernel

    drops = [0]

    async def start(server: LoopbackServer, key: str, secret: str) -> tuple[Any, Any]:
        kernel, venue, task = await ccxt_kernel(
            server,
            tmp_path,
            key,
            secret,
            quoter="placeholder",
            poll_s=0.2,
            private_poll_s=0.5,
            not_placed_after_s=3.0,
        )
        kernel.bus.subscribe(
            topics.venue_status(venue.name),
            lambda m: drops.__setitem__(0, drops[0] + (m.state.value == "DISCONNECTED")),
        )

        async def stop() -> None:
            kernel.request_stop()
            await asyncio.wait_for(task, 15)

        return kernel, stop

    def figures(kernel: Any) -> dict[str, int]:
        ex = kernel.execution.execution
        return {
            "reconnects": drops[0],
            "venue_resolved_by_query": ex.resolved_by_query,
            "duplicates_dropped": ex.duplicates_dropped,
        }

    return await _soak("ccxt-binance", tmp_path, seconds, faults, start, figures)


# --- the run -----------------------------------------------------------------------------------
Starter = Callable[[LoopbackServer, str, str], Awaitable[tuple[Any, Callable[[], Awaitable[None]]]]]


async def _soak(
    name: str,
    tmp_path: Path,
    seconds: float,
    faults: str,
    start: Starter,
    figures: Callable[[Any], dict[str, int]],
) -> Soak:
    key, secret = canary_keys()
    settings = exchange_settings(key, secret, faults=faults, events_per_second=1500)
    report = Soak(name, seconds)
    async with LoopbackServer(settings.exchange) as server:
        with _counting(tmp_path) as counter:
            kernel, stop = await start(server, key, secret)
            await _race(kernel, server)
            await stop()
            kernel, stop = await start(server, key, secret)  # the soak session
            _watch(kernel, report)
            await _trade(kernel, report, seconds)
            report.counts.update(figures(kernel))
            _compare(kernel, server, key, report)
            await stop()
        report.counts.update(counter.counts)
        report.counts["faults"] = dict(sorted(server.injector.counts.items()))
    return report


async def _race(kernel: Any, server: LoopbackServer) -> None:
    """12.1's race: a submit the venue never takes (503 before processing), canceled before any
    answer came; the session then stops with the order still pending."""
    if kernel.quoter is not None:
        kernel.quoter.stop()  # its submits must not take our 503
    inst = next(iter(kernel.instruments.values()))
    book = kernel.views.books[inst.id]
    server.injector.fail_rest(1, 503, processed=False, path="/api/v3/order", method="POST")
    sent = kernel.submit(
        SubmitOrder(
            kernel.clock.timestamp_ns(),
            kernel.next_order_id(),
            inst.id,
            Side.BUY,
            inst.qty_to_lots("0.0002"),
            price=book.best_bid - 100,
        )
    )
    assert isinstance(sent, OrderSent), sent
    order = sent.order
    kernel.cancel(order.client_order_id)
    await asyncio.sleep(0.2)


def _watch(kernel: Any, report: Soak) -> None:
    """Record trips and venue rejects (a trip is never re-armed: the soak fails on it)."""

    def on_risk(msg: Any) -> None:
        if type(msg) is OrderDenied:
            report.denials[msg.reason] = report.denials.get(msg.reason, 0) + 1
        if type(msg) is not KillSwitchTripped:
            return
        report.trips.append(f"{msg.source}: {msg.reason}")

    def on_order(msg: Any) -> None:
        if type(msg) is OrderRejected:
            report.venue_rejects[msg.reason] = report.venue_rejects.get(msg.reason, 0) + 1

    kernel.bus.subscribe(topics.RISK, on_risk)
    kernel.bus.subscribe(topics.orders(kernel.clients.name), on_order)
    ks = kernel.desk.killswitch
    if ks.halted:  # tripped by the start-up reconciliation, before we listened
        on_risk(KillSwitchTripped(0, 0, ks.reason, ks.source, False, True))


async def _trade(kernel: Any, report: Soak, seconds: float) -> None:
    """Quote for ``seconds``, then stop quoting, cancel everything and wait until every order
    is settled (none working, none uncertain)."""
    await asyncio.sleep(seconds)
    report.counts["orders_submitted"] = kernel.desk.submitted
    report.counts["orders_denied"] = kernel.desk.denials.count
    if kernel.quoter is not None:
        kernel.quoter.stop()
    kernel.cancel_all()
    oms = kernel.desk.oms
    started = time.monotonic()
    try:
        await wait_until(lambda: not oms.working, 30, "every order settled")
    except AssertionError:
        pass  # reported below
    report.counts["settle_s"] = round(time.monotonic() - started, 1)
    report.unsettled = [
        f"{o.client_order_id} {o.status.value}{' uncertain' if o.uncertain else ''}"
        for o in oms.working.values()
    ]
    ks = kernel.desk.killswitch
    report.state, report.reason = ks.state.value, ks.reason


def _compare(kernel: Any, server: LoopbackServer, key: str, report: Soak) -> None:
    inst = next(iter(kernel.instruments.values()))
    account = server.exchange.accounts[key]
    for t in account.trades:
        sign = 1 if t.order.side == "BUY" else -1
        report.exchange_trades[str(t.trade_id)] = sign * inst.qty_to_lots(t.qty)
        if t.commission_asset == inst.base:
            report.base_fees += t.commission
    report.fills = [
        (r.trade_id, r.side * r.qty)
        for r in kernel.desk.store.fill_rows()
        if r.instrument == inst.id
    ]
    report.position = inst.lots_to_qty(kernel.desk.portfolio.qty(inst.id))
    report.ledger_balance = kernel.desk.portfolio.position(inst.id).balance(inst)
    btc = account.balance(inst.base)
    report.balance_change = btc.free + btc.locked - BTC0
    report.counts["reconciliations"] = len(kernel.desk.reconciliations)
    report.counts["reconciliation_attempts"] = sum(r.attempts for r in kernel.desk.reconciliations)


# --- log lines ---------------------------------------------------------------------------------
class _LogCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.counts = dict.fromkeys(WATCHED, 0)

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        for name, needle in WATCHED.items():
            if needle in text:
                self.counts[name] += 1


class _counting:
    """Count the watched log lines; keep the whole log in ``<dir>/soak.log``."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "soak.log"

    def __enter__(self) -> _LogCounter:
        self.counter = _LogCounter()
        self.file = logging.FileHandler(self.path)
        self.file.setLevel(logging.DEBUG)
        self.file.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root = logging.getLogger("tradeterm")
        root.addHandler(self.counter)
        root.addHandler(self.file)
        return self.counter

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger("tradeterm")
        root.removeHandler(self.counter)
        root.removeHandler(self.file)
        self.file.close()
