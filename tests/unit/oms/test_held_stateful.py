"""A Hypothesis state machine over held orders on the trading harness: random trades, venue
fills of the legs at the venue, cancels, kill switch trips and re-arms, and restarts from the
store. Invariants after every step:

* an OCO's legs together never trade more than its quantity;
* a bracket's exits never trade (or are sized) beyond what its entry filled;
* nothing is sent while HALTED;
* a restart restores every open held order exactly (same fields), once.
"""

from __future__ import annotations

import asyncio

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.held_harness import MID, bracket, oco, stop, trail
from tests.trading_harness import BTC, Harness
from tradeterm.domain.commands import CancelOrder, RearmTrading, TripKillSwitch
from tradeterm.domain.held import HeldKind, HeldLeg, HeldState
from tradeterm.domain.market import Side

S = HeldState


class HeldMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        self.url = f"sqlite:///{self.dir.name}/db.sqlite"
        self.loop = asyncio.new_event_loop()
        self.h = self._start()
        self.price = MID
        self.sent_while_halted = 0
        self.all: dict[str, tuple[str, int]] = {}  # group id -> (kind, qty)

    def _start(self) -> Harness:
        h = Harness(store_url=self.url)
        h.venue.ioc_fill = 1.0
        self.loop.run_until_complete(h.start())
        h.trade(BTC, getattr(self, "price", MID))
        return h

    def teardown(self) -> None:
        self.h.store.close()
        self.loop.close()
        self.dir.cleanup()

    def _in_loop(self, act) -> None:
        """The OMS starts tasks (queries of uncertain orders): act on a running loop."""

        async def go() -> None:
            act()

        self.loop.run_until_complete(go())

    def _place(self, cmd) -> None:
        self._in_loop(lambda: self.h.desk.execute(cmd))

    @property
    def halted(self) -> bool:
        return self.h.desk.killswitch.halted

    @rule(side=st.sampled_from(Side), off=st.integers(1, 30), limit=st.booleans())
    def place_stop(self, side, off, limit):
        trigger = self.price + off if side is Side.BUY else self.price - off
        self._place(stop(self.h, side, 100, trigger, trigger if limit else None))

    @rule(side=st.sampled_from(Side), n=st.integers(1, 20))
    def place_trail(self, side, n):
        self._place(trail(self.h, side, 100, n))

    @rule(qty=st.integers(1, 5).map(lambda n: n * 100), off=st.integers(5, 30))
    def place_oco(self, qty, off):
        cmd = oco(
            self.h,
            HeldLeg(Side.SELL, qty, HeldKind.LIMIT, self.price + off),
            HeldLeg(Side.SELL, qty, HeldKind.STOP, None, self.price - off),
        )
        self._place(cmd)
        self.all[cmd.held_id] = ("oco", qty)

    @rule(qty=st.integers(1, 5).map(lambda n: n * 100), off=st.integers(2, 30))
    def place_bracket(self, qty, off):
        cmd = bracket(self.h, Side.BUY, qty, self.price - 1, self.price + off, self.price - off)
        self._place(cmd)
        self.all[cmd.held_id] = ("bracket", qty)

    @rule(move=st.integers(-25, 25))
    def trade(self, move):
        self.price = max(1, self.price + move)
        before = len(self.h.venue.sent)
        self._in_loop(lambda: self.h.trade(BTC, self.price))
        if self.halted:
            self.sent_while_halted += len(self.h.venue.sent) - before

    @rule(data=st.data())
    def venue_fill(self, data):
        live = [
            c
            for c, r in self.h.venue.orders.items()
            if r.status.value in ("ACCEPTED", "PARTIALLY_FILLED")
        ]
        if not live:
            return
        coid = data.draw(st.sampled_from(sorted(live)))
        r = self.h.venue.orders[coid]
        lots = data.draw(st.integers(1, r.qty - r.filled_qty))
        self._in_loop(lambda: self.h.venue.fill(coid, lots))

    @rule(data=st.data())
    def cancel(self, data):
        ids = sorted(self.h.views.held.orders) + sorted(self.h.desk.oms.working)
        if ids:
            coid = data.draw(st.sampled_from(ids))
            cmd = CancelOrder(self.h.clock.timestamp_ns(), coid, BTC.id)
            self._in_loop(lambda: self.h.desk.execute(cmd))

    @rule()
    def trip(self):
        cmd = TripKillSwitch(self.h.clock.timestamp_ns(), "test", source="key")
        self._in_loop(lambda: self.h.desk.execute(cmd))
        assert not [h for h in self.h.views.held.orders.values() if h.state is S.HELD]

    @precondition(lambda self: self.halted)
    @rule()
    def rearm(self):
        cmd = RearmTrading(self.h.clock.timestamp_ns(), "test")
        self._in_loop(lambda: self.h.desk.execute(cmd))

    @rule()
    def restart(self):
        held = self.h.views.held.orders
        # a group with an order at the venue may end at the restart (the session cancels its
        # orders on exit): the others come back exactly
        busy = {h.group_id for h in held.values() if h.state is not S.HELD}
        before = {k: _fields(v) for k, v in held.items() if v.group_id not in busy}
        self._in_loop(self.h.desk.stop)
        self.h.store.close()
        old = self.h.venue
        self.h = Harness(store_url=self.url)
        self.h.venue.ioc_fill = 1.0
        self.h.venue.orders, self.h.venue.account = old.orders, old.account
        self.h.venue.fill_log = old.fill_log
        self.loop.run_until_complete(self.h.start())
        after = {k: _fields(v) for k, v in self.h.views.held.orders.items()}
        assert {k: v for k, v in after.items() if k in before} == before

    @invariant()
    def legs_never_trade_beyond_their_group(self):
        store = self.h.store
        for gid, (kind, qty) in self.all.items():
            rows = store.conn.execute(
                "SELECT held_id, role, qty, filled FROM held_orders WHERE parent_id = ?", (gid,)
            ).fetchall()
            by_role = {r[1]: r for r in rows}
            if kind == "oco":
                assert sum(r[3] for r in rows) <= qty
            elif by_role:
                entry = by_role["entry"][3]
                exits = [by_role[r] for r in ("tp", "sl") if r in by_role]
                assert sum(r[3] for r in exits) <= entry
                assert all(r[3] <= entry for r in exits)

    @invariant()
    def nothing_is_sent_while_halted(self):
        assert self.sent_while_halted == 0


def _fields(held) -> dict:
    return {f: getattr(held, f) for f in held.__slots__ if f not in ("ts_last",)}


HeldMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
test_held_orders = HeldMachine.TestCase
