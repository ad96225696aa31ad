"""What the OMS state machine (``tests/unit/oms/test_oms_stateful.py``) checks beside its rules:
a watch on every order transition, the fills behind the positions, and, at quiescence, that the
OMS's records equal the venue double's."""

from __future__ import annotations

from tests.oms_engine import ACK_TIMEOUT_S, BTC, ETH, Engine, SteppedLoop
from tests.venue_double import LIVE, VenueDouble
from tradeterm.domain.orders import TRANSITIONS, Order, OrderStatus
from tradeterm.oms.reasons import NOT_SENT

S = OrderStatus


class TransitionWatch:
    """Records every order transition the state table does not allow (before the order raises
    on it), until ``undo``."""

    def __init__(self) -> None:
        self.illegal: list[str] = []
        self._transition = Order.transition
        original = self._transition
        illegal = self.illegal

        def watched(order: Order, new: OrderStatus, ts: int = 0) -> None:
            if new not in TRANSITIONS[order.status]:
                illegal.append(f"{order.client_order_id}: {order.status.value} -> {new.value}")
            original(order, new, ts)

        Order.transition = watched  # type: ignore[method-assign]

    def undo(self) -> None:
        Order.transition = self._transition  # type: ignore[method-assign]


def assert_positions_are_the_fills(engine: Engine, venue: VenueDouble, applied: int) -> None:
    """Positions equal the signed sum of the fills stored, each trade applied once (``applied``:
    fills applied by engines that crashed since), every one a trade at the venue."""
    rows = engine.store.fill_rows()
    keys = [(r.instrument, r.trade_id) for r in rows]
    assert len(keys) == len(set(keys))
    assert len(rows) == applied + engine.oms.fills_applied
    sums: dict[str, int] = {}
    for r in rows:
        sums[r.instrument] = sums.get(r.instrument, 0) + r.side * r.qty
    stored = {p.instrument: p.qty for p in engine.store.load_positions()}
    for inst in (BTC.id, ETH.id):
        assert stored.get(inst, 0) == sums.get(inst, 0)
        if not engine.disk.held:  # every fill on disk has been told
            assert engine.desk.portfolio.qty(inst) == sums.get(inst, 0)
    venue_trades = {(f.instrument, f.trade_id) for f in venue.fill_log}
    assert set(keys) <= venue_trades


def settle_all(steps: SteppedLoop, engine: Engine, venue: VenueDouble) -> None:
    """Every request arrives, every answer is delivered, the disk catches up and time passes
    the timeouts, until nothing is left on the way."""
    for _ in range(40):
        steps.drain(engine.disk.catch_up)
        while venue.requests:
            steps.drain(lambda: venue.arrive(0))
        while venue.outbox:
            steps.drain(lambda: venue.deliver(0))
        steps.advance(engine.clock, ACK_TIMEOUT_S + 0.3)
        if not (venue.requests or venue.outbox or engine.oms.inflight or engine.disk.held):
            break


def assert_oms_agrees_with_venue(engine: Engine, venue: VenueDouble, adopted_only: bool) -> None:
    """The OMS's records equal the venue's. ``adopted_only``: orders placed elsewhere count
    only once a reconciliation adopted them."""
    engine.store.flush()
    oms = engine.oms
    assert not oms.inflight, dict(oms.inflight)
    for order in oms.working.values():
        assert not order.awaiting and not order.uncertain, order
    known = {
        coid: theirs
        for coid, theirs in venue.orders.items()
        if not coid.startswith("web-")
        or engine.store.has_order(coid)
        or (not adopted_only and theirs.status in LIVE)
    }
    live = {coid for coid, o in known.items() if o.status in LIVE}
    assert set(oms.working) == live, (sorted(oms.working), sorted(live))
    for coid, theirs in known.items():
        ours = oms.get(coid) or engine.store.load_order(coid)
        assert ours is not None, coid
        assert (ours.status, ours.filled_qty) == (theirs.status, theirs.filled), (
            coid,
            ours,
            theirs,
        )
        if theirs.status in LIVE:
            assert (ours.qty, ours.price) == (theirs.qty, theirs.price), (ours, theirs)
    for ours, _venue in engine.store.load_orders():
        if ours.client_order_id not in venue.orders:  # never placed (or never sent)
            assert ours.filled_qty == 0 and (
                ours.status is S.REJECTED or (ours.status is S.CANCELED and ours.reason == NOT_SENT)
            ), ours
    for inst in (BTC.id, ETH.id):
        assert engine.desk.portfolio.qty(inst) == venue.account.get(inst, 0)
    stored = {(r.instrument, r.trade_id) for r in engine.store.fill_rows()}
    assert stored == {(f.instrument, f.trade_id) for f in venue.fill_log}
