"""The live quoter of one instrument: market data in, estimates current, quotes out.

It subscribes (after the market data keeper, so the book it reads is already updated) to the
instrument's book and trade topics, the venue's status and order topics and the risk topic. On
every top-of-book change, fill or timer tick it computes the desired quotes with
``model.compute_quotes`` and sends the difference from its working quotes through the
``OrderGateway`` (``working.plan``), at most ``max_orders_per_s`` new orders and modifies a
second (cancels never held back).

It pulls every quote (and quotes nothing until the cause is gone) when: it is switched off; the
kill switch trips (it then stays off until switched on again); the trading state is not ACTIVE
(from ``TradingStateChanged`` on the risk topic and the ``StatusView``); the venue is not
CONNECTED; the book is unsynced, one-sided or crossed; or no book update arrived for
``stale_after_s``. Until sigma, k and A are known (configured, or estimated from enough data)
it is WARMING_UP and quotes nothing.

Inventory: the instrument's position in lots. ``PositionChanged`` events are authoritative once
seen; until then it is the sum of the fills on the instrument's order topic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tradeterm.config import QuoterConfig
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock
from tradeterm.core.views import BookReader, QuoterView, StatusView
from tradeterm.domain.events import (
    ConnectionState,
    KillSwitchTripped,
    OrderAccepted,
    OrderCanceled,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderUpdateRejected,
    PositionChanged,
    TradingState,
    TradingStateChanged,
    VenueStatus,
)
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Trade
from tradeterm.quoter.figures import (
    fair_price,
    mid,
    publish_view,
    quote_figures,
    touch_with_own_quotes,
)
from tradeterm.quoter.gateway import OrderGateway
from tradeterm.quoter.model import MarketState, compute_quotes, ladder
from tradeterm.quoter.settings import QuoterSetup, build_setup, in_force
from tradeterm.quoter.sender import OrderSender
from tradeterm.quoter.standing import StandingPlan, plan_inputs
from tradeterm.quoter.working import (
    LIVE,
    PENDING_CANCEL,
    PENDING_MODIFY,
    Action,
    WorkingQuote,
    WorkingQuotes,
    plan,
    pull_all,
)

log = logging.getLogger(__name__)


class Quoter:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        instrument: Instrument,
        book: BookReader,
        status: StatusView,
        gateway: OrderGateway,
        config: QuoterConfig,
        view: QuoterView | None = None,
        position: Callable[[str], int] | None = None,
    ) -> None:
        self.bus, self.clock, self.instrument, self.book = bus, clock, instrument, book
        self.status, self.gateway = status, gateway
        self._position = position  # the position keeper's lots, read once at start
        self.view = view or QuoterView(instrument.id)
        self.setup: QuoterSetup = build_setup(config, instrument)
        self.view.params = in_force(config, instrument.symbol)
        self.inventory = 0
        self.enabled = False
        self.working = WorkingQuotes()
        self.view.figures = quote_figures(book, self.working)
        self._position_seen = False
        self._kill_reason = ""
        self._trading_state = TradingState.ACTIVE
        self._connection = ConnectionState.CONNECTED
        self._last_book_ns: int | None = None
        self._last_top: tuple[int | None, int | None] = (None, None)
        self._backoff_until = 0
        self.sender = OrderSender(instrument, gateway, self.working, self.view)
        self._standing = StandingPlan()  # the last empty plan, skipped while its inputs hold
        self._busy = self._again = self._soon = False  # requote's re-entry guard; an alert set
        self._timer, self._soon_timer = f"quoter.{instrument.id}", f"quoter.{instrument.id}.soon"
        iid, venue = instrument.id, instrument.venue
        bus.subscribe(topics.book(iid), self._on_book)
        bus.subscribe(topics.trade(iid), self._on_trade)
        bus.subscribe(topics.venue_status(venue), self._on_venue_status)
        bus.subscribe(topics.orders(venue), self._on_order_event)
        bus.subscribe(topics.POSITION, self._on_order_event)  # PositionChanged from the portfolio
        bus.subscribe(topics.RISK, self._on_risk)

    # --- lifecycle and controls ------------------------------------------------------------
    def start(self) -> None:
        now = self.clock.timestamp_ns()
        if self._position is not None:  # a restart: the position the store kept
            self._position_seen, self.inventory = True, self._position(self.instrument.id)
        if self.setup.order_lots is None and self.instrument.min_notional <= 0:
            log.warning(
                "quoter %s: no quoter.order_size and the venue states no minimum "
                "notional: quoting one lot (%s %s); set quoter.order_size",
                self.instrument.symbol,
                self.instrument.lot_size,
                self.instrument.base,
            )
        self.sender.begin(now)
        self.setup.intensity.start(now)
        self.setup.refresh_estimates(now, mid(self.book))
        self.clock.set_timer(self._timer, self.setup.config.refresh_ms * 1_000_000, self._on_timer)
        if self.setup.config.enabled:
            self.enable()
        self._publish_view(now)

    def stop(self) -> None:
        self.clock.cancel_timer(self._timer)
        self.clock.cancel_timer(self._soon_timer)
        self._pull("session stopped", state="OFF")

    def enable(self) -> None:
        """Switch quoting on (also re-arms the quoter after a kill switch)."""
        self.enabled, self._kill_reason = True, ""
        log.info(
            "quoter on for %s (%s, gamma %g)",
            self.instrument.symbol,
            self.setup.config.model,
            self.setup.params.gamma,
        )
        self.requote()

    def disable(self, reason: str = "switched off") -> None:
        if self.enabled:
            log.info("quoter off for %s: %s", self.instrument.symbol, reason)
        self.enabled = False
        self._pull(reason, state="OFF")

    def rewound(self, working: list[WorkingQuote], inventory: int) -> None:
        """A replay went back: quoting goes on from the quotes working at the target and the
        position there (the paper venue has them again); the rate estimates start over."""
        now = self.clock.timestamp_ns()
        self.working.reset(working)
        self._position_seen, self.inventory, self._backoff_until = True, inventory, 0
        self._standing.forget()
        self.setup.intensity.start(now)
        self.setup.refresh_estimates(now, mid(self.book))
        if self.enabled:
            self._requote_soon()
        self._publish_view(now)

    def update_config(self, **changes: Any) -> QuoterConfig:
        """Change parameters while running; validated like the config file (ValueError if bad)."""
        merged = self.setup.config.model_dump() | changes
        config = QuoterConfig.model_validate(merged)
        self.setup = build_setup(config, self.instrument, previous=self.setup)
        self._standing.forget()
        self.view.params = in_force(config, self.instrument.symbol)
        self.setup.refresh_estimates(self.clock.timestamp_ns(), mid(self.book))
        log.info(
            "quoter %s: parameters changed: %s",
            self.instrument.symbol,
            ", ".join(f"{k}={v}" for k, v in sorted(changes.items())),
        )
        self.requote()
        return config

    # --- market data -----------------------------------------------------------------------
    def _on_book(self, msg: Any) -> None:
        self._last_book_ns = msg.ts_recv
        book = self.book
        top = (book.best_bid, book.best_ask)
        if top[0] is not None and top[1] is not None and self.setup.config.vol_source == "mid":
            self.setup.bars.update(msg.ts_recv, (top[0] + top[1]) / 2.0)
        # a new top, or fresh data after a pull (stale/unsynced); warming up waits for the timer
        if (
            top != self._last_top
            or self.view.state == "PULLED"
            or self.setup.config.fair_price != "mid"
        ):
            self._last_top = top
            self.requote()

    def _on_trade(self, trade: Trade) -> None:
        book = self.book
        self.setup.intensity.on_trade(
            trade.ts_event, trade.price, int(trade.aggressor), book.best_bid, book.best_ask
        )
        if self.setup.config.vol_source == "trade":
            self.setup.bars.update(trade.ts_recv, float(trade.price))

    def _on_venue_status(self, msg: VenueStatus) -> None:
        previous, self._connection = self._connection, msg.state
        if msg.state is ConnectionState.CONNECTED:
            if previous is not ConnectionState.CONNECTED:
                self.setup.intensity.start(msg.ts_recv)
        else:
            self.setup.intensity.pause(msg.ts_recv)
        self.requote()

    def _on_risk(self, msg: Any) -> None:
        if isinstance(msg, KillSwitchTripped):
            self._kill_reason = f"kill switch: {msg.reason}"
            self.enabled = False
            self._pull(self._kill_reason, state="OFF")
        elif isinstance(msg, TradingStateChanged):
            self._trading_state = msg.state
            self.requote()
        elif isinstance(msg, OrderDenied):  # risk refused one of ours (a submit or a modify)
            self._on_order_event(msg)

    # --- order events ----------------------------------------------------------------------
    def _on_order_event(self, msg: Any) -> None:
        if getattr(msg, "instrument", None) != self.instrument.id:
            return
        if isinstance(msg, PositionChanged):
            self._position_seen, self.inventory = True, msg.qty
            self._requote_soon()
            return
        quote = self.working.get(getattr(msg, "client_order_id", ""))
        if isinstance(msg, OrderFilled):
            if not self._position_seen:
                self.inventory += int(msg.side) * msg.qty
            if quote is not None:
                self.view.fills += 1
                quote.lots = msg.leaves_qty
                if msg.leaves_qty <= 0:
                    self.working.remove(quote.client_order_id)
            self._requote_soon()
            return
        if quote is None:
            return
        now = msg.ts_recv
        if isinstance(msg, OrderAccepted):
            quote.accepted = True
            if quote.status not in (PENDING_CANCEL, PENDING_MODIFY):
                quote.status, quote.placed_ns = LIVE, now
        elif isinstance(msg, OrderModified):
            quote.status, quote.placed_ns = LIVE, now
            quote.price = msg.price if msg.price is not None else quote.price
            quote.lots = msg.qty
        elif isinstance(msg, (OrderCanceled, OrderExpired)):
            self.working.remove(quote.client_order_id)
        elif isinstance(msg, OrderUpdateRejected):
            # the venue refused a modify or cancel: the order works as it was (if it is gone, a
            # fill or cancel follows, or the OMS finds out by query and the gateway says so)
            self.view.rejects += 1
            if quote.status in (PENDING_CANCEL, PENDING_MODIFY):
                quote.status = LIVE
        elif isinstance(msg, (OrderRejected, OrderDenied)):
            self.view.rejects += 1
            self._backoff_until = now + int(self.setup.config.reject_backoff_s * NS)
            log.warning(
                "quoter %s: order %s %s: %s %s",
                self.instrument.symbol,
                quote.client_order_id,
                type(msg).__name__[5:].lower(),
                msg.reason,
                msg.message,
            )
            if quote.accepted:  # a refused modify or cancel: the order still works as it was
                quote.status = LIVE
            else:  # the order itself was refused
                self.working.remove(quote.client_order_id)
        else:
            return
        self._requote_soon()

    def _requote_soon(self) -> None:
        """Requote on the clock, not from inside the caller (a venue publishing from deep in
        its matching loop would be re-entered): a zero-delay alert runs it once the caller has
        returned; several events in a row coalesce into one requote."""
        if not self._soon:
            self._soon = True
            self.clock.set_alert(self._soon_timer, self.clock.timestamp_ns(), self._on_soon)

    def _on_soon(self, ts: int) -> None:
        self._soon = False
        self.requote(ts)

    # --- the quoting loop ------------------------------------------------------------------
    def _on_timer(self, ts: int) -> None:
        setup = self.setup
        setup.bars.roll(ts)
        setup.refresh_estimates(ts, mid(self.book))
        self.requote(ts)

    def requote(self, now: int | None = None) -> None:
        """Bring the working quotes to what the model wants now (or pull them all). Re-entrant
        calls (a venue answering from inside the gateway) fold into one more pass after this."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        try:
            for _ in range(4):  # converges in one or two passes; the bound is a safety net
                self._again = False
                self._requote_once(self.clock.timestamp_ns() if now is None else now)
                now = None
                if not self._again:
                    break
        finally:
            self._busy = False

    def _requote_once(self, now: int) -> None:
        reason = self._blocked_reason(now)
        if reason:
            self._pull(reason, state="OFF" if not self.enabled else "PULLED")
            return
        setup = self.setup
        params = setup.live_params()
        if params is None:
            self._pull(setup.warming_reason(), state="WARMING_UP")
            return
        fair = fair_price(self.book, self.setup)
        best_bid, best_ask = touch_with_own_quotes(self.book, self.working)
        state = MarketState(fair, self.inventory, setup.time_left_s(now), best_bid, best_ask)
        ticks, max_age = setup.config.requote_ticks, int(setup.config.max_quote_age_s * NS)
        inputs = plan_inputs(params, state, ticks, max_age, self.working)
        view = self.view
        if self._standing.stands(inputs, now):  # the same empty plan: nothing to send
            self.sender.refill(now, setup.config.max_orders_per_s)
        else:
            quotes = compute_quotes(state, params)
            bids, asks = ladder(quotes, params, self.inventory)
            actions = plan(bids, asks, self.working, now, ticks, max_age)
            self._standing.planned(inputs, not actions, (bids, asks), self.working, max_age)
            self._send(actions, now)
            view.reservation_price, view.spread = quotes.reservation, quotes.spread
        view.state, view.reason, view.fair_price = "QUOTING", "", fair
        self._publish_view(now)

    def _blocked_reason(self, now: int) -> str:
        if not self.enabled:
            return self._kill_reason or "switched off"
        state = self._trading_state
        if state is TradingState.ACTIVE:
            state = self.status.trading_state
        if state is not TradingState.ACTIVE:
            return f"trading state {state.value}"
        if self._connection is not ConnectionState.CONNECTED:
            return f"venue {self._connection.value}"
        book = self.book
        if not book.synced:
            return "book not synced"
        if book.best_bid is None or book.best_ask is None:
            return "one-sided book"
        if book.best_bid >= book.best_ask:
            return "crossed book"
        stale_ns = int(self.setup.config.stale_after_s * NS)
        if self._last_book_ns is None or now - self._last_book_ns > stale_ns:
            return f"stale data (no book update for {self.setup.config.stale_after_s:g}s)"
        if now < self._backoff_until:
            return "backing off after a rejection"
        return ""

    def _pull(self, reason: str, state: str = "PULLED") -> None:
        self._send(pull_all(self.working), self.clock.timestamp_ns())
        view = self.view
        if view.state != state or view.reason != reason:
            if state == "PULLED" and view.state == "QUOTING":
                log.warning("quoter %s: quotes pulled: %s", self.instrument.symbol, reason)
            view.state, view.reason = state, reason
        self._publish_view(self.clock.timestamp_ns())

    def _send(self, actions: list[Action], now: int) -> None:
        params = self.setup.params
        self.sender.send(
            actions,
            now,
            self.inventory,
            params.max_position_lots,
            self.setup.config.max_orders_per_s,
            params.post_only,
        )

    def _publish_view(self, _now: int) -> None:
        publish_view(self.view, self.setup, self.enabled, self.inventory)
