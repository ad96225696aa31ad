"""Reconciliation: make the OMS's records agree with the venue's, or say why they cannot.

Runs at every start (before any order goes out) and after a venue reconnects:

1. **Integrity.** Every stored position equals the signed sum of its stored fills.
2. **Missed fills.** The venue's fills since shortly before the last one we recorded (or the
   oldest order still open) are applied; the trade id makes each count exactly once.
3. **Venue open orders.** One we track is brought up to date; one we do not know is adopted
   and flagged EXTERNAL (it trades on this account, so risk must count it).
4. **Local working orders the venue did not list** are resolved one by one with a targeted
   ``query_order``: filled, canceled, rejected... as the venue says. An order the venue has no
   record of is closed: "NOT_RECEIVED" if it was never acknowledged; "VENUE_LOST" if an
   in-process venue (``keeps_state = False``) restarted; on a real venue an acknowledged order
   it no longer knows is a problem. An order with a request still in flight (``oms.inflight``:
   a submit, cancel or modify not answered yet, or already being looked up) is left to the
   OMS's outcome resolution: the venue may simply not have processed it yet (a submit sent
   while the reconciliation ran was closed as never received, then filled).
5. **Positions** the venue reports (if it has a position view) must equal ours.

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
from tradeterm.oms.store import Store

if TYPE_CHECKING:
    from tradeterm.venues.base import Venue

log = logging.getLogger(__name__)

MARGIN_NS = 60 * 1_000_000_000  # ask for fills from a minute before the last one we have


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
        parts = [f"{self.missed_fills} missed fill(s) applied" if self.missed_fills else "",
                 f"{self.adopted} external order(s) adopted" if self.adopted else "",
                 f"{self.resolved} order(s) resolved by query" if self.resolved else "",
                 f"{self.closed_lost} order(s) lost by the venue closed" if self.closed_lost
                 else ""]
        done = ", ".join(p for p in parts if p) or "nothing to repair"
        if self.attempts > 1:
            done += f", {self.attempts} attempts"
        if self.clean:
            return f"{self.venue}: reconciliation clean ({done})"
        return f"{self.venue}: reconciliation FAILED: {'; '.join(self.reasons())} ({done})"

    def reasons(self) -> list[str]:
        return self.problems + ([f"venue {self.venue} did not answer ({self.unreachable})"]
                                if self.unreachable else [])


async def reconcile(oms: OrderManager, store: Store, venue: Venue,
                    local_positions: Callable[[], dict[str, int]], lookback_ns: int,
                    now: int) -> ReconcileResult:
    result = ReconcileResult(venue.name)
    mine = {iid: q for iid, q in local_positions().items() if iid.startswith(venue.name + ":")}
    result.problems.extend(check_integrity_for(store, mine, venue.name,
                                               {i.id: i for i in venue.instruments()}))
    try:
        await _reconcile_orders(oms, store, venue, lookback_ns, now, result)
        reported = await venue.positions()
    except Exception as exc:  # the venue could not be asked: nothing can be trusted yet
        result.unreachable = f"{type(exc).__name__}: {exc}"
        return result
    if reported is not None:
        theirs = {p.instrument: p.qty for p in reported if p.qty}
        ours = {iid: q for iid, q in local_positions().items()
                if q and iid.startswith(venue.name + ":")}
        units = {i.id: i for i in venue.instruments()}
        for iid in sorted(set(theirs) | set(ours)):
            if theirs.get(iid, 0) != ours.get(iid, 0):
                result.problems.append(
                    f"{iid}: our position is {amount(units, iid, ours.get(iid, 0))}, the "
                    f"venue's is {amount(units, iid, theirs.get(iid, 0))}")
    return result


def check_integrity_for(store: Store, positions: dict[str, int], venue: str,
                        units: Mapping[str, Instrument] | None = None) -> list[str]:
    sums = {iid: q for iid, q in store.fill_sums().items() if iid.startswith(venue + ":")}
    problems = []
    units = units or {}
    for iid in sorted(set(sums) | set(positions)):
        if sums.get(iid, 0) != positions.get(iid, 0):
            problems.append(f"{iid}: position {amount(units, iid, positions.get(iid, 0))} but "
                            f"its fills sum to {amount(units, iid, sums.get(iid, 0))}")
    return problems


async def _reconcile_orders(oms: OrderManager, store: Store, venue: Venue, lookback_ns: int,
                            now: int, result: ReconcileResult) -> None:
    # 2. fills we missed
    mine = [o for o in oms.working.values() if oms.venue_of.get(o.client_order_id) == venue.name]
    candidates = [t for t in (store.last_fill_ts(venue.name),
                              min((o.ts_created for o in mine), default=None)) if t is not None]
    since = max(now - lookback_ns, min(candidates) - MARGIN_NS) if candidates else now - lookback_ns
    for fill in await venue.fills_since(since):
        if oms.apply_fill(fill, venue.name):
            result.missed_fills += 1
            log.warning("reconciliation: applied fill %s (%s) that arrived while we were away",
                        fill.trade_id, fill.client_order_id)
    # 3. what the venue has working
    reports = await venue.open_orders()
    listed = set()
    for report in reports:
        listed.add(report.client_order_id)
        order = oms.working.get(report.client_order_id)
        if order is not None:
            await oms.apply_report(order, report, venue)
            continue
        known = oms.known_id(report.client_order_id)
        if known is not None and known.is_terminal:
            result.problems.append(f"order {report.client_order_id} is {known.status.value} here "
                                   f"but working at {venue.name}")
            continue
        oms.adopt(report, venue.name)
        result.adopted += 1
        log.warning("reconciliation: adopted EXTERNAL order %s (%s %s %s)",
                    report.client_order_id, report.instrument, report.side.name,
                    amount({i.id: i for i in venue.instruments()}, report.instrument, report.qty))
    # 4. what we think is working but the venue did not list
    for order in [o for o in oms.working.values()
                  if oms.venue_of.get(o.client_order_id) == venue.name
                  and o.client_order_id not in listed and o.client_order_id not in oms.inflight]:
        report = await venue.query_order(order.client_order_id, order.instrument)
        outcome = await oms.apply_report(order, report, venue)
        if outcome in ("closed_lost", "not_received") and not venue.keeps_state:
            result.closed_lost += 1
        elif outcome == "unknown_at_venue":
            result.problems.append(f"order {order.client_order_id} was acknowledged but "
                                   f"{venue.name} has no record of it")
        else:
            result.resolved += 1
