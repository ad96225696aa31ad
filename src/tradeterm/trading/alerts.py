"""The session's alerts (``Kernel.alerts``): set from ``[alerts]`` and the command line, watched
on the engine clock in every mode (paper, replay, live), announced when they fire.

A firing is an ``AlertFired`` on the ``alert`` topic (journaled like every event), a WARNING
log line (the log pane, the journal, stderr of a headless run), and an entry in
``views.alerts`` (the UI toasts it, rings the bell with ``[alerts] bell``, and lists every
alert in its modal). The bus is listened to only for what some alert watches (a session
without alerts pays nothing and publishes nothing): the trades or book of an instrument with a
price alert, order events for fills, the venue's status; today's PnL and drawdown are read
from ``views.portfolio`` on a clock timer (``portfolio.revalue_ms``) when it changed.

Alerts typed on the command line are kept in ``<data_dir>/alerts.toml`` (``alert_file.py``)
when the session has a data dir of its own (not ``--fast`` or a replay, which are
simulations); those from the configuration are set again at every start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from tradeterm.config import ConfigError, Settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, Clock
from tradeterm.core.views import AlertEntry, EngineViews
from tradeterm.domain.alert_grammar import AlertSyntaxError, parse_rule
from tradeterm.domain.alerts import AlertFired, AlertKind, AlertRule, PriceSource
from tradeterm.domain.events import OrderFilled, VenueStatus
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Trade
from tradeterm.trading.alert_entry import resolve
from tradeterm.trading.alert_file import AlertFile, KeptAlert
from tradeterm.trading.alert_rules import NO_REARM, Rearm
from tradeterm.trading.alert_watch import (
    AccountWatch,
    FillWatch,
    PriceWatch,
    VenueWatch,
    Watch,
    watch_for,
)
from tradeterm.trading.order_names import GrammarError

log = logging.getLogger("tradeterm.alerts")

ACCOUNT_TIMER = "alerts.account"


class Alerts:
    def __init__(
        self,
        bus: MessageBus,
        clock: Clock,
        views: EngineViews,
        instruments: Mapping[str, Instrument],
        account_every_ns: int,
        kept: AlertFile | None = None,
        rearm: Rearm = NO_REARM,
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.views = views
        self.view = views.alerts
        self.instruments = instruments
        self.account_every_ns = account_every_ns
        self.kept = kept
        self.rearm = rearm  # when a repeating price alert fires again
        self._watches: dict[int, Watch] = {}
        self._foreign: list[KeptAlert] = []  # kept rules this session cannot resolve
        self._listening: set[str] = set()
        self._started = False
        self._account_seen = -1
        self._next_id = 1
        self._restoring = False

    @classmethod
    def for_session(
        cls,
        settings: Settings,
        bus: MessageBus,
        clock: Clock,
        views: EngineViews,
        instruments: Mapping[str, Instrument],
        keep: bool,
    ) -> Alerts:
        """The configured alerts, then (``keep``: a session with a data dir of its own) the
        ones kept from earlier sessions. Raises ConfigError for a rule naming no instrument."""
        every = settings.portfolio.revalue_ms * NS // 1000
        kept = AlertFile(settings.resolved_data_dir()) if keep else None
        config = settings.alerts
        rearm = Rearm(config.rearm_ticks, int(config.min_interval_s * NS))
        alerts = cls(bus, clock, views, instruments, every, kept, rearm)
        for n, text in enumerate(config.rules):
            try:
                alerts.set(alerts.parse(text.strip().removeprefix("alert ")), "config")
            except GrammarError as exc:
                raise ConfigError(f"alerts.rules[{n}] {text!r}: {exc}") from None
        if config.fills:
            alerts.set(AlertRule(AlertKind.FILL, repeat=True), "config")
        alerts.restore()
        return alerts

    def parse(self, text: str) -> AlertRule:
        """A rule of this session (its instrument found). Raises GrammarError."""
        try:
            return resolve(parse_rule(text), list(self.instruments.values()))
        except AlertSyntaxError as exc:
            raise GrammarError(str(exc)) from None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._started = True
        self._watch_account()

    def stop(self) -> None:
        self._started = False
        self.clock.cancel_timer(ACCOUNT_TIMER)

    # --- the trader's requests -----------------------------------------------------------------
    def set(self, rule: AlertRule, origin: str = "typed", fired: int = 0) -> AlertEntry:
        """Watch ``rule`` (resolved) from now on. A typed one is kept in the data dir."""
        entry = AlertEntry(self._next_id, rule.text, origin, fired=fired)
        self._next_id += 1
        self.view.alerts[entry.alert_id] = entry
        if fired and not rule.repeat:
            entry.armed = False  # a one-shot alert that fired before a restart stays spent
        else:
            self._watches[entry.alert_id] = watch_for(rule, self.instruments, self.rearm)
            self._listen(rule)
        self._changed(entry)
        return entry

    def cancel(self, alert_id: int | None = None) -> list[AlertEntry]:
        """Stop watching alert ``alert_id`` (None: every alert); the ones cancelled."""
        ids = list(self.view.alerts) if alert_id is None else [alert_id]
        gone = [self.view.alerts.pop(i) for i in ids if i in self.view.alerts]
        for entry in gone:
            self._watches.pop(entry.alert_id, None)
        if gone:
            self.view.version += 1
            if any(e.origin == "typed" for e in gone):
                self._save()
        return gone

    def restore(self) -> None:
        """The alerts typed in earlier sessions, as they were (a spent one stays spent)."""
        if self.kept is None:
            return
        self._restoring = True  # the file already says what it holds
        for kept in self.kept.load():
            try:
                rule = self.parse(kept.rule)
            except GrammarError as exc:
                log.warning("alert %r kept, not watched in this session: %s", kept.rule, exc)
                self._foreign.append(kept)
                continue
            self.set(rule, "typed", kept.fired)
        self._restoring = False

    # --- the bus -------------------------------------------------------------------------------
    def _listen(self, rule: AlertRule) -> None:
        if rule.kind is AlertKind.PRICE:
            if rule.source is PriceSource.LAST:
                self._subscribe(topics.trade(rule.instrument), self.on_trade)
            else:
                self._subscribe(topics.book(rule.instrument), self.on_book)
        elif rule.kind is AlertKind.FILL:
            self._subscribe("order.*", self.on_order)
        elif rule.kind in (AlertKind.DISCONNECT, AlertKind.STALE):
            self._subscribe("venue.*", self.on_venue)
        else:
            self._watch_account()

    def _subscribe(self, topic: str, handler: Callable[[Any], None]) -> None:
        if topic not in self._listening:
            self._listening.add(topic)
            self.bus.subscribe(topic, handler, essential=False)  # nothing trades on an alert

    def _watch_account(self) -> None:
        if (
            self._started
            and ACCOUNT_TIMER not in self._listening
            and any(isinstance(w, AccountWatch) for w in self._watches.values())
        ):
            self._listening.add(ACCOUNT_TIMER)
            self.clock.set_timer(ACCOUNT_TIMER, self.account_every_ns, self.on_account)

    def on_trade(self, msg: Trade) -> None:
        for alert_id, watch in list(self._watches.items()):
            if (
                isinstance(watch, PriceWatch)
                and watch.inst.id == msg.instrument
                and watch.rule.source is PriceSource.LAST
            ):
                self._fire(alert_id, watch.on_price(2 * msg.price, self.clock.timestamp_ns()))

    def on_book(self, msg: Any) -> None:
        book = self.views.books.get(msg.instrument)
        if book is None or book.best_bid is None or book.best_ask is None:
            return
        mid = book.best_bid + book.best_ask
        for alert_id, watch in list(self._watches.items()):
            if (
                isinstance(watch, PriceWatch)
                and watch.inst.id == msg.instrument
                and watch.rule.source is PriceSource.MID
            ):
                self._fire(alert_id, watch.on_price(mid, self.clock.timestamp_ns()))

    def on_order(self, msg: Any) -> None:
        if isinstance(msg, OrderFilled):
            inst = self.instruments.get(msg.instrument)
            for alert_id, watch in list(self._watches.items()):
                if isinstance(watch, FillWatch):
                    self._fire(alert_id, watch.on_fill(msg, inst))

    def on_venue(self, msg: VenueStatus) -> None:
        for alert_id, watch in list(self._watches.items()):
            if isinstance(watch, VenueWatch):
                self._fire(alert_id, watch.on_status(msg))

    def on_account(self, _ts: int) -> None:
        view = self.views.portfolio
        if view.version == self._account_seen:
            return
        self._account_seen = view.version
        for alert_id, watch in list(self._watches.items()):
            if isinstance(watch, AccountWatch):
                self._fire(alert_id, watch.on_portfolio(view))

    # --- a firing --------------------------------------------------------------------------------
    def _fire(self, alert_id: int, message: str | None) -> None:
        if message is None:
            return
        entry = self.view.alerts[alert_id]
        rule = self._watches[alert_id].rule
        now = self.clock.timestamp_ns()
        entry.fired += 1
        entry.last_ns = now
        entry.last_message = message
        if not rule.repeat:
            entry.armed = False
            del self._watches[alert_id]
        event = AlertFired(now, now, alert_id, rule.kind, rule.text, message, rule.repeat)
        self.view.fired.append(event)
        log.warning("ALERT #%d %s: %s", alert_id, rule.text, message)
        self.bus.publish(topics.ALERT, event)
        self._changed(entry)

    def _changed(self, entry: AlertEntry) -> None:
        self.view.version += 1
        if entry.origin == "typed":
            self._save()

    def _save(self) -> None:
        if self.kept is None or self._restoring:
            return
        typed = [
            KeptAlert(e.rule, e.fired) for e in self.view.alerts.values() if e.origin == "typed"
        ]
        try:
            self.kept.save([*typed, *self._foreign])
        except OSError as exc:
            log.warning("alerts not kept for the next session: %s", exc)
