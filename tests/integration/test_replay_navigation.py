"""Replay navigation (issue 13.14): `o` goes to the recording's next own-order event or says
there is none and stays where it is; a seek goes back or forward (issue 16) and one the
replayer cannot do (after the end; back in a --paper replay) is refused with how to get there."""

import asyncio
import subprocess
import sys
from pathlib import Path

from tradeterm.config import load_settings
from tradeterm.domain.commands import SubmitOrder
from tradeterm.domain.market import Side
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.record.journal import JournalReader

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
S = 10**9


def replay_kernel(path: Path, **options) -> Kernel:
    return Kernel(
        load_settings(sim={"seed": 1}),
        RunOptions(mode="replay", replay=path, record=False, **options),
    )


def recorded_paper_session(path: Path) -> Path:
    """A 20 s simulated paper session, recorded, with two orders that fill (at 5 s and 12 s)
    and one that rests (at 15 s)."""
    settings = load_settings(sim={"seed": 5})
    kernel = Kernel(settings, RunOptions(mode="paper", fast=True, seconds=20, recording=path))
    inst = next(iter(kernel.instruments.values()))

    def order(side: Side, away: int):
        def send(_ts: int) -> None:
            book = kernel.views.books[inst.id]
            price = book.best_ask + away if side is Side.BUY else book.best_bid - away
            kernel.submit(
                SubmitOrder(
                    kernel.clock.timestamp_ns(),
                    kernel.next_order_id(),
                    inst.id,
                    side,
                    inst.qty_to_lots("0.01"),
                    price=price,
                )
            )

        return send

    start = kernel.clock.timestamp_ns()
    for at, side, away in ((5, Side.BUY, 20), (12, Side.SELL, 20), (15, Side.BUY, -400)):
        kernel.clock.set_alert(f"t{at}", start + at * S, order(side, away))
    asyncio.run(kernel.run())
    return path


def order_records(path: Path) -> list[int]:
    with JournalReader(path) as reader:
        return [
            k
            for k, (_, _, topic, _) in enumerate(reader.records_iter())
            if topic.startswith("order.")
        ]


async def settle(replay, until, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.01)):
        await asyncio.sleep(0.01)
        if until():
            return


def test_o_without_order_events_says_so_and_stays_where_it_is():
    kernel = replay_kernel(SHIPPED, speed=1.0)
    replay = kernel.replay
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        for _ in range(50):
            replay.step()
        await settle(replay, lambda: replay.state.published == 50)
        assert replay.step_to_order_event() is False
        await asyncio.sleep(0.3)
        assert replay.state.message == "no order events in this recording"
        assert replay.state.published == 50 and not replay.state.done and replay.state.paused
        kernel.request_stop()
        await task

    asyncio.run(drive())


def test_o_plays_to_each_recorded_order_event_then_says_there_is_no_later_one(tmp_path):
    journal = recorded_paper_session(tmp_path / "session.ttj")
    wanted = order_records(journal)
    assert len(wanted) >= 5  # accepted + filled twice, accepted once
    kernel = replay_kernel(journal, speed=1.0)
    replay = kernel.replay
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        reached = []
        while replay.step_to_order_event():
            await settle(replay, lambda: replay.state.message == "found")
            assert replay.state.message == "found" and replay.state.paused
            reached.append(replay.position - 1)  # the record just played
            replay.state.message = ""
        assert reached == wanted
        assert replay.state.message == "no later order event in this recording"
        assert not replay.state.done
        kernel.request_stop()
        await task

    asyncio.run(drive())


def book_state(kernel) -> dict:
    return {
        iid: (dict(b.bids), dict(b.asks), b.last_update_id, b.synced, b.ts_event)
        for iid, b in kernel.market.books.items()
    }


def tape_state(kernel) -> dict:
    return {
        iid: (list(kernel.views.trades[iid]), kernel.views.stats[iid].volume)
        for iid in kernel.market.books
    }


def test_a_seek_goes_back_and_forth_and_the_market_is_the_one_played_from_the_start():
    """Issue 16: seeking back (the shipped recording has no keyframes: from its start) and
    forward again gives the books and tape of a replay that played straight to that point;
    a time after the end is still refused."""
    played = replay_kernel(SHIPPED, speed=1.0)
    kernel = replay_kernel(SHIPPED, speed=1.0)
    replay = kernel.replay
    start, end = replay.state.start_ns, replay.state.end_ns
    replay.pause()
    played.replay.pause()

    async def drive(k, targets):
        task = asyncio.create_task(k.run())
        await asyncio.sleep(0.05)
        states = []
        for at in targets:
            assert k.replay.seek(start + at * S), k.replay.state.message
            await settle(k.replay, lambda: k.replay.state.message == "at seek target")
            assert k.replay.state.paused and not k.replay.state.done
            states.append((book_state(k), tape_state(k), k.replay.position, k.clock.timestamp_ns()))
        published = k.replay.state.published
        assert not k.replay.seek(end + S)
        assert "after the end of the recording (23:59:59.999231)" in k.replay.state.message
        await asyncio.sleep(0.1)
        assert k.replay.state.published == published and k.replay.state.paused
        k.request_stop()
        await task
        return states

    sought = asyncio.run(drive(kernel, [90, 30, 200, 31]))
    assert sought[1][2] < sought[0][2] < sought[2][2]  # back, then forward
    played.replay.seeker = None  # today's forward-only seek: the bus plays every record
    straight = asyncio.run(drive(played, [30]))[0]
    assert sought[1] == straight
    assert book_state(kernel)  # not vacuous: there are books
    assert all(bids and asks for bids, asks, *_ in sought[1][0].values())


def test_a_paper_replay_on_a_stored_account_cannot_seek_back_and_says_how_to_get_there(
    tmp_path,
):
    """A --paper replay goes back by rebuilding its paper trading in the in-memory store
    (tests/integration/test_replay_paper_rewind.py); with a store on a file it cannot."""
    kernel = Kernel(
        load_settings(sim={"seed": 1}, oms={"database_url": f"sqlite:///{tmp_path / 'oms.db'}"}),
        RunOptions(mode="replay", replay=SHIPPED, record=False, speed=1.0, paper=True),
    )
    replay = kernel.replay
    start = replay.state.start_ns
    replay.pause()

    async def drive():
        task = asyncio.create_task(kernel.run())
        await asyncio.sleep(0.05)
        assert replay.seek(start + 90 * S)
        await settle(replay, lambda: replay.state.message == "at seek target")
        published = replay.state.published
        assert not replay.seek(start + 30 * S)
        said = replay.state.message
        assert said.startswith("23:54:43.937085 is behind the replay clock (23:55:43.")
        assert said.endswith(
            "): a --paper replay cannot seek back; restart with --start 23:54:43.937085"
        )
        await asyncio.sleep(0.1)
        assert replay.state.published == published and replay.state.paused
        kernel.request_stop()
        await task

    asyncio.run(drive())


def tradeterm(*args: str, data: Path) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, TRADETERM_DATA_DIR=str(data))
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_start_outside_the_recording_is_refused_with_its_span(tmp_path):
    done = tradeterm(
        "replay", str(SHIPPED), "--headless", "--no-record", "--start", "00:00:05", data=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "tradeterm: error: --start: 00:00:05 (2024-08-09 00:00:05) is not in this recording: "
        "it runs 2024-08-08 23:54:13 to 23:59:59 UTC"
    )
