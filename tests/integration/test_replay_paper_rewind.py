"""Going back in a `replay --paper` (issue 16): the paper trades after the target are discarded
(refused without `discard`, saying what it would discard), the OMS, portfolio, fills and the
paper venue's working orders are what they were at the target, and the run's journal keeps the
discarded records as a branch."""

import asyncio
import time
from pathlib import Path

from tradeterm.config import load_settings
from tradeterm.domain.commands import CancelOrder, SubmitOrder
from tradeterm.domain.events import OrderCanceled, OrderFilled
from tradeterm.domain.market import Side
from tradeterm.record.journal import JournalReader
from tradeterm.record.paper_branch import branches, discarded
from tradeterm.record.records import ReplayBranch
from tradeterm.runtime.kernel import Kernel, RunOptions

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
S = 10**9


def paper_kernel(journal: Path | None) -> Kernel:
    settings = load_settings(sim={"seed": 1}, paper={"latency_ms": 0, "latency_jitter_ms": 0})
    return Kernel(
        settings,
        RunOptions(
            mode="replay",
            replay=SHIPPED,
            paper=True,
            speed=1.0,
            record=journal is not None,
            recording=journal,
        ),
    )


async def settle(replay, done, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < end, replay.state.message
        await asyncio.sleep(0.01)


def state(kernel: Kernel) -> dict:
    """What a rewind must restore: the blotter, positions (PnL, fees), the fills pane and the
    paper venue's resting orders (with what they have left)."""
    desk = kernel.desk
    books = kernel.execution.execution.books  # type: ignore[attr-defined]
    return {
        "orders": {
            coid: (o.status, o.qty, o.filled_qty, o.price)
            for coid, o in kernel.views.orders.orders.items()
        },
        "positions": {
            iid: (p.qty, p.cost, p.realized, p.fees, p.fills)
            for iid, p in desk.portfolio.positions.items()
        },
        "fills": [(f.trade_id, f.side, f.price, f.qty, f.fee) for f in kernel.views.fills.items],
        "paper": {
            (iid, oid): (o.side, o.price, o.leaves, o.working)
            for iid, book in books.items()
            for oid, o in {**book.orders, **book.stops}.items()
        },
    }


def submit(kernel: Kernel, inst, side: Side, price: int, lots: int = 10_000) -> str:
    coid = kernel.next_order_id()
    kernel.submit(SubmitOrder(kernel.clock.timestamp_ns(), coid, inst.id, side, lots, price=price))
    return coid


def test_seek_back_discards_the_paper_trades_after_the_target_and_the_journal_keeps_them(
    tmp_path,
):
    journal = tmp_path / "run.ttj"
    kernel = paper_kernel(journal)
    replay = kernel.replay
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    start = replay.state.start_ns
    replay.pause()
    seen = {}

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 30 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        book = kernel.views.books[inst.id]
        submit(kernel, inst, Side.BUY, book.best_ask)  # takes the ask: a fill
        resting = submit(kernel, inst, Side.BUY, book.best_bid - 100_000)  # works
        await asyncio.sleep(0.05)
        at_target = state(kernel)
        assert len(at_target["fills"]) >= 1 and at_target["paper"]  # not vacuous
        target_clock = kernel.clock.timestamp_ns()

        assert replay.seek(start + 90 * S)  # forward, on the bus: the fill model sees it
        await settle(replay, lambda: replay.state.message == "at seek target")
        book = kernel.views.books[inst.id]
        submit(kernel, inst, Side.SELL, book.best_bid)  # a fill after the target
        submit(kernel, inst, Side.SELL, book.best_ask + 100_000)  # works, after the target
        kernel.desk.execute(CancelOrder(kernel.clock.timestamp_ns(), resting, inst.id))
        await asyncio.sleep(0.05)
        later = state(kernel)
        assert later != at_target and resting not in later["orders"]

        # without discard: refused, saying what it would discard; nothing moved
        assert not replay.seek(start + 30 * S)
        said = replay.state.message
        assert (
            said.startswith("seek back to 23:54:43.")
            and " discards 3 order(s), 0 held order(s) and " in said
        )
        assert said.endswith("kept in the run's journal as a branch — go back? y/n")
        assert replay.offer is not None and state(kernel) == later

        began = time.perf_counter()
        assert replay.seek(start + 30 * S, discard=True)
        seen["seek_ms"] = (time.perf_counter() - began) * 1e3
        assert replay.state.message == "at seek target"
        assert kernel.clock.timestamp_ns() <= target_clock
        assert state(kernel) == at_target

        # the restored order works at the paper venue again: a cancel reaches it
        canceled = []
        kernel.bus.subscribe(
            f"order.{kernel.clients.name}",
            lambda m: canceled.append(m) if type(m) is OrderCanceled else None,
        )
        kernel.desk.execute(CancelOrder(kernel.clock.timestamp_ns(), resting, inst.id))
        await asyncio.sleep(0.05)
        assert [c.client_order_id for c in canceled] == [resting]
        seen["fills_after"] = len(kernel.views.fills.items)
        kernel.request_stop()
        await task

    asyncio.run(drive())
    print("seek back with paper trades:", seen)
    assert seen["seek_ms"] < 2000, seen

    with JournalReader(journal) as reader:
        rows = list(reader.records_iter())
    found = list(branches(rows))
    assert len(found) == 1
    branch, seq = found[0]
    assert type(branch) is ReplayBranch and branch.orders == 3 and branch.fills >= 1
    gone = discarded(rows)
    fills = [(s, e) for s, _t, _p, e in rows if type(e) is OrderFilled]
    commands = [(s, e) for s, _t, _p, e in rows if type(e) is SubmitOrder]
    assert len(commands) == 4  # every order sent is in the file, discarded ones too
    assert [s in gone for s, _e in commands] == [False, False, True, True]
    assert all(branch.first_seq <= s < seq for s in gone)
    assert any(s in gone for s, _e in fills) and any(s not in gone for s, _e in fills)
    assert seen["fills_after"] == sum(s not in gone for s, _e in fills)


def test_with_no_paper_trades_after_the_target_it_just_seeks_back():
    kernel = paper_kernel(None)
    replay = kernel.replay
    inst = next(i for i in kernel.instruments.values() if i.symbol == "BTC/USDT")
    start = replay.state.start_ns
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 30 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        submit(kernel, inst, Side.BUY, kernel.views.books[inst.id].best_bid - 100_000)
        await asyncio.sleep(0.05)
        before = state(kernel)
        assert replay.seek(start + 90 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert replay.seek(start + 60 * S)  # nothing traded after it: no question
        assert replay.offer is None and replay.state.message == "at seek target"
        assert state(kernel) == before  # the order still works, at the venue too
        kernel.request_stop()
        await task

    asyncio.run(drive())


def test_the_quoter_goes_on_from_the_restored_state():
    from tests.integration.test_replay_paper import QUOTER

    settings = load_settings(
        sim={"seed": 3}, quoter=QUOTER, paper={"latency_ms": 5, "latency_jitter_ms": 3}
    )
    kernel = Kernel(
        settings,
        RunOptions(mode="replay", replay=SHIPPED, paper=True, quoter="on", speed=1.0, record=False),
    )
    replay = kernel.replay
    quoter = next(iter(kernel.quoters.values()))
    start = replay.state.start_ns
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 100 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        at_target = state(kernel)
        assert at_target["orders"] and at_target["fills"]  # the quoter quotes and has traded
        assert replay.seek(start + 200 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert not replay.seek(start + 100 * S)  # it traded after: asks first
        assert replay.seek(start + 100 * S, discard=True)
        assert state(kernel) == at_target
        working = {c for c, o in kernel.views.orders.orders.items() if o.source == "quoter"}
        assert set(quoter.working.by_id) == working and quoter.working.by_id
        assert quoter.inventory == kernel.desk.portfolio.qty(quoter.instrument.id)
        fills, sent = len(kernel.views.fills.items), quoter.view.submits + quoter.view.modifies
        assert replay.seek(start + 250 * S)  # forward: it quotes and trades on from there
        await settle(replay, lambda: replay.state.message == "at seek target")
        assert quoter.view.submits + quoter.view.modifies > sent
        assert len(kernel.views.fills.items) > fills
        assert kernel.desk.killswitch.state.value == "ACTIVE"
        kernel.request_stop()
        await task

    asyncio.run(drive())


def test_the_previous_fill_key_goes_back_through_the_same_question(tmp_path):
    """go_to_record (fills, orders, large trades, bookmarks) asks like a seek: refused with the
    question and held in ``offer``; ``take_offer`` goes, discarding the order made after."""
    from tests.integration.test_replay_navigation import recorded_paper_session

    recording = recorded_paper_session(tmp_path / "session.ttj")
    settings = load_settings(sim={"seed": 1}, paper={"latency_ms": 0, "latency_jitter_ms": 0})
    kernel = Kernel(
        settings,
        RunOptions(mode="replay", replay=recording, paper=True, speed=1.0, record=False),
    )
    replay, nav = kernel.replay, kernel.replay.navigator
    inst = next(iter(kernel.instruments.values()))
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(replay.state.start_ns + 18 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        coid = submit(kernel, inst, Side.BUY, kernel.views.books[inst.id].best_bid - 1000)
        await asyncio.sleep(0.05)
        assert coid in kernel.views.orders.orders
        here = kernel.clock.timestamp_ns()
        assert not nav.prev_fill()  # fill #2 of the recording, at 12 s: behind the order
        assert (
            " discards 1 order(s), 0 held order(s) and 0 fill(s) made after it"
            in replay.state.message
        )
        assert replay.offer is not None and kernel.clock.timestamp_ns() == here
        assert replay.take_offer()
        assert replay.state.message == "fill #2" and replay.offer is None
        assert kernel.clock.timestamp_ns() < here
        assert coid not in kernel.views.orders.orders
        assert not replay.take_offer()  # nothing is waiting any more
        kernel.request_stop()
        await task

    asyncio.run(drive())
