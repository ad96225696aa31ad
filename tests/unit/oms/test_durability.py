"""The store's fsync off the engine's loop (``oms/durability.py``): on a slow disk the loop keeps
running (keys, screen, market data), an order still reaches the venue only once its record is
on disk, a fill is told only once it is on disk and in the order the fills came, the kill switch
cancels the orders still waiting for the disk, and a disk that fails halts trading."""

import asyncio
import threading
import time

from tests.trading_harness import BTC, MID, Harness
from tradeterm.core import topics
from tradeterm.domain.commands import ModifyOrder
from tradeterm.domain.events import OrderCanceled, PositionChanged, TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus
from tradeterm.oms.durability import HeldUntilDurable, WalSync
from tradeterm.oms.reasons import NOT_SENT
from tradeterm.oms.store import Store
from tradeterm.trading.results import CHANGE_WAITING, RequestRefused, RequestSent

S = OrderStatus


class SlowDisk:
    """The sync thread's fsync waits until the test opens the gate (the loop's own fsyncs, for
    the kill switch's state, go through at once)."""

    def __init__(self, real) -> None:  # noqa: ANN001
        self.real = real
        self.gate = threading.Event()
        self.started = threading.Event()  # the thread is inside an fsync
        self.done = 0  # the thread's fsyncs that returned
        self.fail = False

    def __call__(self, fd: int) -> None:
        if threading.current_thread() is threading.main_thread():
            self.real(fd)
            return
        self.started.set()
        assert self.gate.wait(10), "the test never opened the gate"
        if self.fail:
            raise OSError(5, "Input/output error")
        self.real(fd)
        self.done += 1


async def on_slow_disk(tmp_path, **kw) -> tuple[Harness, SlowDisk]:  # noqa: ANN001
    h = Harness(f"sqlite:///{tmp_path / 'db.sqlite'}", sync_thread=True, **kw)
    durability = h.store.durability
    assert isinstance(durability, WalSync)
    disk = SlowDisk(durability.fsync)
    durability.fsync = disk
    durability.start(asyncio.get_running_loop())
    await h.start()
    return h, disk


async def until(condition, seconds: float = 5.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.002)


async def test_an_order_goes_out_only_once_its_record_is_on_disk_and_the_loop_runs_meanwhile(
    tmp_path,
):
    h, disk = await on_slow_disk(tmp_path)
    durability = h.store.durability
    seen = []
    h.venue.on_submit = lambda order: seen.append(
        (h.store.load_order(order.client_order_id).status, disk.done)
    )
    began = time.perf_counter()
    order = h.submit()
    took = time.perf_counter() - began
    assert order.status is S.SUBMITTED and h.venue.sent == []
    assert took < 0.05  # the loop did not wait for the disk
    assert disk.started.wait(2)
    ticks = 0
    for _ in range(10):  # the loop runs while the fsync is stuck
        await asyncio.sleep(0.005)
        ticks += 1
    assert ticks == 10 and h.venue.sent == [] and durability.held == 1
    disk.gate.set()
    await until(lambda: h.venue.sent)
    assert len(seen) == 1 and seen[0][0] is S.SUBMITTED  # recorded,
    assert seen[0][1] >= 1  # and the thread's fsync had returned
    assert order.status is S.ACCEPTED and durability.held == 0
    h.store.close()


async def test_the_kill_switch_cancels_the_orders_still_waiting_for_the_disk(tmp_path):
    h, disk = await on_slow_disk(tmp_path)
    orders = [h.submit(Side.BUY, 10, MID - 2 - i) for i in range(3)]
    assert disk.started.wait(2)
    h.desk.kill.trip("test", "key")
    assert h.desk.killswitch.state is TradingState.HALTED
    h.store.flush()
    for order in orders:
        assert (order.status, order.reason) == (S.CANCELED, NOT_SENT)
        assert h.store.load_order(order.client_order_id).status is S.CANCELED
    disk.gate.set()
    await until(lambda: h.store.durability.held == 0)
    await asyncio.sleep(0.02)
    assert h.venue.sent == [] and h.venue.cancels == []  # the venue never heard of them
    assert not h.desk.oms.working
    h.store.close()


async def test_a_halt_that_leaves_orders_working_still_sends_nothing_new(tmp_path):
    h, disk = await on_slow_disk(tmp_path)
    disk.gate.set()
    working = h.submit(Side.BUY, 10, MID - 5)
    await until(lambda: working.status is S.ACCEPTED)
    disk.gate.clear()
    waiting = h.submit(Side.BUY, 10, MID - 6)
    h.desk.kill.trip("hangup", "hangup", cancel=False)  # the hangup policy "halt"
    assert (waiting.status, waiting.reason) == (S.CANCELED, NOT_SENT)
    disk.gate.set()
    await until(lambda: h.store.durability.held == 0)
    await asyncio.sleep(0.02)
    assert [o.client_order_id for o in h.venue.sent] == [working.client_order_id]
    assert working.status is S.ACCEPTED and h.venue.cancels == []
    h.store.close()


async def test_a_modify_goes_right_after_the_order_it_moves(tmp_path):
    h, disk = await on_slow_disk(tmp_path, modify=True)
    order = h.submit(Side.BUY, 10, MID - 10)
    move = ModifyOrder(0, order.client_order_id, BTC.id, MID - 12, 10)
    assert h.desk.execute(move) == RequestSent(order.client_order_id)  # goes once the order went
    again = ModifyOrder(0, order.client_order_id, BTC.id, MID - 14, 10)
    # one is waiting already (as if unanswered)
    assert h.desk.execute(again) == RequestRefused(order.client_order_id, CHANGE_WAITING)
    assert (order.price, h.venue.sent, h.venue.modifies) == (MID - 10, [], [])
    disk.gate.set()
    await until(lambda: h.venue.modifies)
    assert [o.client_order_id for o in h.venue.sent] == [order.client_order_id]
    assert h.venue.modifies == [(order.client_order_id, MID - 12, 10)]
    h.store.close()


async def test_an_order_canceled_before_it_went_is_announced_like_any_cancel(tmp_path):
    h, disk = await on_slow_disk(tmp_path)
    order = h.submit(Side.BUY, 10, MID - 10)
    assert h.desk.oms.cancel(order.client_order_id)
    canceled = h.of(OrderCanceled)  # the quoter, the journal and the screen hear of it
    assert [(e.client_order_id, e.reason) for e in canceled] == [(order.client_order_id, NOT_SENT)]
    disk.gate.set()
    await until(lambda: h.store.durability.held == 0)
    assert h.venue.sent == [] and order.status is S.CANCELED
    h.store.close()


async def test_fills_are_told_once_on_disk_in_the_order_they_came(tmp_path):
    h, disk = await on_slow_disk(tmp_path)
    disk.gate.set()
    order = h.submit(Side.BUY, 100)
    await until(lambda: order.status is S.ACCEPTED)
    disk.gate.clear()
    disk.started.clear()
    positions = []
    h.bus.subscribe(
        topics.POSITION, lambda e: positions.append(e.qty) if type(e) is PositionChanged else None
    )
    first = h.venue.fill(order.client_order_id, 40)
    assert disk.started.wait(2)  # the thread is stuck on the first fill's fsync
    h.venue.fill(order.client_order_id, 60)
    assert order.status is S.FILLED and order.client_order_id not in h.desk.oms.working
    assert len(h.store.load_fills()) == 2  # committed: the store has both
    assert h.store.load_positions()[0].qty == 100
    assert h.desk.portfolio.qty(BTC.id) == 0  # nobody has heard of either yet
    assert list(h.views.fills.items) == [] and positions == []
    disk.gate.set()
    await until(lambda: h.desk.portfolio.qty(BTC.id) == 100)
    assert [f.qty for f in h.views.fills.items] == [40, 60]
    assert positions == [40, 100]
    assert h.views.fills.items[0].trade_id == first.trade_id
    h.store.close()


async def test_a_disk_that_fails_halts_trading_and_says_why(tmp_path):
    h, disk = await on_slow_disk(tmp_path)
    disk.fail = True
    order = h.submit()
    assert disk.started.wait(2)
    disk.gate.set()
    await until(lambda: h.desk.killswitch.state is TradingState.HALTED)
    assert "cannot make its writes durable" in h.desk.killswitch.reason
    assert "Input/output error" in h.desk.killswitch.reason
    assert (order.status, order.reason) == (S.CANCELED, NOT_SENT)
    await asyncio.sleep(0.02)
    assert h.venue.sent == []
    h.store.close()


def test_held_actions_run_in_the_order_they_were_handed_over() -> None:
    asked = []
    queue = HeldUntilDurable(asked.append)
    ran = []
    queue.after(lambda: ran.append("at once"))  # nothing undurable before it
    queue.commit()
    queue.after(lambda: ran.append("a"))
    queue.commit()

    def b() -> None:
        ran.append("b")
        queue.commit()  # a released action writes again: what it hands over waits for that
        queue.after(lambda: ran.append("b's"))

    queue.after(b)
    queue.after(lambda: ran.append("c"))
    assert ran == ["at once"] and asked == [1, 2, 2]
    queue.caught_up(1)
    assert ran == ["at once", "a"]
    queue.caught_up(2)
    assert ran == ["at once", "a", "b", "c"] and asked[-1] == 3
    queue.caught_up(3)
    assert ran == ["at once", "a", "b", "c", "b's"] and queue.held == 0


def test_a_store_whose_wal_file_is_gone_still_syncs(tmp_path) -> None:
    """SQLite deletes the WAL file when the last connection closes; a store opened again, or
    one whose file was never written, syncs all the same."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    Store(url, sync_thread=True).close()
    for extra in ("-wal", "-shm"):
        (tmp_path / f"db.sqlite{extra}").unlink(missing_ok=True)
    store = Store(url, sync_thread=True)
    assert isinstance(store.durability, WalSync) and store.durability.broken is None
    store.next_session()  # a durable write: fsynced on this thread (not started)
    assert store.durability.syncs >= 2
    store.close()


async def test_an_order_waiting_for_the_disk_when_the_session_stops_never_goes_out(tmp_path):
    h, disk = await on_slow_disk(tmp_path, session={"cancel_on_exit": False})
    order = h.submit(Side.BUY, 10, MID - 10)
    h.desk.stop()  # the trader quit: working orders stay, but nothing new goes out
    assert (order.status, order.reason) == (S.CANCELED, NOT_SENT)
    disk.gate.set()
    h.store.close()
    assert h.venue.sent == []
