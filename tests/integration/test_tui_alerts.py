"""Alerts in the workstation (Textual pilot): typed on the command line, the market crosses,
the toast appears (and the bell rings), the modal shows the alert fired and cancels one;
refusals on the message line. The engine is a seeded --fast session, frozen, and the market's
next trades are published on its bus: the path every trade takes."""

from __future__ import annotations

from textual.widgets import Static

from tests.helpers import fast_kernel
from tests.integration.test_tui_trading import until
from tradeterm.core import topics
from tradeterm.domain.market import Side, Trade
from tradeterm.ui.app import create_app
from tradeterm.ui.screens.alerts import AlertsScreen, AlertsTable


def message(app) -> str:
    return str(app.query_one("#cmd-msg", Static).render())


def alerts_table(app) -> AlertsTable | None:
    """The alerts modal's table, once the modal is up and composed."""
    if not isinstance(app.screen, AlertsScreen):
        return None
    found = app.screen.query(AlertsTable)
    return found.first() if found else None


def table_lines(app) -> list[str]:
    table = alerts_table(app)
    return table.plain_lines() if table is not None else []


async def type_line(pilot, line: str) -> None:
    await pilot.press("colon", *[{" ": "space"}.get(c, c) for c in line], "enter")
    await pilot.pause()


def trade(kernel, inst, price: str) -> None:
    ts = kernel.clock.timestamp_ns()
    msg = Trade(inst.id, inst.price_to_ticks(price), 1, Side.BUY, 10**9, ts, ts)
    kernel.bus.publish(topics.trade(inst.id), msg)


async def test_typed_alert_fires_a_toast_and_shows_fired_in_the_modal():
    kernel = fast_kernel(seed=7, seconds=5)
    await kernel.run()
    btc = next(iter(kernel.instruments.values()))
    app = create_app(kernel, run_engine=False)
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_line(pilot, f"alert {btc.base} > 90000")
        assert f"alert #1 set: {btc.symbol} > 90000" in message(app)
        await type_line(pilot, "alert pnl < -500")
        trade(kernel, btc, "89999.5")
        await pilot.pause(0.2)
        assert not app._notifications
        trade(kernel, btc, "90000.5")
        assert await until(pilot, lambda: app._notifications and bells)
        toasts = [str(n.message) for n in app._notifications]
        assert toasts == [f"{btc.symbol} last 90000.5 > 90000"]
        assert bells == [1]
        await pilot.press("A")
        assert await until(pilot, lambda: table_lines(app)[2:])  # both alerts listed
        lines = table_lines(app)
        assert lines[0].split() == ["▶", "#1", "fired", btc.symbol, ">", "90000"]
        assert "fired 1x" in lines[1] and "90000.5 > 90000" in lines[1]
        assert lines[2].split() == ["#2", "armed", "pnl", "<", "-500"]
        await pilot.press("down", "d")
        assert await until(pilot, lambda: list(kernel.views.alerts.alerts) == [1])
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AlertsScreen)
        trade(kernel, btc, "89000")
        trade(kernel, btc, "91000")
        await pilot.pause(0.3)
        assert len(app._notifications) == 1  # once: spent


async def test_refusals_and_cancel_on_the_command_line():
    kernel = fast_kernel(seed=7, seconds=5)
    await kernel.run()
    app = create_app(kernel, run_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_line(pilot, "alert DOGE > 1")
        assert "✗" in message(app) and "names no instrument" in message(app)
        await type_line(pilot, "alert BTC >> 1")
        assert "not a comparison" in message(app)
        await type_line(pilot, "alert stale")
        await type_line(pilot, "unalert 9")
        assert "no alert #9" in message(app)
        await type_line(pilot, "unalert 1")
        assert "alert #1 cancelled: stale" in message(app)
        assert not kernel.views.alerts.alerts
        await type_line(pilot, "alerts")
        assert isinstance(app.screen, AlertsScreen)
        assert "No alerts" in app.screen.query_one(AlertsTable).plain_lines()[0]


async def test_no_toast_covers_the_alerts_modal_while_it_is_open():
    """At 80x24 the toasts of a repeating alert covered the modal that lists them; with the
    modal open, a firing shows in its list (and rings the bell), not as a toast."""
    kernel = fast_kernel(seed=7, seconds=5)
    await kernel.run()
    btc = next(iter(kernel.instruments.values()))
    app = create_app(kernel, run_engine=False)
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_line(pilot, f"alert {btc.base} > 90000")
        trade(kernel, btc, "89999.5")
        await pilot.press("A")
        assert await until(pilot, lambda: alerts_table(app) is not None)
        trade(kernel, btc, "90000.5")
        # the bell, then the modal's list redrawn with the firing: a toast would be up by then
        assert await until(pilot, lambda: bells and "fired 1x" in "".join(table_lines(app)[1:2])), (
            table_lines(app)
        )
        assert not app._notifications and bells == [1]
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert not app._notifications  # seen in the modal: no toast for it afterwards
