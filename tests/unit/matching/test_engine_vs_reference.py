"""The matching engine against the reference exchange (tests/unit/matching/reference.py).

A Hypothesis state machine sends the same requests to both: orders of every type (limit,
market, stop-market, stop-limit; GTC, IOC, FOK, GTD; post-only, iceberg, reduce-only, per-order
self-trade modes), cancels, cancel-alls, modifies that change price, size and trigger, and
expiries; from several owners, under every self-trade mode, price-time or pro-rata. After every
step: the same events (accepts, rejects with their reason, fills with trade ids and leaves,
cancels, triggers, modifies), the same resting book in queue order, the same waiting stops, the
same positions and last price.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.unit.matching.recorder import Recorder
from tests.unit.matching.reference import ReferenceExchange
from tradeterm.matching import MatchingEngine, MatchingRules
from tradeterm.matching.orders import (
    FOK,
    GTC,
    GTD,
    IOC,
    LIMIT,
    MARKET,
    STOP_LIMIT,
    STOP_MARKET,
    STP_CANCEL_AGGRESSING,
    STP_CANCEL_BOTH,
    STP_CANCEL_RESTING,
    STP_NONE,
)

OWNERS = (1, 2)  # two owners: self-trade prevention comes up often
owners = st.sampled_from(OWNERS)
sides = st.sampled_from([1, -1])
prices = st.integers(97, 103)
qtys = st.integers(1, 8)
sometimes = st.sampled_from([False, False, False, True])
stp_modes = st.sampled_from([STP_NONE, STP_CANCEL_RESTING, STP_CANCEL_AGGRESSING, STP_CANCEL_BOTH])
rules = st.builds(
    MatchingRules,
    stp=stp_modes,
    post_only_slide=st.booleans(),
    pro_rata=st.sampled_from([False, False, True]),
    min_notional=st.sampled_from([0, 0, 0, 250]),
)
# a two-sided book to start from: (owner, side, price offset from the touch, qty, display)
seed_orders = st.lists(
    st.tuples(owners, sides, st.integers(0, 2), st.integers(1, 6), st.sampled_from([0, 0, 2])),
    min_size=2,
    max_size=10,
)

LIMIT_ARGS = dict(
    owner=owners,
    side=sides,
    price=prices,
    qty=qtys,
    tif=st.sampled_from([GTC, GTC, GTC, IOC, FOK, GTD]),
    post_only=sometimes,
    display=st.sampled_from([0, 0, 0, 0, 0, 1, 2, 3]),
    reduce_only=sometimes,
    stp=st.sampled_from(
        [-1, -1, STP_NONE, STP_CANCEL_RESTING, STP_CANCEL_AGGRESSING, STP_CANCEL_BOTH]
    ),
    fast=st.booleans(),
)
STOP_ARGS = dict(
    owner=owners,
    side=sides,
    trigger=prices,
    limit=st.one_of(st.none(), prices),
    qty=qtys,
    tif=st.sampled_from([GTC, GTC, IOC, FOK, GTD]),
    reduce_only=st.booleans(),
    display=st.sampled_from([0, 0, 2]),
)
MOVE_STOP_ARGS = dict(k=st.integers(0, 50), trigger=prices)
PRINT_AT_ARGS = dict(price=prices, qty=st.integers(1, 3))


class EngineVersusReference(RuleBasedStateMachine):
    @initialize(rules=rules, seeded=seed_orders, last=st.booleans())
    def open_market(self, rules, seeded, last):
        self.rec = Recorder()
        self.engine = MatchingEngine(self.rec, rules)
        self.ref = ReferenceExchange(rules, tracked=OWNERS)
        for owner in OWNERS:
            self.engine.track_position(owner)
        self.next_id = 1
        self.now = 0
        for owner, side, offset, qty, display in seeded:
            price = 99 - offset if side > 0 else 101 + offset
            self._both(
                "submit",
                self._new_id(),
                owner,
                side,
                qty,
                LIMIT,
                price,
                display=display if display < qty else 0,
            )
        if last:  # a print at 100: stops then have a last price to be judged against
            self._both("submit", self._new_id(), 1, 1, 1, LIMIT, 100)
            self._both("submit", self._new_id(), 2, -1, 1, LIMIT, 100)

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _both(self, name, *args, **kw):
        getattr(self.engine, name)(*args, **kw)
        getattr(self.ref, name)(*args, **kw)

    def _pick(self, k: int) -> int:
        """A working order (resting or stop) if there is one, else an id that is not;
        ``k`` >= 1000 names the newest resting order."""
        if k >= 1000:
            return k % 1000
        working = sorted([*self.engine.orders, *self.engine.stops])
        return working[k % len(working)] if working else self.next_id + 1

    @rule(**LIMIT_ARGS)
    def limit(self, owner, side, price, qty, tif, post_only, display, reduce_only, stp, fast):
        oid = self._new_id()
        expire = self.now + 3 if tif == GTD else None
        plain = tif == GTC and not post_only and not display and not reduce_only and stp < 0
        if plain and fast:
            self.engine.submit_limit(oid, owner, side, price, qty)
            self.ref.submit(oid, owner, side, qty, LIMIT, price, GTC)
            return
        self._both(
            "submit",
            oid,
            owner,
            side,
            qty,
            LIMIT,
            price,
            tif,
            post_only=post_only,
            display=display,
            reduce_only=reduce_only,
            expire_ns=expire,
            stp=stp,
        )

    @rule(
        owner=owners,
        side=sides,
        qty=qtys,
        tif=st.sampled_from([IOC, FOK]),
        reduce_only=st.booleans(),
    )
    def market(self, owner, side, qty, tif, reduce_only):
        self._both(
            "submit", self._new_id(), owner, side, qty, MARKET, None, tif, reduce_only=reduce_only
        )

    @rule(**STOP_ARGS)
    def stop(self, owner, side, trigger, limit, qty, tif, reduce_only, display):
        kind = STOP_MARKET if limit is None else STOP_LIMIT
        expire = self.now + 3 if tif == GTD else None
        self._both(
            "submit",
            self._new_id(),
            owner,
            side,
            qty,
            kind,
            limit,
            tif,
            trigger=trigger,
            reduce_only=reduce_only,
            expire_ns=expire,
            display=display if limit is not None and tif in (GTC, GTD) else 0,
        )

    @rule(
        owner=owners,
        side=sides,
        qty=st.integers(-1, 12),
        price=st.one_of(st.none(), prices),
        display=st.integers(-1, 14),
        kind=st.sampled_from([LIMIT, MARKET, STOP_LIMIT]),
        tif=st.sampled_from([GTC, IOC, GTD]),
        post_only=st.booleans(),
        reuse=st.booleans(),
    )
    def maybe_invalid(self, owner, side, qty, price, display, kind, tif, post_only, reuse):
        """Requests that may break a rule: every reject reason must match."""
        oid = self.next_id if reuse else self._new_id()
        self._both(
            "submit",
            oid,
            owner,
            side,
            qty,
            kind,
            price,
            tif,
            post_only=post_only,
            display=display,
            trigger=price,
        )

    @rule(k=st.integers(0, 50))
    def cancel(self, k):
        oid = self._pick(k)
        assert self.engine.cancel(oid) == self.ref.cancel(oid)

    @rule(owner=st.one_of(st.none(), owners), side=st.one_of(st.none(), sides))
    def cancel_all(self, owner, side):
        assert self.engine.cancel_all(owner, side) == self.ref.cancel_all(owner, side)

    @rule(
        k=st.integers(0, 50),
        where=st.sampled_from(["same", "price", "touch", "join"]),
        price=prices,
        qty=st.one_of(st.none(), st.integers(0, 10)),
        trigger=st.one_of(st.none(), prices),
    )
    def modify(self, k, where, price, qty, trigger):
        """Change price (to a given price, to the opposite touch: it trades at once, or to
        its own side's best), size and/or trigger."""
        oid = self._pick(k)
        order = self.ref.working(oid)
        if where == "same" or order is None:
            price = None
        elif where != "price":
            side = -order.side if where == "touch" else order.side
            price = self.ref.best(side)
        assert self.engine.modify(oid, price=price, qty=qty, trigger=trigger) == self.ref.modify(
            oid, price=price, qty=qty, trigger=trigger
        )

    @rule(where=st.sampled_from(["touch", "touch", "join"]), qty=st.one_of(st.none(), qtys))
    def reprice_newest(self, where, qty):
        """The newest resting order to the opposite touch (it trades at once: self-trade
        prevention and its mode matter) or to its side's best."""
        if self.engine.orders:
            self.modify(
                len(self.engine.orders) * 1000 + max(self.engine.orders), where, 0, qty, None
            )

    @rule(**MOVE_STOP_ARGS)
    def move_stop(self, k, trigger):
        """A stop's trigger moved (issue 11.2), then trades through the old and new levels."""
        stops = sorted(self.engine.stops)
        if stops:
            oid = stops[k % len(stops)]
            assert self.engine.modify(oid, trigger=trigger) == self.ref.modify(oid, trigger=trigger)

    @rule(owner=owners, rungs=st.integers(1, 3), plain_first=st.booleans())
    def reduce_only_ladder(self, owner, rungs, plain_first):
        """The owner closes its position with reduce-only orders each as large as the whole
        position, at the touch and behind it (and maybe a plain order in front): together
        they exceed it, so a sweep through them must stop at flat."""
        pos = self.ref.positions[owner]
        if not pos:
            return
        side = -1 if pos > 0 else 1
        touch = self.ref.best(side) or (101 if side < 0 else 99)
        if plain_first:
            self._both("submit", self._new_id(), owner, side, 1, LIMIT, touch)
        for rung in range(rungs):
            self._both(
                "submit",
                self._new_id(),
                owner,
                side,
                abs(pos),
                LIMIT,
                touch - side * rung,
                reduce_only=True,
            )

    @rule(**PRINT_AT_ARGS)
    def print_at(self, price, qty):
        """Two outside owners trade around ``price``: the last price moves, stops trigger."""
        self._both("submit", self._new_id(), 4, -1, qty, LIMIT, price, IOC)
        self._both("submit", self._new_id(), 5, -1, qty, LIMIT, price)
        self._both("submit", self._new_id(), 4, 1, qty, LIMIT, price, IOC)

    @rule(side=sides, price=prices, qty=st.integers(3, 15))
    def sweep(self, side, price, qty):
        """An outside owner takes everything up to ``price`` (IOC)."""
        self._both("submit", self._new_id(), 4, side, qty, LIMIT, price, IOC)

    @rule(step=st.integers(1, 3))
    def time_passes(self, step):
        self.now += step
        assert self.engine.expire_due(self.now) == self.ref.expire_due(self.now)

    # Hypothesis picks rules uniformly: what most needs exploring is registered twice
    @rule(**LIMIT_ARGS)
    def limit_again(self, **kw):
        self.limit(**kw)

    @rule(**STOP_ARGS)
    def stop_again(self, **kw):
        self.stop(**kw)

    @rule(**MOVE_STOP_ARGS)
    def move_stop_again(self, **kw):
        self.move_stop(**kw)

    @rule(**PRINT_AT_ARGS)
    def print_at_again(self, **kw):
        self.print_at(**kw)

    @invariant()
    def same_everything(self):
        if not hasattr(self, "engine"):
            return
        assert self.rec.events == self.ref.events
        eng = self.engine
        book = tuple(
            tuple(
                (p, [(o.order_id, o.owner, o.visible, o.leaves) for o in eng.queue(side, p)])
                for p in sorted(eng.level_size[ix], reverse=side > 0)
            )
            for ix, side in ((0, 1), (1, -1))
        )
        assert book == self.ref.book()
        for ix, side in ((0, 1), (1, -1)):
            for p, size in eng.level_size[ix].items():
                assert size == sum(o.visible for o in eng.queue(side, p))
        stops = {
            o.order_id: (
                o.side,
                o.price,
                o.ext.limit if o.ext.kind == STOP_LIMIT else None,
                o.qty,
                o.leaves,
            )
            for o in eng.stops.values()
        }
        assert stops == self.ref.waiting_stops()
        assert eng.positions == self.ref.positions
        assert eng.last_price == self.ref.last_price


EngineVersusReference.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_engine_matches_the_reference = EngineVersusReference.TestCase


class EngineVersusReferenceSoak(EngineVersusReference):
    pass


EngineVersusReferenceSoak.TestCase.settings = settings(
    max_examples=3000,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_engine_matches_the_reference_soak = pytest.mark.slow(EngineVersusReferenceSoak.TestCase)
