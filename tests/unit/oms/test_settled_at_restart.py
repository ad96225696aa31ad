"""Settling orders whose outcome died with the process: the restart's reconciliation brings the
venue's record, and the OMS takes it without a stuck order or a false kill-switch trip (issue
12.1, and races the state machine found)."""

from tests.trading_harness import BTC, MID, Harness
from tests.unit.oms.settling import replace, settle, started
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus

S = OrderStatus


async def test_an_order_cancelled_before_a_venue_that_never_got_it_is_not_placed(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    h.venue.auto_ack = False
    order = h.submit()
    del h.venue.orders[order.client_order_id]  # the POST died with a 503: never placed
    h.desk.oms.cancel(order.client_order_id)  # e.g. the kill switch, before any answer
    assert order.status is S.PENDING_CANCEL
    h.store.close()
    again = Harness(url)
    again.venue.orders = h.venue.orders
    again.clock.advance_to(h.clock.timestamp_ns() + 10**9)
    assert await again.start(), again.desk.killswitch.reason
    stored = again.desk.oms.get(order.client_order_id)
    assert stored.status is S.REJECTED and stored.reason == "NOT_RECEIVED"
    assert again.desk.killswitch.state is TradingState.ACTIVE


async def test_an_acknowledged_order_the_venue_forgot_is_still_a_problem(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    order = h.submit()
    h.venue.auto_ack = False
    h.desk.oms.cancel(order.client_order_id)
    assert order.status is S.PENDING_CANCEL and order.venue_order_id == "V1"
    h.store.close()
    del h.venue.orders[order.client_order_id]
    again = Harness(url)
    again.venue.orders = h.venue.orders
    assert not await again.start()
    assert "has no record of it" in again.desk.killswitch.reason


async def test_a_cancel_pending_at_a_restart_is_settled_by_reconciliation(tmp_path):
    """The pending status is stored; what it was before is not. The restart must still settle
    it, and carry out the cancel the trader asked for (it used to raise inside reconciliation
    and HALT as 'venue did not answer')."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(order.client_order_id, 40)
    h.venue.auto_ack = False
    h.desk.oms.cancel(order.client_order_id)  # the cancel never reached the venue
    h.store.close()
    again = Harness(url)
    again.venue.orders = h.venue.orders
    again.venue.fill_log = h.venue.fill_log
    again.venue.account = h.venue.account
    again.venue.auto_ack = False
    assert await again.start(), again.desk.killswitch.reason
    resumed = again.desk.oms.get(order.client_order_id)
    assert resumed.status is S.PENDING_CANCEL and resumed.filled_qty == 40
    assert again.venue.cancels == [order.client_order_id]  # sent again: it was still working
    again.venue.cancel_at_venue(order.client_order_id)
    assert resumed.status is S.CANCELED and again.desk.portfolio.qty(BTC.id) == 40


async def test_a_crash_that_lost_a_pending_modify_does_not_fill_the_order_at_restart(tmp_path):
    """The modify's PENDING_UPDATE was only buffered when the process died; the venue took
    it (100 -> 200) and filled 100. The restart must not call the order FILLED from its old
    quantity (it then HALTed: 'FILLED here but working at the venue')."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url, modify=True)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.store.flush()
    h.desk.execute(ModifyOrder(0, order.client_order_id, BTC.id, MID - 2, 200))
    r = h.venue.orders[order.client_order_id]
    h.venue.orders[order.client_order_id] = replace(r, qty=200)
    h.venue.fill(order.client_order_id, 100, publish=False)
    h.store.conn.close()  # killed: the buffered PENDING_UPDATE is gone
    again = Harness(url, modify=True)
    for name in ("orders", "fill_log", "account"):
        setattr(again.venue, name, getattr(h.venue, name))
    assert await again.start(), again.desk.killswitch.reason
    resumed = again.desk.oms.get(order.client_order_id)
    assert resumed.status is S.PARTIALLY_FILLED and (resumed.qty, resumed.filled_qty) == (200, 100)


async def test_a_late_fill_for_an_order_that_ended_before_a_restart_updates_its_record(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    h = await started(url)
    order = h.submit(Side.BUY, 100, MID - 2)
    h.venue.fill(order.client_order_id, 30, publish=False)  # traded; the news is late...
    h.desk.oms.cancel(order.client_order_id)  # ...and the cancel's answer came first
    assert order.status is S.CANCELED and order.filled_qty == 0
    h.store.close()  # then the process stopped: the fill's event was never seen
    again = Harness(url)
    for name in ("orders", "fill_log", "account"):
        setattr(again.venue, name, getattr(h.venue, name))
    again.venue._trade = h.venue._trade
    assert await again.start(), again.desk.killswitch.reason
    await settle(again)
    stored = again.store.load_order(order.client_order_id)
    assert (stored.status, stored.filled_qty) == (S.CANCELED, 30)
    assert again.desk.portfolio.qty(BTC.id) == 30
