"""Repeating price alerts re-arm with hysteresis (``[alerts] rearm_ticks`` and
``min_interval_s``, trading/alert_rules.py): a level the market wanders around fires once, not
at every touch."""

from decimal import Decimal

from tradeterm.domain.alerts import AlertOp
from tradeterm.trading.alert_rules import PriceLevel, Rearm

TICK = Decimal("0.5")
S = 1_000_000_000


def level(op: AlertOp, price: str, rearm: Rearm) -> PriceLevel:
    return PriceLevel.at(op, Decimal(price), TICK, True, rearm)


def run(trigger: PriceLevel, prices: list[str], every_s: int = 1) -> list[bool]:
    """Prices a second apart (as half-ticks)."""
    return [
        trigger.update(2 * int(Decimal(p) / TICK), n * every_s * S)
        for n, p in enumerate(p for p in prices)
    ]


# the market wanders one tick around 100 (tick 0.5), then leaves and comes back
WANDER = ["99.5", "100", "99.5", "100", "100.5", "99.5", "100", "99.5"]


def test_above_re_arms_only_after_the_price_went_back_under_the_level_by_the_ticks():
    trigger = level(AlertOp.ABOVE, "100", Rearm(ticks=3))
    # 100.5 fires; wandering back to 99.5 (one tick under) does not re-arm; 98.5 (3 under) does
    prices = ["99.5", "100.5", "99.5", "100.5", "99", "100.5", "98.5", "100.5"]
    assert run(trigger, prices) == [False, True, False, False, False, False, False, True]


def test_below_re_arms_only_after_the_price_went_back_over_the_level_by_the_ticks():
    trigger = level(AlertOp.BELOW, "100", Rearm(ticks=2))
    prices = ["100.5", "99.5", "100.5", "99.5", "101", "99.5"]
    assert run(trigger, prices) == [False, True, False, False, False, True]


def test_crosses_fires_once_while_the_price_wanders_around_the_level():
    trigger = level(AlertOp.CROSSES, "100", Rearm(ticks=3))
    assert run(trigger, WANDER) == [False, True, False, False, False, False, False, False]


def test_crosses_fires_again_when_the_price_comes_back_to_the_level_from_the_ticks_away():
    trigger = level(AlertOp.CROSSES, "100", Rearm(ticks=3))
    # up through 100 fires; 101.5 is 3 ticks above: armed; back down to 100 fires;
    # 98.5 (3 below) arms it again; up to 100.5 fires
    prices = ["99", "100", "100.5", "101.5", "100.5", "100", "99.5", "98.5", "100.5"]
    assert run(trigger, prices) == [False, True, False, False, False, True, False, False, True]


def test_without_rearm_ticks_every_touch_fires_as_before():
    trigger = level(AlertOp.CROSSES, "100", Rearm(ticks=0))
    assert run(trigger, WANDER) == [False, True, True, True, False, True, True, True]


def test_a_firing_within_the_minimum_interval_is_swallowed():
    trigger = level(AlertOp.CROSSES, "100", Rearm(ticks=0, interval_ns=3 * S))
    # touches at 1 s, 2 s, 3 s: only the first fires; the one at 6 s (5 s later) fires
    prices = ["99.5", "100", "99.5", "100", "100", "100", "99.5", "99.5"]
    assert run(trigger, prices) == [False, True, False, False, False, False, True, False]


def test_trades_at_the_level_fire_once():
    """Without ticks, prices staying at the level are one crossing, not one per trade."""
    trigger = level(AlertOp.CROSSES, "100", Rearm(ticks=0))
    assert run(trigger, ["99.5", "100", "100", "100", "100.5", "100"]) == [
        False,
        True,
        False,
        False,
        False,
        True,
    ]


def test_the_config_sets_how_a_session_re_arms(tmp_path):
    """``[alerts] rearm_ticks`` / ``min_interval_s`` reach the session's alerts: wandering one
    tick around the level fires once, typed alerts included."""
    from tests.unit.test_alerts_engine import BTC, Session
    from tradeterm.config import load_settings
    from tradeterm.trading.alerts import Alerts

    settings = load_settings(
        data_dir=str(tmp_path),
        alerts={"rules": ["BTC crosses 62000 repeat"], "rearm_ticks": 2, "min_interval_s": 30},
    )
    s = Session()
    s.alerts = Alerts.for_session(settings, s.bus, s.clock, s.views, {BTC.id: BTC}, keep=False)
    assert s.alerts.rearm == Rearm(2, 30 * S)
    s.alerts.set(s.alerts.parse("BTC > 62000 repeat"))
    for price in ["61999.5", "62000.5", "61999.5", "62000.5", "61999.5", "62000.5"]:
        s.trade(BTC, price)
        s.clock.advance_to(s.clock.timestamp_ns() + S)
    assert [f.rule for f in s.fired] == ["BTC/USDT crosses 62000 repeat", "BTC/USDT > 62000 repeat"]
