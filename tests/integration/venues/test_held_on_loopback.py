"""A Hypothesis state machine over contingent orders in a live session (the engine with the native
Binance venue) against the loopback exchange, with the exchange's faults on: OCOs and brackets
placed, the counterparty trading through them, the market running, cancels, kill switch trips and
re-arms, restarts, and 503s, dropped connections, duplicated fills and delayed streams. Checked
after every step, against the exchange's own records where they are the truth:

* every leg of a held order reached the exchange with its held row and its order row already in
  the store (persisted before anything is sent);
* an OCO's legs together never trade more than its quantity (Binance's OCO: the other leg
  expires when one trades; the emulator's: a triggered leg waits for the other's end);
* a bracket's exits never trade more than its entry filled, and each is sized to it when sent;
* the kill switch leaves no held order and nothing of ours working at the exchange;
* every fill is applied once: the engine's fills are the exchange's trades, each once.

Fast by default (a few examples, short runs); ``-m slow`` runs the longer variant.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.live_session import LiveSession, canary_keys, exchange_settings
from tests.loopback_held import (
    ArrivalWatch,
    exchange_orders,
    exchange_trade_ids,
    sweep,
    touch,
)
from tests.loopback_session import wait_until
from tradeterm.domain.commands import (
    CancelOrder,
    HoldBracket,
    HoldOco,
    RearmTrading,
    TripKillSwitch,
)
from tradeterm.domain.held import HeldKind, HeldLeg, HeldState
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel

S = HeldState
STEP_S = 0.05  # the loop runs this long after each step: the venue's answers arrive
SETTLE_S = 4.0  # how long an eventual property may take (faults delay answers)


class LoopbackHeldMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name)
        self.loop = asyncio.new_event_loop()
        self.key, self.secret = canary_keys()
        self.server_cm = None
        self.live: LiveSession | None = None
        self.groups: dict[str, tuple[str, int, dict[str, str]]] = {}  # id -> (kind, qty, legs)
        self.loop.run_until_complete(self._start_server())
        self.kernel = self._run(self._start_session())

    # --- running the loop --------------------------------------------------------------------
    def _run(self, coro):
        return self.loop.run_until_complete(coro)

    def _step(self, act=None, wait: float = STEP_S):
        async def go():
            result = act() if act is not None else None
            await asyncio.sleep(wait)
            return result

        return self._run(go())

    async def _start_server(self) -> None:
        from tradeterm.venues.loopback import LoopbackServer

        self.server_cm = LoopbackServer(exchange_settings(self.key, self.secret).exchange)
        self.server = await self.server_cm.__aenter__()
        self.watch = ArrivalWatch(self.server, self.key, self.path / "tradeterm.db")

    async def _start_session(self) -> Kernel:
        self.live = LiveSession(self.server, self.path, self.key, self.secret)
        kernel = await self.live.start()
        self.server.exchange.market.pause()  # the market moves when a rule says so
        return kernel

    def teardown(self) -> None:
        async def stop() -> None:
            if self.live is not None:
                await self.live.stop()
            await self.server_cm.__aexit__(None, None, None)

        try:
            self._run(stop())
        finally:
            self.loop.close()
            self.dir.cleanup()

    # --- helpers -------------------------------------------------------------------------------
    @property
    def halted(self) -> bool:
        return self.kernel.desk.killswitch.halted

    def _ids(self, n: int) -> list[str]:
        ids = [self.kernel.next_order_id() for _ in range(n)]
        self.watch.legs.update(ids)
        return ids

    def _lots(self, n: int) -> int:
        return self.live.instrument().qty_to_lots("0.001") * n

    # --- rules ---------------------------------------------------------------------------------
    @rule(n=st.integers(1, 5), up=st.integers(1, 6), down=st.integers(1, 6))
    def place_oco(self, n, up, down):
        bid, ask, last = touch(self.live)
        qty = self._lots(n)
        gid, first, second = self._ids(3)
        take = HeldLeg(Side.SELL, qty, HeldKind.LIMIT, max(ask, last) + up)
        stop = HeldLeg(Side.SELL, qty, HeldKind.STOP, None, min(bid, last) - down)
        ts = self.kernel.clock.timestamp_ns()
        cmd = HoldOco(ts, gid, self.live.instrument().id, first, take, second, stop)
        self._step(lambda: self.kernel.desk.execute(cmd))
        self.groups[gid] = ("oco", qty, {"first": first, "second": second})

    @rule(n=st.integers(1, 5), at_ask=st.booleans(), up=st.integers(1, 6), down=st.integers(1, 6))
    def place_bracket(self, n, at_ask, up, down):
        bid, ask, last = touch(self.live)
        qty = self._lots(n)
        gid, entry, tp, sl = self._ids(4)
        price = ask if at_ask else bid
        ts = self.kernel.clock.timestamp_ns()
        inst = self.live.instrument().id
        tp_price, sl_price = max(ask, last) + up, min(bid, last) - down
        cmd = HoldBracket(ts, gid, inst, Side.BUY, qty, price, tp_price, sl_price, entry, tp, sl)
        self._step(lambda: self.kernel.desk.execute(cmd))
        self.groups[gid] = ("bracket", qty, {"entry": entry, "tp": tp, "sl": sl})

    @rule(side=st.sampled_from(["BUY", "SELL"]), ticks=st.integers(0, 8))
    def counterparty_sweeps(self, side, ticks):
        self._step(lambda: sweep(self.live, side, ticks))

    @rule(seconds=st.sampled_from([0.05, 0.2]))
    def market_runs(self, seconds):
        market = self.server.exchange.market
        market.resume()
        self._step(wait=seconds)
        market.pause()

    @rule(data=st.data())
    def cancel(self, data):
        ids = sorted(self.kernel.views.held.orders) + sorted(self.kernel.desk.oms.working)
        if ids:
            coid = data.draw(st.sampled_from(ids))
            cmd = CancelOrder(self.kernel.clock.timestamp_ns(), coid, self.live.instrument().id)
            self._step(lambda: self.kernel.desk.execute(cmd))

    @rule(fault=st.sampled_from(["503", "503-processed", "drop", "dup", "delay", "no-delay"]))
    def fault(self, fault):
        inj = self.server.injector
        if fault.startswith("503"):
            inj.fail_rest(1, 503, processed=fault.endswith("processed"), method="POST")
        elif fault == "drop":
            inj.drop_connections()
        elif fault == "dup":
            inj.duplicate_next_fill()
        else:
            inj.plan.delay_ms = 30.0 if fault == "delay" else 0.0
        self._step()

    @rule()
    def trip(self):
        cmd = TripKillSwitch(self.kernel.clock.timestamp_ns(), "test", source="key")
        self._step(lambda: self.kernel.desk.execute(cmd))
        views, exchange = self.kernel.views, self.server.exchange

        def nothing_left() -> bool:
            ours = exchange.accounts[self.key].open_orders
            return not views.held.orders and not self.kernel.desk.oms.working and not ours

        self._run(wait_until(nothing_left, SETTLE_S, "the kill switch to leave nothing"))

    @precondition(lambda self: self.halted)
    @rule()
    def rearm(self):
        cmd = RearmTrading(self.kernel.clock.timestamp_ns(), "test")
        self._step(lambda: self.kernel.desk.execute(cmd))

    @rule()
    def restart(self):
        held = self.kernel.views.held.orders
        before = {k: _fields(v) for k, v in held.items() if v.state is S.HELD}
        busy = {h.group_id for h in held.values() if h.state is not S.HELD}
        before = {k: v for k, v in before.items() if held[k].group_id not in busy}
        self._run(self.live.stop())
        self.kernel = self._run(self._start_session())
        after = {k: _fields(v) for k, v in self.kernel.views.held.orders.items()}
        assert {k: v for k, v in after.items() if k in before} == before

    # --- invariants ----------------------------------------------------------------------------
    @invariant()
    def every_leg_was_stored_before_it_reached_the_exchange(self):
        assert not self.watch.unrecorded, self.watch.unrecorded

    @invariant()
    def an_oco_never_trades_beyond_its_quantity(self):
        orders = exchange_orders(self.server, self.key)
        for kind, qty, legs in self.groups.values():
            if kind != "oco":
                continue
            inst = self.live.instrument()
            done = [orders[c] for c in legs.values() if c in orders]
            assert sum(inst.qty_to_lots(str(o.executed)) for o in done) <= qty

    @invariant()
    def a_brackets_exits_never_trade_beyond_its_entry(self):
        orders = exchange_orders(self.server, self.key)
        inst = self.live.instrument()
        for kind, _qty, legs in self.groups.values():
            if kind != "bracket":
                continue
            entry = orders.get(legs["entry"])
            filled = inst.qty_to_lots(str(entry.executed)) if entry is not None else 0
            exits = [orders[legs[r]] for r in ("tp", "sl") if legs[r] in orders]
            assert sum(inst.qty_to_lots(str(o.executed)) for o in exits) <= filled
            for o in exits:  # each sent for what the entry had filled when it went
                assert inst.qty_to_lots(str(o.qty)) <= filled

    @invariant()
    def every_fill_is_applied_once(self):
        store = self.kernel.desk.oms.store

        def same() -> bool:
            ours = sorted(f.trade_id for f in store.load_fills())
            return ours == sorted(exchange_trade_ids(self.server, self.key))

        self._run(wait_until(same, SETTLE_S, "the engine's fills to be the exchange's trades"))
        ids = [f.trade_id for f in store.load_fills()]
        assert len(ids) == len(set(ids))


def _fields(held) -> dict:
    return {f: getattr(held, f) for f in held.__slots__ if f not in ("ts_last",)}


class LoopbackHeldFast(LoopbackHeldMachine):
    pass


class LoopbackHeldSlow(LoopbackHeldMachine):
    pass


LoopbackHeldFast.TestCase.settings = settings(max_examples=8, stateful_step_count=15, deadline=None)
LoopbackHeldSlow.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None
)
test_held_orders_on_the_loopback = LoopbackHeldFast.TestCase
test_held_orders_on_the_loopback_longer = pytest.mark.slow(LoopbackHeldSlow.TestCase)
