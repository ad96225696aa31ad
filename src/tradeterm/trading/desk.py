"""The trading desk: risk, OMS, portfolio and kill switch wired into one unit for the kernel.

Commands flow UI / quoter / CLI -> ``TradingDesk.execute`` -> risk -> OMS -> venue; order
events flow venue -> bus -> OMS -> portfolio. The kernel builds one desk for every mode and
talks to it only through ``execute`` (and ``start``/``stop``). Like the kernel this module is a
composition helper: components never import it. Reconciliation reports, feed loss and
reconnects are ``venue_watch.py``; trips, re-arms and the limits' breaches ``kill_desk.py``;
the quoter's gateway to the desk is ``quoter_wiring.py``.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, overload

from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock
from tradeterm.core.views import EngineViews
from tradeterm.domain.commands import (
    CancelAll,
    CancelOrder,
    Command,
    HoldBracket,
    HoldOco,
    HoldOrder,
    ModifyOrder,
    RearmTrading,
    SubmitOrder,
    TripKillSwitch,
)
from tradeterm.domain.events import OrderFilled, TradingState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import OrderStatus
from tradeterm.oms.ids import ClientOrderIds
from tradeterm.oms.reasons import HELD_CANCELED
from tradeterm.oms.reconcile import ReconcileResult
from tradeterm.oms.store_port import OrderStore
from tradeterm.portfolio.portfolio import DayState, Portfolio
from tradeterm.risk.checks import PreTradeRisk
from tradeterm.risk.codes import LIVE_NOT_CONFIRMED, REPLAY_ENDED
from tradeterm.risk.context import CheckResult
from tradeterm.risk.flatten import Flattener
from tradeterm.risk.killswitch import KillSwitch
from tradeterm.risk.limits import PostTradeLimits
from tradeterm.trading.day_marks import DayMarks
from tradeterm.trading.denials import Denials
from tradeterm.trading.held_desk import HeldDesk
from tradeterm.trading.kill_desk import KillDesk
from tradeterm.trading.oms_build import order_manager
from tradeterm.trading.order_answers import OrderAnswers
from tradeterm.trading.results import (
    CANNOT_CANCEL,
    CHANGE_WAITING,
    NOT_WORKING,
    CancelResult,
    CancelsSent,
    CommandResult,
    HoldResult,
    KillSwitchTrip,
    ModifyResult,
    OrderSent,
    RearmResult,
    RequestRefused,
    RequestSent,
    SubmitResult,
)
from tradeterm.trading.venue_watch import VenueWatch

if TYPE_CHECKING:
    from tradeterm.config import Settings
    from tradeterm.venues.base import ExecutionClient

log = logging.getLogger("tradeterm.desk")

REVALUE_TIMER = "desk.revalue"
MS = 1_000_000


class TradingDesk:
    def __init__(
        self,
        settings: Settings,
        bus: MessageBus,
        clock: Clock,
        venues: dict[str, ExecutionClient],
        instruments: dict[str, Instrument],
        views: EngineViews,
        store: OrderStore,
    ) -> None:
        self.settings = settings
        self.bus = bus
        self.clock = clock
        self.venues = venues
        self.instruments = instruments
        self.views = views
        self.store = store
        cfg, risk_cfg = settings.oms, settings.risk
        self.killswitch = KillSwitch(bus, persist=store.controls.save_trading_state)
        pf = settings.portfolio
        self.portfolio = Portfolio(
            bus,
            instruments,
            views.portfolio,
            views.books,
            views.stats,
            pf.mark,
            pf.starting_cash,
            pf.currency,
        )
        self.ids = ClientOrderIds(cfg.order_id_prefix, store.next_session(), store.next_session)
        self.oms = order_manager(
            cfg, bus, clock, store, venues, self.ids, self.portfolio, views, self
        )
        self.risk = PreTradeRisk(
            risk_cfg,
            instruments,
            views.books,
            views.stats,
            self.portfolio.qty,
            self.oms,
            self.killswitch,
            clock.timestamp_ns,
            {name: v.order_rate_limit for name, v in venues.items()},
            self.portfolio.closable_lots,
        )
        self.limits = PostTradeLimits(
            risk_cfg, views.portfolio, self.risk.limits, self.portfolio.qty
        )
        self.flattener = Flattener(
            clock,
            self.risk.limits,
            self.portfolio.closable_lots,
            self.oms.has_working,
            self.ids.next,
            self.risk.authorize_flatten,
            self.submit,
            risk_cfg.flatten_max_attempts,
            risk_cfg.flatten_retry_ms * MS,
            risk_cfg.flatten_slippage_bps,
        )
        self.kill = KillDesk(
            settings, clock, views, self.killswitch, self.limits, self.flattener, self.oms
        )  # trips, re-arms, the state shown
        self.answers = OrderAnswers(bus, venues, views.answers)  # for the trader's requests
        self.watch = VenueWatch(
            settings,
            bus,
            clock,
            venues,
            store,
            self.oms,
            self._positions,
            self.kill.trip,
            self.kill.note,
            random.Random(settings.sim.seed),
        )
        self.reconciliations: list[ReconcileResult] = self.watch.reconciliations
        self.submitted = 0
        self.denials = Denials(bus, clock, views.risk)
        #: stops, trailing stops, OCO and brackets the engine holds (``held_desk.py``)
        self.held = HeldDesk(
            bus,
            clock,
            store,
            views,
            self.oms,
            self.killswitch,
            self.denials,
            self.execute,
            self._session_gate,
            self.risk.preview,
        )
        #: live mode: no order leaves until the trader typed the venue's name (Kernel.confirm_live)
        self.live_unconfirmed = False
        #: the market is over (a replay at its end): every new order is denied with this reason
        self.closed_reason = ""
        self._started = False
        self.day_marks = DayMarks(store, self.portfolio, views.portfolio)
        store.save_instruments(instruments.values())

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> bool:
        """Load the store, reconcile with every venue, then open for trading. Returns True if
        reconciliation was clean."""
        now = self.clock.timestamp_ns()
        saved = self.store.controls.load_trading_state()
        self.kill.restore(saved)
        self.views.status.trading_state_reason = "reconciling with the venue"
        positions = self.store.load_positions()
        day = self.store.controls.load_day(now // (86_400 * NS))
        self.portfolio.load(
            positions, None if day is None else DayState(now // (86_400 * NS), day[0], day[1])
        )
        lookback = int(self.settings.oms.fills_lookback_s * NS)
        self.oms.load(
            self.store.load_open_orders(),
            {v: self.store.known_trade_ids(v, now - lookback - NS * 3600) for v in self.venues},
        )
        held = {p.instrument: p.qty for p in positions}
        clean = True
        for venue in self.venues.values():
            if not venue.keeps_state:
                venue.resume(
                    self.ids.session,
                    {i: q for i, q in held.items() if i.startswith(venue.name + ":")},
                )
            clean = await self.watch.reconcile(venue.name) and clean
        self.held.emulator.restore()  # after reconciliation: the orders it sent are settled
        if saved is not None and saved[0] is TradingState.HALTED and saved[2] == "cli":
            self.held.killed_offline(saved[1])  # `tradeterm kill` with no session running
        self.risk.ready = True
        self._started = self.watch.started = True
        self.portfolio.revalue(self.clock.timestamp_ns())
        self.kill.show_state(None)
        self.oms.start_timers()
        self.clock.set_timer(
            REVALUE_TIMER,
            self.settings.portfolio.revalue_ms * MS,
            self._revalue,
            self.clock.timestamp_ns(),
        )
        return clean

    def stop(self) -> None:
        """Clean shutdown: cancel working orders (``session.cancel_on_exit``), write all. An order
        still waiting for the disk never goes out once the session is stopping."""
        self.flattener.stop()
        self.clock.cancel_timer(REVALUE_TIMER)
        self.watch.stop()
        self.held.emulator.stop()  # held orders stay held (restored at the next start)
        self.oms.cancel_unsent()
        if self._started and self.settings.session.cancel_on_exit and self.oms.working:
            n = self.oms.cancel_all()
            log.info("shutting down: %d working order(s) canceled", n)
        self.oms.stop_timers()
        try:
            self.day_marks.save(self.clock.timestamp_ns(), force=True)
            self.store.flush()
        except Exception as exc:
            log.error("could not write the final state: %s", exc)

    def close_market(self, reason: str, cancel: bool = True) -> int:
        """The market is over but the session stays up (a backtest at the end of its recording,
        under review): working orders are cancelled, as nothing can fill them any more, and
        every new order or modify is denied with ``reason``. The kill switch keeps working.
        ``cancel`` False: the orders are a plain replay's recorded ones, as the recording left
        them (only it moves them). Returns how many orders it cancelled."""
        self.closed_reason = reason
        n = self.oms.cancel_all() if cancel else 0
        log.warning("%s: %d working order(s) cancelled; new orders are refused", reason, n)
        return n

    def _session_gate(self) -> tuple[str, str] | None:
        """Why no order may go out whatever it is (before any risk check), or None."""
        if self.closed_reason:
            return REPLAY_ENDED, self.closed_reason
        if self.live_unconfirmed:
            return LIVE_NOT_CONFIRMED, (
                "live trading is not confirmed yet: type the venue's name to confirm"
            )
        return None

    def _positions(self) -> dict[str, int]:
        """As recorded: a fill still waiting for the disk counts (stored, not yet told)."""
        recorded = {iid: p.qty for iid, p in self.portfolio.positions.items()}
        recorded.update((iid, p.qty) for iid, p in self.oms.fills.unannounced.items())
        return recorded

    # --- commands --------------------------------------------------------------------------
    @overload
    def execute(self, cmd: SubmitOrder) -> SubmitResult: ...
    @overload
    def execute(self, cmd: HoldOrder | HoldOco | HoldBracket) -> HoldResult: ...
    @overload
    def execute(self, cmd: CancelOrder) -> CancelResult: ...
    @overload
    def execute(self, cmd: CancelAll) -> CancelsSent: ...
    @overload
    def execute(self, cmd: ModifyOrder) -> ModifyResult: ...
    @overload
    def execute(self, cmd: TripKillSwitch) -> KillSwitchTrip: ...
    @overload
    def execute(self, cmd: RearmTrading) -> RearmResult: ...
    @overload
    def execute(self, cmd: Command) -> CommandResult: ...

    def execute(self, cmd: Command) -> CommandResult:
        """The one entry for commands: published on the ``command`` topic (a market order with
        the protection price it is recorded and sent with, ``risk/protection.py``), then done
        by the command's own method; what became of it is a ``results`` type."""
        if isinstance(cmd, SubmitOrder):
            cmd = self.risk.protect(cmd)
        self.bus.publish(topics.COMMAND, cmd)
        match cmd:
            case SubmitOrder():
                return self.submit(cmd)
            case HoldOrder() | HoldOco() | HoldBracket():
                return self.held.hold(cmd)
            case CancelOrder():
                return self.cancel(cmd.client_order_id)
            case CancelAll():
                held = self.held.emulator.cancel_all(HELD_CANCELED, cmd.instrument, cmd.side)
                return CancelsSent(self.oms.cancel_all(cmd.instrument, cmd.side) + held)
            case ModifyOrder():
                return self.modify(cmd)
            case TripKillSwitch():
                return self.kill.trip(cmd.reason, cmd.source, cmd.flatten, cmd.cancel)
            case RearmTrading():
                return self.kill.rearm(cmd.reason, cmd.state, cmd.source)
        raise TypeError(f"unknown command {type(cmd).__name__}")

    def submit(self, cmd: SubmitOrder) -> SubmitResult:
        """Risk, then the OMS. A denial is published (topic ``risk``) and returned. A market
        order goes out with its protection price."""
        cmd = self.risk.protect(cmd)
        gate = self._session_gate()
        if gate is not None:
            return self.denials.deny(cmd, gate)
        verdict = self.risk.check(cmd)
        if verdict is not None:
            return self.denials.deny(cmd, verdict)
        self.submitted += 1
        return OrderSent(self.oms.submit(cmd))

    def send_replacement(self, cmd: SubmitOrder) -> None:
        """The new half of a modify done by cancel-replace (``oms.ports.ReplacementSender``)."""
        self.answers.replacement_sent(cmd)
        self.submit(cmd)

    def cancel(self, client_order_id: str) -> CancelResult:
        if client_order_id not in self.oms.working:
            held = self.held.cancel(client_order_id)
            return RequestRefused(client_order_id, NOT_WORKING) if held is None else held
        return (
            RequestSent(client_order_id)
            if self.oms.cancel(client_order_id)
            else RequestRefused(client_order_id, CANNOT_CANCEL)
        )

    def modify(self, cmd: ModifyOrder) -> ModifyResult:
        coid = cmd.client_order_id
        order = self.oms.working.get(coid)
        if order is None or self.held.keeps_fixed(coid):
            held = self.held.modify(cmd)
            return RequestRefused(coid, NOT_WORKING) if held is None else held
        gate = self._session_gate()
        if gate is not None:
            return self.denials.deny(
                SubmitOrder(cmd.ts, coid, order.instrument, order.side, order.qty), gate, coid
            )
        probe = self.risk.modify_probe(order, cmd)  # the order as it would be after it
        verdict = self.risk.check(probe, commit=False)
        if verdict is not None:
            return self.denials.deny(probe, verdict, coid)
        if not self.oms.modify(cmd):
            return RequestRefused(coid, CHANGE_WAITING)
        if order.status is not OrderStatus.PENDING_CANCEL:  # native (maybe answered)
            self.risk.take_token(self.oms.venue_of[coid])
        return RequestSent(coid)

    def preview(self, cmd: SubmitOrder) -> list[CheckResult]:
        gate = self._session_gate()
        session = [] if gate is None else [CheckResult("session", False, *gate)]
        return session + self.risk.preview(self.risk.protect(cmd))

    def halt(self, problem: str) -> None:
        """A problem the OMS reports (``oms.ports.TradingHalt``): HALT unless HALTED already."""
        if not self.killswitch.halted:
            self.kill.trip(problem, "oms")

    # --- post-trade ------------------------------------------------------------------------
    def _revalue(self, ts: int) -> None:
        self.kill.show_flatten()
        self.portfolio.revalue(ts)
        self.kill.check_limits(ts, self._started)
        self.day_marks.save(ts)

    def after_fill(self, _fill: OrderFilled) -> None:  # oms.ports.PostTrade
        self.kill.check_limits(self.clock.timestamp_ns(), self._started)
