"""Issue 11.2: a stop whose trigger was moved fires at the new trigger only."""

from tests.unit.matching.recorder import BUY, SELL, make
from tradeterm.matching.orders import STOP_LIMIT, STOP_MARKET


def _print(eng, oid, price):
    """A trade at ``price`` between owners 90 and 91."""
    eng.submit_limit(oid, 90, SELL, price, 1)
    eng.submit_limit(oid + 1, 91, BUY, price, 1)


def test_buy_stop_moved_up_does_not_fire_at_the_old_trigger():
    eng, rec = make()
    _print(eng, 100, 100)
    eng.submit_limit(1, 1, SELL, 120, 10)  # liquidity for the stop, far away
    eng.submit(2, 2, BUY, 3, STOP_MARKET, trigger=105)
    assert eng.modify(2, trigger=115)
    _print(eng, 200, 106)  # above the old trigger, below the new one
    assert not rec.of("triggered") and 2 in eng.stops
    _print(eng, 300, 115)
    assert rec.of("triggered") == [("triggered", 2, 115)] and 2 not in eng.stops


def test_sell_stop_moved_down_and_back_fires_once_at_the_last_trigger():
    eng, rec = make()
    _print(eng, 100, 100)
    eng.submit_limit(1, 1, BUY, 80, 10)
    eng.submit(2, 2, SELL, 3, STOP_LIMIT, 80, trigger=95)
    assert eng.modify(2, trigger=90) and eng.modify(2, trigger=92)
    _print(eng, 200, 94)
    assert not rec.of("triggered")
    _print(eng, 300, 92)
    assert rec.of("triggered") == [("triggered", 2, 92)]
    assert [f for f in rec.fills if f[2] == 2 or f[0] == 2] == [(1, 1, 2, 2, 80, 3)]


def test_a_moved_stop_keeps_its_new_trigger_after_a_size_change():
    eng, rec = make()
    _print(eng, 100, 100)
    eng.submit(2, 2, BUY, 3, STOP_MARKET, trigger=105)
    assert eng.modify(2, trigger=110) and eng.modify(2, qty=5)
    _print(eng, 200, 107)
    assert not rec.of("triggered") and eng.stops[2].qty == 5
