"""Restart reconciliation: adopt, resolve by query, apply missed fills once, or HALT with the
reason on screen."""

import asyncio


from tests.trading_harness import BTC, MID, Harness
from tradeterm.domain.events import ReconciliationCompleted, TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.domain.reports import OrderStatusReport

S = OrderStatus


def restart(old: Harness, url: str, **kw) -> Harness:
    """A new engine on the same store; the venue (an exchange) kept its state."""
    new = Harness(url, **kw)
    new.venue.orders = old.venue.orders
    new.venue.fill_log = old.venue.fill_log
    new.venue.account = old.venue.account
    new.venue._trade = old.venue._trade
    new.clock.advance_to(old.clock.timestamp_ns() + 10**9)
    return new


async def test_restart_adopts_resolves_and_applies_missed_fills_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = Harness(url, risk={"duplicate_window_ms": 0})
    await h.start()
    a = h.submit(Side.BUY, 100, MID - 2)
    b = h.submit(Side.BUY, 100, MID - 4)
    h.venue.auto_ack = False
    c = h.submit(Side.SELL, 100, MID + 2)  # sent, never acknowledged...
    del h.venue.orders[c.client_order_id]  # ...because it never arrived
    h.store.close()  # the engine dies here
    # while it is away: a fills, b is canceled, someone places an order on the account
    h.venue.fill(a.client_order_id, 100, publish=False)
    h.venue.cancel_at_venue(b.client_order_id, publish=False)
    h.venue.orders["manual-web-1"] = OrderStatusReport(
        "manual-web-1", "V77", BTC.id, Side.SELL, 30, S.ACCEPTED, 0, MID + 10
    )
    again = restart(h, url)
    assert await again.start()
    result = again.desk.reconciliations[-1]
    # a, b and c are each settled by a query (a's record is read before its fill is applied)
    assert (result.missed_fills, result.adopted, result.resolved) == (1, 1, 3)
    oms = again.desk.oms
    assert oms.get(a.client_order_id).status is S.FILLED
    assert oms.get(b.client_order_id).status is S.CANCELED
    assert oms.get(c.client_order_id).status is S.REJECTED
    assert oms.get(c.client_order_id).reason == "NOT_RECEIVED"
    external = oms.working["manual-web-1"]
    assert external.external and external.source == "external"
    assert again.desk.portfolio.qty(BTC.id) == 100
    assert again.desk.killswitch.state is TradingState.ACTIVE
    assert any(e.clean for e in again.of(ReconciliationCompleted))
    # risk counts the adopted order: a buy at or above its price would self-cross
    assert again.submit(Side.BUY, 10, MID + 10).reason == "SELF_CROSS"
    # a second restart finds nothing new to apply
    again.store.close()
    third = restart(again, url)
    assert await third.start()
    assert third.desk.reconciliations[-1].missed_fills == 0
    assert third.desk.portfolio.qty(BTC.id) == 100 and len(third.store.load_fills()) == 1


async def test_position_mismatch_halts_with_the_reason_in_the_status_view(tmp_path):
    h = Harness()
    h.venue.account = {BTC.id: 500}  # the venue says we hold 0.05 BTC; we know of nothing
    assert not await h.start()
    assert h.desk.killswitch.state is TradingState.HALTED
    assert h.views.status.trading_state is TradingState.HALTED
    reason = h.views.status.trading_state_reason
    assert "our position is 0.0000 BTC, the venue's is 0.0500 BTC" in reason
    assert h.submit().reason == "KILL_SWITCH"


async def test_an_unreachable_venue_halts():
    h = Harness(oms={"reconcile_retry_s": 0.2})  # retried this long first (test_reconcile_retry)
    h.venue.fail_queries = 100
    assert not await h.start()
    assert "did not answer" in h.views.status.trading_state_reason
    assert h.desk.killswitch.source == "reconciliation"


async def test_positions_that_do_not_match_their_fills_halt(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = Harness(url)
    await h.start()
    order = h.submit(Side.BUY, 100)
    h.venue.fill(order.client_order_id, 100)
    h.store.conn.execute("UPDATE positions SET qty = 90")  # a torn or tampered store
    h.store.conn.commit()
    h.store.close()
    again = restart(h, url)
    again.venue.account = None  # no venue position view: only our own integrity check
    assert not await again.start()
    assert "position 0.0090 BTC but its fills sum to 0.0100 BTC" in again.desk.killswitch.reason


async def test_an_acknowledged_order_a_real_venue_forgot_is_a_problem(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = Harness(url)
    await h.start()
    order = h.submit()
    h.store.close()
    del h.venue.orders[order.client_order_id]
    again = restart(h, url)
    assert not await again.start()
    assert "has no record of it" in again.desk.killswitch.reason


def test_sim_restart_closes_lost_orders_and_keeps_the_account(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    # a --fast run on a file store, quoting, and not canceling on exit: like a crash
    from tradeterm.config import load_settings
    from tradeterm.runtime.kernel import Kernel, RunOptions

    def kernel(seconds):
        settings = load_settings(
            sim={"seed": 3}, oms={"database_url": url}, session={"cancel_on_exit": False}
        )
        return Kernel(settings, RunOptions(fast=True, seconds=seconds, quoter="placeholder"))

    k1 = kernel(20)
    asyncio.run(k1.run())
    left = dict(k1.desk.oms.working)
    positions = {i: p.qty for i, p in k1.desk.portfolio.positions.items()}
    assert left and any(positions.values())
    k2 = kernel(1)
    asyncio.run(k2.run())
    result = k2.desk.reconciliations[0]
    assert result.clean and result.closed_lost == len(left)
    from tradeterm.oms.store import Store

    store = Store(url)
    for coid in left:
        order = store.load_order(coid)
        assert order.status in (S.CANCELED, S.REJECTED) and order.reason in (
            "VENUE_LOST",
            "NOT_RECEIVED",
        )
    # the paper account survived: the restarted sim venue opened with the stored positions
    second = store.load_fills()
    for iid, qty in positions.items():
        moved = sum(
            int(f.side) * f.qty
            for f in second
            if f.instrument == iid and f.client_order_id.startswith("TT000002")
        )
        assert k2.desk.portfolio.qty(iid) == qty + moved
    assert store.fill_sums() == {p.instrument: p.qty for p in store.load_positions() if p.fills}
    assert k2.desk.killswitch.state is TradingState.ACTIVE
    venue_account = {r.instrument: r.qty for r in asyncio.run(k2.execution.positions())}
    assert venue_account == {i: q for i, q in k2.desk._positions().items() if q}
