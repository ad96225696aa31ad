"""The alert grammar (domain/alert_grammar.py, trading/alert_entry.py) and [alerts] in the
config: valid rules, their canonical text, and hostile input refused in one line."""

from decimal import Decimal

import pytest

from tradeterm.config import ConfigError, load_settings
from tradeterm.domain.alert_grammar import AlertSyntaxError, parse_rule
from tradeterm.domain.alerts import AlertKind, AlertOp, PriceSource
from tradeterm.domain.instruments import Instrument
from tradeterm.trading.alert_entry import (
    CancelAlert,
    ListAlerts,
    SetAlert,
    is_alert_line,
    parse_alert_command,
)
from tradeterm.trading.order_names import GrammarError

BTC = Instrument("sim", "BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"))
ETH = Instrument("sim", "ETH/USDT", "ETH", "USDT", Decimal("0.01"), Decimal("0.0001"))
INSTRUMENTS = [BTC, ETH]


def command(line: str):
    return parse_alert_command(line, INSTRUMENTS)


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("alert BTC > 62000", "BTC/USDT > 62000"),
        ("alert btc<61000", "BTC/USDT < 61000"),
        ("alert ETH/USDT crosses 2650", "ETH/USDT crosses 2650"),
        ("alert eth mid cross 2650.50 repeat", "ETH/USDT mid crosses 2650.5 repeat"),
        ("alert sim:BTC/USDT last > 0.5", "BTC/USDT > 0.5"),
        ("alert pnl < -500", "pnl < -500"),
        ("alert PNL > 1000.25 repeat", "pnl > 1000.25 repeat"),
        ("alert drawdown > 2%", "drawdown > 2%"),
        ("alert dd > 300", "drawdown > 300"),
        ("alert fill", "fill"),
        ("alert fill eth repeat", "fill ETH/USDT repeat"),
        ("alert disconnect", "disconnect"),
        (":alert stale repeat", "stale repeat"),
    ],
)
def test_valid_rules_and_their_text(line, text):
    cmd = command(line)
    assert isinstance(cmd, SetAlert)
    assert cmd.rule.text == text
    again = command("alert " + text)
    assert again == cmd  # the canonical text parses back to the same rule


def test_the_rule_holds_what_was_typed():
    rule = command("alert ETH mid crosses 2650.5 repeat").rule
    assert (rule.kind, rule.op, rule.instrument, rule.source) == (
        AlertKind.PRICE,
        AlertOp.CROSSES,
        ETH.id,
        PriceSource.MID,
    )
    assert rule.level == Decimal("2650.5") and rule.repeat
    dd = command("alert drawdown > 2.5%").rule
    assert dd.kind is AlertKind.DRAWDOWN and dd.percent and dd.level == Decimal("2.5")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("alerts", ListAlerts()),
        ("alert", ListAlerts()),
        ("alert del 3", CancelAlert(3)),
        ("alert rm #12", CancelAlert(12)),
        ("unalert 7", CancelAlert(7)),
        ("unalert all", CancelAlert(None)),
    ],
)
def test_list_and_cancel(line, expected):
    assert command(line) == expected


def test_alert_lines_are_told_from_orders():
    assert (
        is_alert_line("alert BTC > 1") and is_alert_line(" :alerts") and is_alert_line("unalert 1")
    )
    assert not is_alert_line("b 0.5 @ 61800") and not is_alert_line("cxl all")
    assert not is_alert_line("")


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("alert BTC >> 62000", "not a comparison"),
        ("alert BTC > ", "missing the price"),
        ("alert BTC 62000", "not a comparison"),
        ("alert BTC > -5", "must be positive"),
        ("alert BTC > 0", "must be positive"),
        ("alert BTC > 6e4", "not a number"),
        ("alert BTC > ６２０００", "not a number"),  # fullwidth digits
        ("alert BTC > 1" + "0" * 20, "too large"),
        ("alert BTC > 62000 now", "unexpected"),
        ("alert XRP > 1", "names no instrument"),
        ("alert > 62000", "name the instrument"),
        ("alert 62000 > BTC", "name the instrument"),
        ("alert pnl crosses 5", "not a comparison here"),
        ("alert pnl < 1,000", "not a number"),
        ("alert drawdown > -2%", "never negative"),
        ("alert drawdown > 150%", "more than the peak"),
        ("alert fill BTC ETH", "unexpected"),
        ("alert stale now", "unexpected"),
        ("alert repeat", "repeat what"),
        ("alert BTC \u200b> 62000", "invisible"),
        ("alert BTC > 62000\x00", "invisible"),
        ("alert " + "x" * 300, "too long"),
        ("alert del", "which alert"),
        ("alert del x", "not an alert number"),
        ("unalert ٣", "not an alert number"),
        ("unalert 1 2", "which alert"),
        ("alerts now", "takes nothing more"),
        ("alert bTC \u212a> 1", "not a comparison"),  # KELVIN SIGN is no keyword
    ],
)
def test_hostile_input_is_one_clear_refusal(line, says):
    with pytest.raises(GrammarError) as err:
        command(line)
    message = str(err.value)
    assert says in message
    assert "\n" not in message


def test_a_price_alert_on_a_name_that_fits_two_instruments_says_so():
    usd = Instrument("sim", "BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))
    with pytest.raises(GrammarError, match="be specific"):
        parse_alert_command("alert BTC > 1", [BTC, usd])


def test_syntax_alone_needs_no_instruments():
    rule = parse_rule("XYZ mid > 5 repeat")
    assert rule.subject == "XYZ" and rule.instrument == ""
    with pytest.raises(AlertSyntaxError):
        parse_rule("XYZ ~ 5")


def test_config_rules_are_checked_with_one_line_naming_the_rule(tmp_path):
    settings = load_settings(alerts={"rules": ["BTC > 62000", "alert pnl < -500"], "bell": False})
    assert settings.alerts.rules == ["BTC > 62000", "alert pnl < -500"]
    assert not settings.alerts.bell and not settings.alerts.fills
    path = tmp_path / "bad.toml"
    path.write_text('[alerts]\nrules = ["BTC > 62000", "BTC >> 1"]\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    text = str(err.value)
    assert "rules[1] 'BTC >> 1'" in text and "not a comparison" in text
