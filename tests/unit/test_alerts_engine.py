"""The session's alerts (trading/alerts.py) on a bus and a simulated clock: what fires, what is
published (the journal's AlertFired), logged and shown in views.alerts, and what is kept in
the data dir and restored."""

import logging
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tradeterm.config import ConfigError, load_settings
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import NS, SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.alerts import AlertFired, AlertKind
from tradeterm.domain.events import ConnectionState, Liquidity, OrderFilled, VenueStatus
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side, Trade
from tradeterm.record.schema import registry
from tradeterm.trading.alert_file import AlertFile
from tradeterm.trading.alerts import Alerts

BTC = Instrument("sim", "BTC/USDT", "BTC", "USDT", Decimal("0.5"), Decimal("0.0001"))
ETH = Instrument("sim", "ETH/USDT", "ETH", "USDT", Decimal("0.01"), Decimal("0.001"))


@dataclass
class Book:
    best_bid: int | None = None
    best_ask: int | None = None


class Session:
    def __init__(self, kept: AlertFile | None = None) -> None:
        self.bus = MessageBus()
        self.clock = SimClock(1_000 * NS)
        self.views = EngineViews(StatusView("PAPER", "sim"))
        self.fired: list[AlertFired] = []
        self.bus.subscribe(topics.ALERT, self.fired.append)
        insts = {BTC.id: BTC, ETH.id: ETH}
        self.alerts = Alerts(self.bus, self.clock, self.views, insts, NS // 4, kept)
        self.alerts.start()

    def set(self, text: str):
        return self.alerts.set(self.alerts.parse(text))

    def trade(self, inst: Instrument, price: str) -> None:
        ticks = inst.price_to_ticks(price)
        ts = self.clock.timestamp_ns()
        self.bus.publish(topics.trade(inst.id), Trade(inst.id, ticks, 1, Side.BUY, 1, ts, ts))

    def book(self, inst: Instrument, bid: str, ask: str) -> None:
        self.views.books[inst.id] = Book(inst.price_to_ticks(bid), inst.price_to_ticks(ask))
        self.bus.publish(
            topics.book(inst.id), Trade(inst.id, 0, 0, Side.BUY, 0, 0, 0)
        )  # any message of the topic


def test_a_price_alert_fires_once_publishes_logs_and_shows(caplog):
    s = Session()
    entry = s.set("BTC > 62000")
    s.trade(BTC, "61999.5")
    s.trade(ETH, "62001")  # another instrument
    assert not s.fired
    with caplog.at_level(logging.WARNING, "tradeterm.alerts"):
        s.trade(BTC, "62000.5")
        s.trade(BTC, "62001")
    assert len(s.fired) == 1
    fired = s.fired[0]
    assert (fired.alert_id, fired.kind, fired.rule) == (entry.alert_id, AlertKind.PRICE, entry.rule)
    assert fired.message == "BTC/USDT last 62000.5 > 62000"
    assert fired.ts_event == s.clock.timestamp_ns()
    assert "ALERT #1 BTC/USDT > 62000: BTC/USDT last 62000.5 > 62000" in caplog.text
    assert not entry.armed and entry.fired == 1 and entry.last_message == fired.message
    assert list(s.views.alerts.fired) == [fired]


def test_set_again_to_re_arm():
    s = Session()
    s.set("BTC crosses 100")
    for price in ("99", "101", "99", "101"):
        s.trade(BTC, price)
    s.set("BTC crosses 100")
    for price in ("99", "101"):
        s.trade(BTC, price)
    assert [f.alert_id for f in s.fired] == [1, 2]


def test_a_mid_alert_reads_the_book():
    s = Session()
    s.set("ETH mid < 2650")
    s.book(ETH, "2650.00", "2650.01")  # mid 2650.005
    s.book(ETH, "2649.99", "2650.01")  # mid 2650.00: at it
    assert not s.fired
    s.book(ETH, "2649.99", "2650.00")  # mid 2649.995
    assert [f.message for f in s.fired] == ["ETH/USDT mid 2649.995 < 2650"]


def test_pnl_and_drawdown_alerts_read_the_portfolio_on_the_clock():
    s = Session()
    s.set("pnl < -500")
    s.set("drawdown > 2% repeat")
    s.set("drawdown > 300")
    view = s.views.portfolio
    view.currency = "USDT"
    view.day_pnl, view.peak_equity, view.drawdown = Decimal("-499"), Decimal(100_000), Decimal(299)
    view.version += 1
    s.clock.advance_to(s.clock.timestamp_ns() + NS)
    assert not s.fired
    view.day_pnl, view.drawdown = Decimal("-2000.01"), Decimal("2000.01")
    view.version += 1
    s.clock.advance_to(s.clock.timestamp_ns() + NS)
    assert [f.message for f in s.fired] == [
        "today's PnL -2,000.01 USDT < -500",
        "drawdown 2.00001% (2,000.01 USDT) > 2%",
        "drawdown 2,000.01 USDT > 300",
    ]


def test_fill_and_venue_alerts():
    s = Session()
    s.set("fill ETH")
    s.set("fill repeat")
    s.set("stale")
    s.set("disconnect repeat")
    ts = s.clock.timestamp_ns()
    for inst in (BTC, ETH, ETH):
        fill = OrderFilled(
            ts, ts, "c1", inst.id, "v1", "t1", Side.BUY, 10, 5, Liquidity.TAKER, Decimal(0), "", 0
        )
        s.bus.publish(topics.orders("sim"), fill)
    for state in ("STALE", "CONNECTED", "DISCONNECTED", "STALE", "DISCONNECTED"):
        s.bus.publish(
            topics.venue_status("sim"), VenueStatus(ts, ts, "sim", ConnectionState(state))
        )
    assert [f.alert_id for f in s.fired] == [2, 1, 2, 2, 3, 4, 4]
    assert s.fired[1].message.startswith("BUY 0.005 ETH/USDT @ 0.10")


def test_a_session_without_alerts_listens_to_nothing():
    s = Session()
    assert s.bus.handlers_for(topics.trade(BTC.id)) == ()
    assert s.bus.handlers_for("venue.sim") == ()
    s.set("BTC > 1")
    assert s.bus.handlers_for(topics.trade(BTC.id)) != ()
    assert s.bus.handlers_for(topics.trade(ETH.id)) == ()


def test_cancel_one_or_all():
    s = Session()
    s.set("BTC > 1")
    s.set("ETH > 1")
    assert [e.alert_id for e in s.alerts.cancel(1)] == [1]
    assert s.alerts.cancel(1) == []
    s.trade(BTC, "2")
    assert not s.fired
    assert [e.alert_id for e in s.alerts.cancel()] == [2]
    assert not s.views.alerts.alerts


def test_typed_alerts_are_kept_and_restored(tmp_path):
    s = Session(AlertFile(tmp_path))
    s.set("BTC > 62000")
    s.set("ETH crosses 2650 repeat")
    s.set("pnl < -500")
    s.trade(BTC, "62001")  # fires: spent
    s.alerts.cancel(3)
    path = tmp_path / "alerts.toml"
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text(path.read_text() + '\n[[alert]]\nrule = "XRP > 1"\nfired = 0\n')
    again = Session(AlertFile(tmp_path))
    again.alerts.restore()
    rows = [(e.rule, e.armed, e.fired) for e in again.views.alerts.alerts.values()]
    assert rows == [("BTC/USDT > 62000", False, 1), ("ETH/USDT crosses 2650 repeat", True, 0)]
    again.trade(BTC, "70000")
    assert not again.fired  # a spent alert stays spent after a restart
    again.set("stale")
    assert 'rule = "XRP > 1"' in path.read_text()  # kept though this session cannot watch it


def test_an_unreadable_file_restores_nothing(tmp_path, caplog):
    (tmp_path / "alerts.toml").write_text("[[alert]\nrule = ")
    s = Session(AlertFile(tmp_path))
    with caplog.at_level(logging.WARNING, "tradeterm.alerts"):
        s.alerts.restore()
    assert not s.views.alerts.alerts
    assert "unreadable" in caplog.text


def test_config_alerts_and_fills(tmp_path):
    settings = load_settings(
        data_dir=str(tmp_path), alerts={"rules": ["BTC > 62000"], "fills": True}
    )
    s = Session()
    alerts = Alerts.for_session(settings, s.bus, s.clock, s.views, {BTC.id: BTC}, keep=True)
    rules = [(e.rule, e.origin) for e in s.views.alerts.alerts.values()]
    assert rules == [("BTC/USDT > 62000", "config"), ("fill repeat", "config")]
    alerts.set(alerts.parse("stale"))
    assert "62000" not in (tmp_path / "alerts.toml").read_text()  # config ones are not kept


def test_a_config_rule_naming_no_instrument_is_one_config_error(tmp_path):
    settings = load_settings(data_dir=str(tmp_path), alerts={"rules": ["DOGE > 1"]})
    s = Session()
    with pytest.raises(ConfigError, match=r"alerts.rules\[0\] 'DOGE > 1': 'DOGE' names no"):
        Alerts.for_session(settings, s.bus, s.clock, s.views, {BTC.id: BTC}, keep=False)


def test_the_journal_records_alert_fired():
    assert AlertFired in registry().by_cls
