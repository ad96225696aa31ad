"""The loopback exchange's faults, injected on purpose (REST errors and silences, fault plans on a
schedule), and the one thing it refuses outright: listening on anything but a loopback address."""

import pytest

from tests.loopback_session import loopback_settings, wait_until
from tradeterm.venues.binance_errors import UnknownOutcome
from tradeterm.venues.loopback import (
    FaultPlan,
    FaultSpecError,
    LoopbackServer,
    NotLoopback,
    check_loopback,
)


async def test_rest_faults(server, rest):
    server.injector.fail_rest(1, 503)
    with pytest.raises(UnknownOutcome, match="HTTP 503"):
        await rest.signed("GET", "/api/v3/openOrders")
    rest.timeout_s = 0.2
    server.injector.hold_rest(0.5)
    with pytest.raises(UnknownOutcome, match="no answer"):
        await rest.public("/api/v3/ping")
    rest.timeout_s = 5.0  # the hold was for one answer: the next comes (on a loaded machine too)
    assert await rest.public("/api/v3/ping") == {}
    assert server.injector.counts == {"5xx": 1, "timeout": 1}


def test_fault_plans_parse_and_refuse_nonsense():
    plan = FaultPlan.parse("drop=30, gap=45,stale=60:5,delay=50,5xx=0.05,timeout=0.02:10,dup=0.1")
    assert (plan.drop_every_s, plan.gap_every_s, plan.stale_every_s, plan.stale_for_s) == (
        30,
        45,
        60,
        5,
    )
    assert (
        plan.delay_ms,
        plan.rest_5xx_rate,
        plan.timeout_rate,
        plan.timeout_hold_s,
        plan.duplicate_rate,
    ) == (50, 0.05, 0.02, 10, 0.1)
    for bad in ("drop", "drop=x", "drop=0", "5xx=2", "explode=1"):
        with pytest.raises(FaultSpecError):
            FaultPlan.parse(bad)


async def test_scheduled_faults_fire():
    settings = loopback_settings(faults="drop=0.3")
    async with LoopbackServer(settings.exchange) as srv:  # two drops within the same 1.3 s
        await wait_until(lambda: srv.injector.counts.get("drop", 0) >= 2, 1.3, "two drops")
        assert srv.injector.counts.get("drop", 0) >= 2


def test_only_loopback_addresses():
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        check_loopback(host)
    for host in ("0.0.0.0", "192.168.1.2", "10.0.0.1", "example.com", "::"):
        with pytest.raises(NotLoopback):
            check_loopback(host)


async def test_discovery_asks_again_after_a_503(server):
    """A live session's start asked ``exchangeInfo`` once: a 503 there (the loopback's fault
    plan met it in a soak on CI) failed the whole start. Asked again, backing off."""
    from tradeterm.venues.binance import BinanceVenue

    from tradeterm.config import load_settings

    cfg = load_settings(binance={"rest_url": server.rest_url}).binance
    server.injector.fail_rest(2, 503)
    rules = await BinanceVenue.discover(cfg, ["BTC/USDT"])
    assert [r.instrument.symbol for r in rules] == ["BTC/USDT"]
    from tradeterm.venues.binance import DISCOVER_ATTEMPTS

    server.injector.fail_rest(DISCOVER_ATTEMPTS, 503)  # a venue that stays down: said so
    with pytest.raises(UnknownOutcome, match="HTTP 503"):
        await BinanceVenue.discover(cfg, ["BTC/USDT"])
