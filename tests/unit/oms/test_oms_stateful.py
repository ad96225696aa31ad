"""The OMS against a venue that answers, delays, drops, duplicates and reorders (a Hypothesis
``RuleBasedStateMachine``; issue 11).

The engine is the real desk (risk, OMS, store, portfolio, kill switch, reconciliation) on a
simulated clock; the venue is ``tests/venue_double.py``, a real in-memory exchange whose
network the rules drive: requests arrive in any order or are lost (a 503 before processing),
answers are delivered in any order (a fill after the cancel, a reject while cancelling),
duplicated, or dropped by a disconnect; queries fail for a while; the engine restarts from its
store without flushing anything (a crash); the kill switch trips.

Invariants after every step: no order in an illegal state and no venue answer refused as an
illegal transition; every order that awaits an answer is watched by the outcome resolver;
positions equal the signed sum of the fills applied, each trade applied once; nothing goes out
while HALTED; the kill switch trips only when a rule trips it (or queries went unanswered). At
quiescence (every request arrived, every answer delivered, the clock past the outcome timeout):
no order left uncertain or pending, and the OMS's record of every order, the positions and the
fills equal the venue's (the checks in ``tests/oms_checks.py``). ``OMS_PROFILE=oms-dev`` runs
30 examples without shrinking.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.oms_checks import (
    TransitionWatch,
    assert_oms_agrees_with_venue,
    assert_positions_are_the_fills,
    settle_all,
)
from tests.oms_engine import (
    ACK_TIMEOUT_S,
    BTC,
    ETH,
    MIDS,
    T0,
    WINDOW_NS,
    Engine,
    Errors,
    SteppedLoop,
)
from tests.venue_double import VenueDouble
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.domain.commands import CancelAll, CancelOrder, ModifyOrder, SubmitOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import IllegalTransition, Order, OrderStatus
from tradeterm.trading.results import Rearmed

S = OrderStatus

settings.register_profile(
    "oms",
    max_examples=200,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "oms-dev",
    parent=settings.get_profile("oms"),
    max_examples=30,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
)
settings.register_profile(
    "oms-slow", parent=settings.get_profile("oms"), max_examples=2_000, stateful_step_count=60
)


class OmsAgainstVenue(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.steps = SteppedLoop()
        self.dir = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        self.url = f"sqlite:///{self.dir}/oms.db"
        self.errors = Errors()
        logging.getLogger("tradeterm").addHandler(self.errors)
        self.watch = TransitionWatch()
        self.venue: VenueDouble | None = None
        self.engine: Engine | None = None
        self.applied = 0  # fills applied by engines that crashed since
        self.kills = 0
        self.query_failures = 0

    @initialize(native=st.booleans())
    def start(self, native: bool) -> None:
        self.venue = VenueDouble(
            MessageBus(),
            SimClock(T0),
            [BTC, ETH],
            native_modify=native,
            request_window_ns=WINDOW_NS,
        )
        self._boot(T0)

    def teardown(self) -> None:
        try:
            if self.engine is not None:
                self.quiesce()
        finally:
            self.watch.undo()
            logging.getLogger("tradeterm").removeHandler(self.errors)
            if self.engine is not None:
                self.engine.crash()
            self.steps.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------------
    def _boot(self, start_ns: int) -> None:
        assert self.venue is not None
        self.venue.outbox.clear()  # answers on the way to a dead process are lost with it
        self.engine = Engine(self.url, self.venue, start_ns)
        start = self.steps.loop.create_task(self.engine.desk.start())
        self._drain()
        while not start.done():  # its reconciliation retries on this clock: move it
            self._advance(0.1)
        start.result()
        self._drain()
        if self.engine.desk.killswitch.state is TradingState.HALTED:  # kept from before
            self.engine.submits_at_trip = self.venue.submits

    def _drain(self, action=None) -> None:  # noqa: ANN001
        self.steps.drain(action)

    def _advance(self, seconds: float) -> None:
        self.steps.advance(self.engine.clock, seconds)

    def _working(self) -> list[Order]:
        return sorted(self.engine.oms.working.values(), key=lambda o: o.client_order_id)

    def _pick(self, items: list, index: int):  # noqa: ANN001, ANN202
        return items[index % len(items)]

    # --- the trader ----------------------------------------------------------------------------
    @rule(eth=st.booleans(), buy=st.booleans(), qty=st.integers(1, 300), offset=st.integers(1, 40))
    def submit(self, eth: bool, buy: bool, qty: int, offset: int) -> None:
        inst = ETH if eth else BTC
        side = Side.BUY if buy else Side.SELL
        price = MIDS[inst.id] - offset if buy else MIDS[inst.id] + offset
        desk = self.engine.desk
        self._drain(
            lambda: desk.execute(
                SubmitOrder(
                    self.engine.clock.timestamp_ns(),
                    desk.ids.next(),
                    inst.id,
                    side,
                    qty,
                    price=price,
                )
            )
        )

    @precondition(lambda self: self.engine.oms.working)
    @rule(index=st.integers(0, 50))
    def cancel(self, index: int) -> None:
        order = self._pick(self._working(), index)
        self._drain(
            lambda: self.engine.desk.execute(
                CancelOrder(
                    self.engine.clock.timestamp_ns(), order.client_order_id, order.instrument
                )
            )
        )

    @precondition(lambda self: self.engine.oms.working)
    @rule(
        index=st.integers(0, 50),
        ticks=st.integers(-5, 5),
        qty=st.one_of(st.none(), st.integers(1, 400)),
    )
    def modify(self, index: int, ticks: int, qty: int | None) -> None:
        order = self._pick(self._working(), index)
        mid = MIDS[order.instrument]
        price = (order.price or mid) + ticks
        price = min(price, mid - 1) if order.side is Side.BUY else max(price, mid + 1)
        self._drain(
            lambda: self.engine.desk.execute(
                ModifyOrder(
                    self.engine.clock.timestamp_ns(),
                    order.client_order_id,
                    order.instrument,
                    price,
                    qty,
                )
            )
        )

    @rule()
    def cancel_all(self) -> None:
        self._drain(lambda: self.engine.desk.execute(CancelAll(self.engine.clock.timestamp_ns())))

    @rule()
    def kill(self) -> None:
        self.kills += 1
        self._drain(lambda: self.engine.desk.kill.trip("kill switch (test)", "command"))

    @precondition(lambda self: self.engine.desk.killswitch.state is not TradingState.ACTIVE)
    @rule()
    def rearm(self) -> None:
        refused = []
        self._drain(lambda: refused.append(self.engine.desk.kill.rearm("test re-arm")))
        assert refused == [Rearmed(TradingState.ACTIVE)]

    @rule()
    def restart(self) -> None:
        """The process dies (nothing flushed) and a new one starts from the store."""
        old = self.engine
        self.applied += old.oms.fills_applied
        now = old.clock.timestamp_ns()
        old.crash()
        # its tasks die with it now, not whenever the garbage collector finds them (that made
        # the machine's runs depend on what ran before in the process)
        self.steps.cancel_tasks()
        self._drain()
        self.venue.release_queries()  # answers to the dead process go nowhere
        self._boot(now + NS // 10)

    @rule(seconds=st.sampled_from([0.1, 0.3, ACK_TIMEOUT_S + 0.1, 2.0]))
    def advance(self, seconds: float) -> None:
        self._advance(seconds)

    # --- the disk ------------------------------------------------------------------------------
    @precondition(lambda self: self.engine.disk.held)
    @rule(share=st.sampled_from([0.5, 1.0]))
    def disk_catches_up(self, share: float) -> None:
        """The store's fsync returns (for half of what is waiting, or all of it)."""
        self._drain(lambda: self.engine.disk.catch_up(share))

    # --- the network and the venue -------------------------------------------------------------
    @precondition(lambda self: self.venue.requests)
    @rule(index=st.integers(0, 50), reject=st.booleans())
    def arrive(self, index: int, reject: bool) -> None:
        self._drain(lambda: self.venue.arrive(index % len(self.venue.requests), reject))

    @precondition(lambda self: self.venue.requests)
    @rule(index=st.integers(0, 50))
    def lose_request(self, index: int) -> None:
        self.venue.lose(index % len(self.venue.requests))

    @precondition(lambda self: self.venue.outbox)
    @rule(index=st.integers(0, 50))
    def deliver(self, index: int) -> None:
        self._drain(lambda: self.venue.deliver(self._pick(self.venue.deliverable(), index)))

    @precondition(lambda self: self.venue.outbox)
    @rule(index=st.integers(0, 50))
    def duplicate(self, index: int) -> None:
        self._drain(lambda: self.venue.duplicate(index % len(self.venue.outbox)))

    @precondition(lambda self: self.venue.live())
    @rule(index=st.integers(0, 50), lots=st.integers(1, 300))
    def trade(self, index: int, lots: int) -> None:
        self.venue.trade(self._pick(self.venue.live(), index), lots)

    @precondition(lambda self: self.venue.live())
    @rule(index=st.integers(0, 50))
    def expire(self, index: int) -> None:
        self.venue.expire(self._pick(self.venue.live(), index))

    @rule(drops=st.lists(st.booleans(), max_size=8))
    def disconnect(self, drops: list[bool]) -> None:
        """The stream drops (losing some answers) and reconnects: the desk reconciles."""
        keep = [e for i, e in enumerate(self.venue.outbox) if not (i < len(drops) and drops[i])]
        self.venue.outbox[:] = keep
        self._drain(self.engine.outage)

    @rule()
    def hold_queries(self) -> None:
        """Answers to queries come back late: the engine moves on meanwhile."""
        self.venue.holding_queries = True

    @rule()
    def release_queries(self) -> None:
        self._drain(self.venue.release_queries)

    @rule(eth=st.booleans(), buy=st.booleans(), qty=st.integers(1, 300), offset=st.integers(41, 60))
    def place_elsewhere(self, eth: bool, buy: bool, qty: int, offset: int) -> None:
        """Someone places an order on the account outside this engine (adopted when the
        engine next reconciles)."""
        inst = ETH if eth else BTC
        mid = MIDS[inst.id]
        self.venue.place_elsewhere(
            inst.id, Side.BUY if buy else Side.SELL, qty, mid - offset if buy else mid + offset
        )

    @rule(count=st.integers(1, 5))
    def fail_queries(self, count: int) -> None:
        self.query_failures += count
        self.venue.failing_queries = count

    # --- always --------------------------------------------------------------------------------
    @invariant()
    def no_illegal_transition_and_no_refused_answer(self) -> None:
        assert not self.watch.illegal, self.watch.illegal
        assert not self.errors.lines, self.errors.lines

    @invariant()
    def every_awaiting_order_is_watched(self) -> None:
        oms = self.engine.oms
        for coid, order in oms.working.items():
            assert not order.is_terminal, coid
            assert 0 <= order.filled_qty <= order.qty, order
            if order.awaiting and coid not in oms.entry.unsent:  # its answer is due
                assert coid in oms.inflight, f"{coid} {order.status.value} is not watched"

    @invariant()
    def nothing_reaches_the_venue_before_its_record_is_on_disk(self) -> None:
        assert not self.engine.early, self.engine.early

    @invariant()
    def positions_are_the_sum_of_fills_each_applied_once(self) -> None:
        assert_positions_are_the_fills(self.engine, self.venue, self.applied)

    @invariant()
    def nothing_goes_out_while_halted(self) -> None:
        engine = self.engine
        if (
            engine.desk.killswitch.state is TradingState.HALTED
            and engine.submits_at_trip is not None
        ):
            assert self.venue.submits == engine.submits_at_trip  # not even a replacement

    @invariant()
    def the_kill_switch_trips_only_for_a_reason(self) -> None:
        for trip in self.engine.trips:
            if trip.source == "command":
                continue
            # the venue really did not answer (past the outcome's queries or the retry time)
            unanswered = (trip.source == "oms" and "unknown after" in trip.reason) or (
                trip.source == "reconciliation" and "did not answer" in trip.reason
            )
            assert unanswered and self.query_failures, f"{trip.source}: {trip.reason}"

    # --- at quiescence -------------------------------------------------------------------------
    @rule()
    def quiesce(self) -> None:
        """Every request arrives, every answer is delivered, time passes the timeouts: the OMS
        and the venue must then agree on everything."""
        venue, engine = self.venue, self.engine
        venue.failing_queries = 0
        self._drain(venue.release_queries)
        settle_all(self.steps, engine, venue)
        if engine.desk.reconciliations and not engine.desk.reconciliations[-1].clean:
            # the venue did not answer the last one past its retry time: run it again
            self.disconnect([])
            settle_all(self.steps, engine, venue)
        assert_oms_agrees_with_venue(engine, venue, adopted_only=True)
        self.disconnect([])  # a reconciliation adopts what was placed elsewhere meanwhile
        settle_all(self.steps, engine, venue)
        assert_oms_agrees_with_venue(engine, venue, adopted_only=False)


OmsAgainstVenue.TestCase.settings = settings.get_profile(os.environ.get("OMS_PROFILE", "oms"))
TestOmsAgainstVenue = OmsAgainstVenue.TestCase


@pytest.mark.slow
def test_oms_against_the_venue_at_length() -> None:
    run_state_machine_as_test(OmsAgainstVenue, settings=settings.get_profile("oms-slow"))


def test_illegal_transitions_are_seen_by_the_watch() -> None:
    """The transition watch is not vacuous: an illegal move is recorded before it raises."""
    machine = OmsAgainstVenue()  # no engine: teardown only undoes the watch
    try:
        with pytest.raises(IllegalTransition):
            Order("x", BTC.id, Side.BUY, 1, status=S.FILLED).transition(S.ACCEPTED)
        assert machine.watch.illegal == ["x: FILLED -> ACCEPTED"]
    finally:
        machine.teardown()
