"""An exception in an order-path handler fails safe (issue 11.8): trading HALTS, working orders
are canceled, and the error (component, topic, exception) is the reason on the screen and in
``tradeterm status``. A failing display-only handler is logged (once, then counted) and nothing
stops."""

import asyncio
import json
import logging

from tests.integration.sessions import tradeterm
from tradeterm.config import load_settings
from tradeterm.core import topics
from tradeterm.domain.events import KillSwitchTripped, OrderAccepted, OrderFilled, TradingState
from tradeterm.runtime.kernel import Kernel, RunOptions


class PositionMirror:
    """Stands for an order-path component with a bug: it fails on the first fill."""

    def __init__(self) -> None:
        self.failed = 0

    def on_order_event(self, msg) -> None:
        if type(msg) is OrderFilled:
            self.failed += 1
            raise KeyError("sim:SIM-BTC/USD")


def run(tmp_path, seconds: float = 40, **sections):
    settings = load_settings(
        data_dir=str(tmp_path),
        sim={"seed": 3},
        oms={"database_url": f"sqlite:///{tmp_path / 'tradeterm.db'}"},
        session={"cancel_on_exit": False},
        **sections,
    )
    return Kernel(
        settings, RunOptions(fast=True, seconds=seconds, quoter="placeholder", record=False)
    )


def test_a_failing_order_path_handler_halts_cancels_and_names_the_error(tmp_path):
    kernel = run(tmp_path)
    mirror = PositionMirror()
    kernel.bus.subscribe(topics.orders(kernel.clients.name), mirror.on_order_event)
    at_trip = {}

    def on_risk(msg) -> None:
        if type(msg) is KillSwitchTripped and not at_trip:
            at_trip["working"] = [o.status.value for o in kernel.desk.oms.working.values()]

    kernel.bus.subscribe(topics.RISK, on_risk)
    asyncio.run(kernel.run())
    assert mirror.failed >= 1
    ks = kernel.desk.killswitch
    assert ks.state is TradingState.HALTED and ks.source == "engine_error"
    for part in ("PositionMirror.on_order_event", "order.sim", "KeyError", "SIM-BTC/USD"):
        assert part in ks.reason, ks.reason
    assert kernel.views.status.trading_state_reason == ks.reason  # the header and the banner
    assert all(s == "PENDING_CANCEL" for s in at_trip["working"]), at_trip
    assert not kernel.desk.oms.working  # every working order canceled by the trip
    out = tradeterm(tmp_path, "status", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["trading_state"] == "HALTED"
    assert "PositionMirror.on_order_event" in report["trading_state_reason"]
    assert report["trading_state_source"] == "engine_error"


def test_a_failing_timer_of_the_order_path_halts_too(tmp_path):
    kernel = run(tmp_path, seconds=10)
    calls = []

    def revalue(ts: int) -> None:  # the desk's revaluation, broken
        calls.append(ts)
        raise ZeroDivisionError("division by zero")

    kernel.clock.set_timer("desk.revalue.extra", 2 * 10**9, revalue)
    asyncio.run(kernel.run())
    ks = kernel.desk.killswitch
    assert ks.state is TradingState.HALTED and ks.source == "engine_error"
    assert "timer desk.revalue.extra" in ks.reason and "ZeroDivisionError" in ks.reason


def test_a_failing_display_only_handler_is_logged_and_trading_goes_on(tmp_path, caplog):
    kernel = run(tmp_path, seconds=20)
    calls = []

    def tape_colour(msg) -> None:
        calls.append(msg)
        raise ValueError("no colour for this side")

    kernel.bus.subscribe("order.*", tape_colour, essential=False)
    caplog.set_level(logging.WARNING, "tradeterm")
    asyncio.run(kernel.run())
    assert kernel.desk.killswitch.state is TradingState.ACTIVE
    assert any(type(m) is OrderAccepted for m in calls) and len(calls) > 10
    failures = [r for r in caplog.records if "tape_colour" in r.getMessage()]
    assert 1 <= len(failures) <= 3, [r.getMessage() for r in failures]  # not one per event
    assert "ValueError: no colour for this side" in failures[0].getMessage()
