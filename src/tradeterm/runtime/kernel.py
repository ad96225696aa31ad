"""The composition root: builds the one component graph for a mode, starts and stops it.

Every mode is the same graph; only the clock and the venue clients differ (built by name in
``venue_registry.py``: a data client the kernel runs, an execution client the desk trades on):

* paper on the simulated market: ``LiveClock`` + ``SimMarketVenue`` (``--fast``: ``SimClock``)
* replay: ``SimClock`` + ``ReplayVenue`` (``--paper``: paper execution on top of it)
* live, and paper on a real feed: ``LiveClock`` + the venue the command line names
  (``VenueChoice``: Binance or ccxt, with paper execution on top for paper).

The UI and the CLI talk to the engine only through a ``Kernel``: its ``views`` to read and its
methods to act. Nothing below this module imports it. Trading (risk, OMS, portfolio, kill
switch) is one unit, ``desk.TradingDesk``, built here for every mode; orders go through the
kernel's small methods below, which all pass risk.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from tradeterm.config import Settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import FAST_START_NS, NS, Clock, LiveClock, SimClock
from tradeterm.core.decimals import use_engine_context
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.commands import ModifyOrder, RearmTrading, SubmitOrder, TripKillSwitch
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.oms.store_memory import open_store
from tradeterm.risk.context import CheckResult
from tradeterm.runtime.chart_history import ChartHistory
from tradeterm.runtime.engine_errors import EngineErrors
from tradeterm.runtime.logbridge import EngineLogHandler
from tradeterm.runtime.options import RunOptions
from tradeterm.runtime.replay_review import ReplayReview
from tradeterm.runtime.session_guard import SessionGuard
from tradeterm.runtime.session_quoters import SessionQuoters
from tradeterm.runtime.status import StatusSampler
from tradeterm.runtime.venue_registry import VenueChoice, VenueClients, VenueRequest, build_clients
from tradeterm.trading.alerts import Alerts
from tradeterm.trading.desk import TradingDesk
from tradeterm.trading.own_frames import record_own_frames
from tradeterm.trading.paper_rewind import rewind_paper_trading
from tradeterm.trading.recorded_trading import review_recorded_trading
from tradeterm.trading.results import (
    CancelResult,
    CancelsSent,
    KillSwitchTrip,
    ModifyResult,
    RearmResult,
    SubmitResult,
)
from tradeterm.trading.trader_requests import TraderRequests

log = logging.getLogger("tradeterm.kernel")  # the name its log lines always had


class Kernel:
    """One running engine. Build with ``Kernel(settings, options)``, then ``await run()``."""

    def __init__(
        self,
        settings: Settings,
        options: RunOptions = RunOptions(),
        venue: VenueChoice | None = None,
        clients: VenueClients | None = None,
        clock: Clock | None = None,
        bus: MessageBus | None = None,
    ) -> None:
        """``venue``: a real venue by name (the simulated market, or the replay, by default);
        ``clients``/``clock``/``bus``: a venue a test built by hand on its own bus and clock.
        Raises VenueSetupError when the venue cannot be built."""
        self.settings = settings
        self.options = options
        self.seed = settings.sim.seed if settings.sim.seed is not None else secrets.randbelow(2**31)
        source = None
        if options.replay is not None:  # record/ (numpy, zstd) is imported only when used
            from tradeterm.record.session import open_source

            source = open_source(options.replay, options.skip_damaged)
        self.clock = clock or (
            SimClock(source.start_ns or 0)
            if source
            else SimClock(FAST_START_NS)
            if options.fast
            else LiveClock()
        )
        self.bus = bus if bus is not None else MessageBus()  # a venue built outside shares it
        # a plain replay refuses orders; --paper replays market data only and fills the
        # session's orders on paper (the [paper] fill model): a backtest on the same graph
        choice = venue or VenueChoice(
            "replay" if source else "sim", paper=options.paper and source is not None
        )
        self.clients = clients or build_clients(
            VenueRequest(
                choice.name,
                settings,
                self.bus,
                self.clock,
                self.seed,
                paper=choice.paper,
                source=source,
                speed=options.speed,
                keys=choice.keys,
                testnet=choice.testnet,
                api_url=choice.api_url,
            )
        )
        self.data = self.clients.data  # runs; the keeper and the recorder read it on the bus
        self.execution = self.clients.execution  # the desk's
        self.instruments = {inst.id: inst for inst in self.data.instruments()}
        self.views = EngineViews(StatusView(mode=options.mode.upper(), venue=self.clients.name))
        self.market = self.clients.keep_market(self.bus, self.views)  # paper reads its books
        self.status = StatusSampler(self.views.status, self.market)
        self.chart = ChartHistory(self.bus, self.clock, self.views)  # views.history
        self.bus.subscribe(
            topics.venue_status(self.data.name), self.status.on_venue_status, essential=False
        )  # the header's connection state
        self._log_handler = EngineLogHandler(self.bus, self.clock, self.views.log)
        # --- recording and replay (record/) -------------------------------------------------
        self.replay = self.clients.replay  # the transport, when the data client is a replay
        self.recorder = None
        if options.record or self.replay is not None:
            from tradeterm.record.session import session_recording

            self.recorder = session_recording(
                settings,
                self.bus,
                self.clock,
                self.market,
                self.views,
                options.mode,
                self.clients.name,
                self.replay,
                options.recording,
                options.interactive,
                record=options.record,
            )
        self._build_trading()
        # a failing handler or timer fails safe: HALT, cancel, say why (engine_errors.py)
        self.errors = EngineErrors(
            self.desk.kill.engine_error, lambda: self.clock.timestamp_ns() / NS
        )
        self.bus.on_handler_error = self.errors.on_bus_error
        self.clock.on_callback_error = self.errors.on_timer_error
        self._stop = asyncio.Event()
        self.review = (  # a replay at its end while the TUI shows it: stays up, seeks back
            None
            if self.replay is None or not options.interactive
            else ReplayReview(
                self.replay,
                self.desk,
                self.views,
                self.status,
                self.clock,
                self._stop,
                options.paper,
            )
        )
        self._started_wall = 0.0
        self.wall_seconds = 0.0

    # --- lifecycle -------------------------------------------------------------------------
    async def run(self) -> None:
        """Start every component, run until ``request_stop()`` or the time bound, then stop.
        The engine's tasks compute in its own Decimal context (``core/decimals.py``)."""
        use_engine_context()
        root = logging.getLogger("tradeterm")
        root.addHandler(self._log_handler)
        root.setLevel(self.settings.log.level)
        self._started_wall = time.perf_counter()
        start = self.clock.timestamp_ns()
        self.status.restart(start)
        self.clock.set_timer("kernel.status", NS, self.status.sample)
        self.clock.set_timer("kernel.chart", NS, self.chart.sample)
        if self.options.seconds is not None:
            self.clock.set_alert(
                "kernel.stop",
                start + int(self.options.seconds * NS),
                lambda _ts: self.request_stop(),
            )
        if self.recorder is not None:
            from tradeterm.record.header import redacted
            from tradeterm.record.session import start_recording

            start_recording(
                self.recorder,
                self.options.mode,
                self.clients.name,
                list(self.instruments.values()),
                start,
                redacted(self.settings.model_dump(mode="json")),
                self.seed,
                self.replay,
            )
        log.info(
            "%s session on %s started (seed %d)", self.options.mode, self.clients.name, self.seed
        )
        venue_task = stop_task = None
        try:
            await self._start_trading()
            venue_task = asyncio.create_task(self.data.run(), name=f"venue.{self.data.name}")
            stop_task = asyncio.create_task(self._stop.wait())
            while True:  # a replay under review that a seek opens again plays on
                done, _ = await asyncio.wait(
                    {venue_task, stop_task}, return_when=asyncio.FIRST_COMPLETED
                )
                if venue_task in done and venue_task.exception() is not None:
                    raise venue_task.exception()  # type: ignore[misc]
                review = self.review
                if venue_task not in done or review is None or not review.reviewing():
                    break
                if not await review.end():
                    break
                venue_task = asyncio.create_task(self.data.run(), name=f"venue.{self.data.name}")
        finally:
            await self._stop_trading()
            self.data.stop()
            if stop_task is not None:
                stop_task.cancel()
            if venue_task is not None:
                try:
                    await asyncio.wait_for(venue_task, timeout=2)
                except (asyncio.TimeoutError, asyncio.CancelledError):
                    venue_task.cancel()
            for timer in ("kernel.status", "kernel.chart", "kernel.stop"):
                self.clock.cancel_timer(timer)
            self.status.update(self.clock.timestamp_ns())
            self.wall_seconds = time.perf_counter() - self._started_wall
            log.info("session stopped after %d events", self.bus.seq)
            if self.recorder is not None:
                self.recorder.close({"events": self.bus.seq, "end_ns": self.clock.timestamp_ns()})
            root.removeHandler(self._log_handler)

    def _on_hangup(self) -> None:
        """SIGHUP: apply ``session.on_hangup``. A TUI whose terminal is gone then stops (the
        HALTED state is in the store; `tradeterm status` shows it); a headless session stays up,
        HALTED, for `tradeterm rearm` from another shell."""
        self.hangup()

    def hangup(self, stop: bool = False) -> None:
        """The terminal went away: ``session.on_hangup`` (HALT, and cancel), then an interactive
        session stops. ``stop``: it stops whatever the policy (a browser tab whose server is
        gone can never be shown again; with ``keep`` it is a clean stop, ``cancel_on_exit``)."""
        keep = self.settings.session.on_hangup == "keep"
        if not (stop and keep):
            self.desk.kill.hangup()
        if stop or (self.options.interactive and not keep):
            log.warning("terminal hung up: the session stops")
            self.request_stop()

    def request_stop(self) -> None:
        self._stop.set()
        self.data.stop()

    # --- trading: risk, OMS, portfolio, kill switch (see trading/desk.py) --------------------
    def _build_trading(self) -> None:
        """The desk over the durable store. ``--fast`` runs and replays are simulations: an
        in-memory store (unless ``oms.database_url`` names one), so a backtest starts from a clean
        account and never touches the paper account; no session lock, no control socket."""
        settings = self.settings
        self.simulated = self.options.fast or self.options.replay is not None
        keeps = settings.oms.database_url or not self.simulated
        url = settings.database_url() if keeps else None  # None: in dicts (oms/store_memory.py)
        self.guard = SessionGuard(settings.resolved_data_dir(), url or "sqlite://", self.simulated)
        # damaged: refused; on the wall clock the fsync runs beside the loop (oms/durability.py)
        self.store = open_store(url, settings.oms.synchronous, not self.clock.is_simulated)
        self.guard.hold_marked_halt(self.store, self.clock.timestamp_ns())
        self.desk = TradingDesk(
            settings,
            self.bus,
            self.clock,
            {self.execution.name: self.execution},
            self.instruments,
            self.views,
            self.store,
        )
        record_own_frames(self.recorder, self.desk)  # a session of its own that records
        self.requests = TraderRequests(self.desk, self.clock, self.store)
        self.guard.watch(self.desk)
        if self.replay is not None and not self.options.paper:  # its recorded orders and fills
            review_recorded_trading(self.replay, self.desk)
        self.quoting = SessionQuoters.for_session(
            settings,
            self.options.quoter,
            self.options.replay is None or self.options.paper,
            self.bus,
            self.clock,
            self.instruments,
            self.views,
            self.desk,
        )
        self.quoter = self.quoting.placeholder  # --quoter placeholder: joins the touch
        self.quoters = self.quoting.by_instrument
        if self.replay is not None and self.options.paper:  # a seek back rebuilds its trading
            rewind_paper_trading(self.replay, self.desk, list(self.quoters.values()), self.market)
        self.desk.live_unconfirmed = self.options.mode == "live"  # see confirm_live
        # [alerts] and the ones typed in earlier sessions (kept unless this is a simulation)
        args = (settings, self.bus, self.clock, self.views, self.instruments, not self.simulated)
        self.alerts = Alerts.for_session(*args)

    async def _start_trading(self) -> None:
        self.store.durability.start(asyncio.get_running_loop())
        await self.desk.start()
        await self.guard.open(self.desk, self.store)
        if self.options.signals:  # SIGTERM: clean stop; SIGHUP: session.on_hangup
            self.guard.catch_signals(self._on_hangup, self.request_stop)
        self.quoting.start(self.desk.killswitch.state)
        self.alerts.start()

    async def _stop_trading(self) -> None:
        self.alerts.stop()
        self.quoting.stop()
        self.guard.release_signals()
        self.desk.stop()
        await self.guard.close_control()
        self.store.close()
        self.guard.release_lock()

    # --- the quoters (runtime/session_quoters.py): one per instrument, or the placeholder ----
    def set_quoter(self, on: bool, instrument: str | None = None) -> int:
        """Switch quoters on or off (``SessionQuoters.switch``); how many it switched."""
        return self.quoting.switch(on, instrument, self.desk)

    def update_quoter(self, instrument: str | None = None, **changes: Any) -> None:
        """Change quoter parameters while running (``SessionQuoters.update``)."""
        self.quoting.update(instrument, **changes)

    # --- live mode: no order leaves before the trader types the venue's name -----------------
    @property
    def live_confirmed(self) -> bool:
        return not self.desk.live_unconfirmed

    def confirm_live(self, text: str) -> bool:
        """Live mode: unlock order entry when ``text`` is exactly the venue's name (``binance``;
        ``ccxt-kraken`` or ``ccxt:kraken``, see ``confirm_names``). Until then the desk denies
        every order with ``LIVE_NOT_CONFIRMED``. Audited."""
        return self.requests.confirm_live(text, self.clients.name)

    def next_order_id(self) -> str:
        return self.desk.ids.next()

    # The trader's requests (``trading/trader_requests.py``): each is registered with the desk's
    # answers before it goes out, so ``views.answers`` says what the venue answered.
    def submit(self, cmd: SubmitOrder) -> SubmitResult:
        return self.requests.submit(cmd)

    def preview(self, cmd: SubmitOrder) -> list[CheckResult]:
        return self.desk.preview(cmd)

    def protect(self, cmd: SubmitOrder) -> SubmitOrder:  # as sent: a market order protected
        return self.desk.risk.protect(cmd)

    def cancel(self, client_order_id: str) -> CancelResult:
        return self.requests.cancel(client_order_id)

    def cancel_all(self, instrument: str | None = None, side: Side | None = None) -> CancelsSent:
        return self.requests.cancel_all(instrument, side)

    def modify(self, cmd: ModifyOrder) -> ModifyResult:
        return self.requests.modify(cmd)

    def trip_kill_switch(
        self, reason: str, flatten: bool = False, source: str = "key"
    ) -> KillSwitchTrip:
        return self.desk.execute(TripKillSwitch(self.clock.timestamp_ns(), reason, flatten, source))

    def rearm(
        self, reason: str, state: TradingState = TradingState.ACTIVE, source: str = "key"
    ) -> RearmResult:
        """Rearmed, or RearmRefused with the reason."""
        return self.desk.execute(RearmTrading(self.clock.timestamp_ns(), reason, state, source))

    # --- summary ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """What a headless run prints. Deterministic for ``--fast --seed``: no wall-clock data."""
        from tradeterm.runtime.session_summary import SessionFacts, session_summary
        from tradeterm.trading.summary import desk_summary

        start = FAST_START_NS if self.options.fast else None
        facts = SessionFacts(
            mode=self.options.mode,
            venue=self.clients.name,
            seed=self.seed,
            fast=self.options.fast,
            sim_seconds=(self.clock.timestamp_ns() - start) / NS if start else None,
            events=self.bus.seq,
            market_events=self.market.md_events,
        )
        return session_summary(
            facts, self.views, self.instruments, desk_summary(self.desk), self.quoting.summary()
        )
