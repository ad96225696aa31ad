"""Reconciliation: make the OMS's records agree with the venue's, or say why they cannot.

Runs at every start (before any order goes out) and after a venue reconnects:

1. **Integrity.** Every stored position equals the signed sum of its stored fills.
2. **The venue's record of every order we hold**: its open orders, and a targeted
   ``query_order`` for each one of ours it did not list. Their terms (price, quantity) are
   taken first: a modify whose news died with the last process may have changed the quantity
   the missed fills count against.
3. **Missed fills.** The venue's fills since shortly before the last one we recorded (or the
   oldest order still open) are applied; the trade id makes each count exactly once.
4. **Each order's status** as the venue has it: filled, canceled, rejected, still working (a
   cancel it never carried out is sent again)... An order the venue has no record of is
   closed: "NOT_RECEIVED" if it was never acknowledged (no ack, no fill, no venue order id:
   whatever its status, e.g. a cancel sent before the answer to a POST that died with a 503),
   once the venue can no longer receive it (``ExecutionClient.request_window_ns``);
   "VENUE_LOST" if an in-process venue (``keeps_state = False``) restarted; on a real venue an
   order it acknowledged and no longer knows is a problem. A working order we do not know is adopted
   and flagged EXTERNAL (it trades on this account, so risk must count it).
5. **Positions** the venue reports (if it has a position view) must equal ours, once the fills
   that arrived while reconciling are applied too (a snapshot may count a fill whose event is
   still on its way: that is not a mismatch).

Anything that cannot be explained makes the result unclean; the caller then keeps trading
HALTED with the problems as the reason. A venue that could not be asked (5xx, timeout, lost
connection) is not a discrepancy: the result says ``unreachable`` and the caller retries
(``desk_venue_watch``); every step is idempotent (fills by trade id, adopted orders become known
ones), so a retry after a partial run repairs nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tradeterm.core.display import amount
from tradeterm.domain.instruments import Instrument
from tradeterm.oms.manager import OrderManager
from tradeterm.oms.outcomes import Asked
from tradeterm.oms.settle import NOT_YET
from tradeterm.oms.store_port import OrderStore

from tradeterm.domain.orders import OrderStatus
from tradeterm.domain.reports import OrderStatusReport

if TYPE_CHECKING:
    from tradeterm.domain.reports import PositionReport
    from tradeterm.venues.base import ExecutionClient

log = logging.getLogger(__name__)

MARGIN_NS = 60 * 1_000_000_000  # ask for fills from a minute before the last one we have
WORKING = (
    OrderStatus.SUBMITTED,
    OrderStatus.ACCEPTED,
    OrderStatus.PARTIALLY_FILLED,
    OrderStatus.TRIGGERED,
    OrderStatus.PENDING_CANCEL,
    OrderStatus.PENDING_UPDATE,
)
POSITION_READS = 3  # position snapshots taken while fills keep arriving, before a mismatch counts


@dataclass(slots=True)
class ReconcileResult:
    venue: str
    adopted: int = 0
    resolved: int = 0
    closed_lost: int = 0
    missed_fills: int = 0
    problems: list[str] = field(default_factory=list)
    unreachable: str = ""  # the venue could not be asked: the error (retry, then a problem)
    attempts: int = 1

    @property
    def clean(self) -> bool:
        return not self.problems and not self.unreachable

    def add_repairs(self, earlier: ReconcileResult) -> None:
        """Count what an earlier, interrupted attempt already repaired."""
        self.adopted += earlier.adopted
        self.resolved += earlier.resolved
        self.closed_lost += earlier.closed_lost
        self.missed_fills += earlier.missed_fills
        self.attempts += earlier.attempts

    def describe(self) -> str:
        parts = [
            f"{self.missed_fills} missed fill(s) applied" if self.missed_fills else "",
            f"{self.adopted} external order(s) adopted" if self.adopted else "",
            f"{self.resolved} order(s) resolved by query" if self.resolved else "",
            f"{self.closed_lost} order(s) lost by the venue closed" if self.closed_lost else "",
        ]
        done = ", ".join(p for p in parts if p) or "nothing to repair"
        if self.attempts > 1:
            done += f", {self.attempts} attempts"
        if self.clean:
            return f"{self.venue}: reconciliation clean ({done})"
        return f"{self.venue}: reconciliation FAILED: {'; '.join(self.reasons())} ({done})"

    def reasons(self) -> list[str]:
        return self.problems + (
            [f"venue {self.venue} did not answer ({self.unreachable})"] if self.unreachable else []
        )


async def reconcile(
    oms: OrderManager,
    store: OrderStore,
    venue: ExecutionClient,
    local_positions: Callable[[], dict[str, int]],
    lookback_ns: int,
    now: int,
) -> ReconcileResult:
    result = ReconcileResult(venue.name)
    mine = {iid: q for iid, q in local_positions().items() if iid.startswith(venue.name + ":")}
    result.problems.extend(
        check_integrity_for(store, mine, venue.name, {i.id: i for i in venue.instruments()})
    )
    try:
        since = _fills_since(oms, store, venue, lookback_ns, now)
        await _reconcile_orders(oms, venue, since, result)
        # 5. positions. Fills keep coming while we reconcile (after a reconnect the session
        # trades on): the venue's position may already count a fill whose event is still on
        # its way. Fills fetched after the snapshot are applied before comparing; a mismatch
        # is real only once a read brought no new fill.
        for _ in range(POSITION_READS):
            reported = await venue.positions()
            late = await _missed_fills(oms, venue, since, result)
            mismatch = (
                [] if reported is None else _position_mismatch(reported, local_positions(), venue)
            )
            if not mismatch or not late:
                break
    except Exception as exc:  # the venue could not be asked: nothing can be trusted yet
        result.unreachable = f"{type(exc).__name__}: {exc}"
        return result
    result.problems.extend(mismatch)
    return result


def _position_mismatch(
    reported: list[PositionReport], local: dict[str, int], venue: ExecutionClient
) -> list[str]:
    theirs = {p.instrument: p.qty for p in reported if p.qty}
    ours = {iid: q for iid, q in local.items() if q and iid.startswith(venue.name + ":")}
    units = {i.id: i for i in venue.instruments()}
    return [
        f"{iid}: our position is {amount(units, iid, ours.get(iid, 0))}, the venue's is "
        f"{amount(units, iid, theirs.get(iid, 0))}"
        for iid in sorted(set(theirs) | set(ours))
        if theirs.get(iid, 0) != ours.get(iid, 0)
    ]


def check_integrity_for(
    store: OrderStore,
    positions: dict[str, int],
    venue: str,
    units: Mapping[str, Instrument] | None = None,
) -> list[str]:
    sums = {iid: q for iid, q in store.fill_sums().items() if iid.startswith(venue + ":")}
    problems = []
    units = units or {}
    for iid in sorted(set(sums) | set(positions)):
        if sums.get(iid, 0) != positions.get(iid, 0):
            problems.append(
                f"{iid}: position {amount(units, iid, positions.get(iid, 0))} but "
                f"its fills sum to {amount(units, iid, sums.get(iid, 0))}"
            )
    return problems


def _fills_since(
    oms: OrderManager, store: OrderStore, venue: ExecutionClient, lookback_ns: int, now: int
) -> int:
    mine = [o for o in oms.working.values() if oms.venue_of.get(o.client_order_id) == venue.name]
    candidates = [
        t
        for t in (store.last_fill_ts(venue.name), min((o.ts_created for o in mine), default=None))
        if t is not None
    ]
    return max(now - lookback_ns, min(candidates) - MARGIN_NS) if candidates else now - lookback_ns


async def _missed_fills(
    oms: OrderManager, venue: ExecutionClient, since: int, result: ReconcileResult
) -> int:
    """2. fills we missed, applied once each. Returns how many."""
    applied = 0
    for fill in await venue.fills_since(since):
        if oms.apply_fill(fill, venue.name):
            applied += 1
            log.warning(
                "reconciliation: applied fill %s (%s) that arrived while we were away",
                fill.trade_id,
                fill.client_order_id,
            )
    result.missed_fills += applied
    return applied


async def _reconcile_orders(
    oms: OrderManager, venue: ExecutionClient, since: int, result: ReconcileResult
) -> None:
    # the venue's record of every order we hold for it: what it lists as working (3), and a
    # targeted query for each one it did not list (4)
    listed_at = oms.ask()
    listed = {r.client_order_id: r for r in await venue.open_orders()}
    ours = [o for o in oms.working.values() if oms.venue_of.get(o.client_order_id) == venue.name]
    records: dict[str, OrderStatusReport | None] = {}
    asked: dict[str, Asked] = {}  # when each record was asked for
    for order in ours:
        coid = order.client_order_id
        if coid in listed:
            records[coid], asked[coid] = listed[coid], listed_at
        else:
            asked[coid] = oms.ask()
            records[coid] = await venue.query_order(coid, order.instrument)
    # their terms first: a modify whose news died with the last process may have changed the
    # quantity the missed fills count against
    for order in ours:
        report = records[order.client_order_id]
        if report is not None:
            oms.take_terms(order, report, asked[order.client_order_id])
    # 2. fills we missed
    await _missed_fills(oms, venue, since, result)
    # then each order's status, as the venue has it
    for order in ours:
        coid = order.client_order_id
        outcome = await oms.apply_report(order, records[coid], venue, asked[coid])
        if coid in listed:
            continue
        if outcome in ("closed_lost", "not_received") and not venue.keeps_state:
            result.closed_lost += 1
        elif outcome == "unknown_at_venue":
            result.problems.append(
                f"order {coid} was acknowledged but {venue.name} has no record of it"
            )
        elif outcome != NOT_YET:  # else it may still arrive: its own query settles it
            result.resolved += 1
    # 3. working orders we do not know: adopted (their fills are in the store by now)
    for coid, report in listed.items():
        if coid in records or coid in oms.working:  # ours, or adopted by an overlapping run
            continue
        known = oms.known_id(coid)
        if known is not None and known.is_terminal:
            # the listing may be older than the news that ended it: only a fresh record counts
            fresh = await venue.query_order(coid, report.instrument)
            if fresh is not None and fresh.status in WORKING:
                result.problems.append(
                    f"order {coid} is {known.status.value} here but working at {venue.name}"
                )
            continue
        oms.adopt(report, venue.name)
        result.adopted += 1
        log.warning(
            "reconciliation: adopted EXTERNAL order %s (%s %s %s)",
            coid,
            report.instrument,
            report.side.name,
            amount({i.id: i for i in venue.instruments()}, report.instrument, report.qty),
        )
