"""Issue 16: a seek, back or forward, restores the nearest keyframe and plays the market on to the
target; the books, tape and statistics after it are those of playing the recording from its
start to that point (a property over random seek points), whether the keyframes are in the
recording (the recorder's) or in a side file (``tradeterm index``)."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.core import topics
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import SimClock
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, Trade
from tradeterm.record.header import session_header
from tradeterm.record.journal import JournalReader
from tradeterm.record.keyframe_file import build_side_file, side_path
from tradeterm.record.keyframes import decode_keyframe
from tradeterm.record.recorder import Recorder
from tradeterm.record.replayer import ReplayVenue

S = 1_000_000_000
T0 = 1_767_225_600_000_000_000
INSTRUMENTS = [
    Instrument("sim", "AAA/USD", "AAA", "USD", Decimal("0.5"), Decimal("0.001")),
    Instrument("sim", "BBB/USD", "BBB", "USD", Decimal("0.01"), Decimal("0.1")),
]


def _market(bus: MessageBus) -> MarketDataKeeper:
    return MarketDataKeeper(bus, EngineViews(StatusView("T", "sim")), INSTRUMENTS)


def _events(rng: random.Random, n: int):
    """Books with snapshots, contiguous deltas, stale ones and gaps; trades."""
    ids = {i.id: 0 for i in INSTRUMENTS}
    straddle = set()  # snapshot just sent: the next delta starts before its id (Binance)
    mid = {i.id: 10_000 for i in INSTRUMENTS}
    ts = T0
    for k in range(n):
        ts += rng.randint(1, 6_000_000)  # ~3 ms apart: ~n * 3 ms of market
        iid = rng.choice(INSTRUMENTS).id
        roll = rng.random()
        m = mid[iid] = mid[iid] + rng.randint(-2, 2)
        if k < 2 or roll < 0.05:
            ids[iid] += 5
            straddle.add(iid)
            bids = [(m - 1 - j, rng.randint(1, 50)) for j in range(rng.randint(1, 30))]
            asks = [(m + 1 + j, rng.randint(1, 50)) for j in range(rng.randint(1, 30))]
            yield ts, topics.book(iid), BookSnapshot(iid, bids, asks, ids[iid], ts, ts)
        elif roll < 0.75:
            first = ids[iid] + 1 + (rng.randint(1, 3) if rng.random() < 0.005 else 0)  # a gap
            first -= 1 if rng.random() < 0.005 else 0  # an overlap
            last = first + rng.randint(0, 2)
            if iid in straddle:
                straddle.discard(iid)
                first, last = ids[iid] - 2, ids[iid] + 1 + rng.randint(0, 2)
            ids[iid] = max(ids[iid], last)
            bids = [(m - rng.randint(1, 35), rng.choice((0, rng.randint(1, 50)))) for _ in "ab"]
            asks = [(m + rng.randint(1, 35), rng.choice((0, rng.randint(1, 50)))) for _ in "ab"]
            yield ts, topics.book(iid), BookDelta(iid, bids, asks, first, last, ts, ts)
        else:
            side = Side.BUY if rng.random() < 0.5 else Side.SELL
            trade = Trade(iid, m + rng.randint(-3, 3), rng.randint(1, 9), side, k, ts, ts)
            yield ts, topics.trade(iid), trade


def record(path: Path, seed: int, n: int, keyframe_s: float, full_every: int = 10) -> Path:
    """A recording made by the recorder, as a session makes it (the keeper subscribed first)."""
    bus, clock = MessageBus(), SimClock(T0)
    market = _market(bus)
    recorder = Recorder(
        bus,
        clock,
        path,
        wall_flush=False,
        market=market,
        keyframe_ns=int(keyframe_s * S),
        keyframe_full_every=full_every,
    )
    recorder.start(session_header("record", "sim", INSTRUMENTS, T0))
    for ts, topic, event in _events(random.Random(seed), n):
        clock.advance_to(ts)
        bus.publish(topic, event)
    recorder.close()
    return path


def state(market: MarketDataKeeper) -> dict:
    out = {}
    for iid, b in market.books.items():
        stats = market.views.stats[iid]
        out[iid] = (
            (dict(b.bids), dict(b.asks), b.best_bid, b.best_ask, b.last_update_id),
            (b.synced, b.fresh, b.ts_event, b.gaps),
            list(market.views.trades[iid]),
            (stats.last_price, stats.last_side, stats.tick, stats.open_price, stats.volume),
            (stats.trades, dict(stats.volume_at_price)),
        )
    return out


class Straight:
    """The market of playing the recording from its start on a bus (the reference)."""

    def __init__(self, path: Path) -> None:
        with JournalReader(path) as reader:
            self.records = list(reader.records_iter())

    def upto(self, record: int) -> dict:
        bus = MessageBus()
        market = _market(bus)
        for _, _, topic, event in self.records[:record]:
            bus.publish(topic, event)
        return state(market)

    def first_at(self, ts: int) -> int:
        return next((k for k, r in enumerate(self.records) if r[1] >= ts), len(self.records))


def seeking_venue(path: Path) -> tuple[ReplayVenue, MarketDataKeeper]:
    reader = JournalReader(path)
    bus = MessageBus()
    market = _market(bus)
    venue = ReplayVenue(bus, SimClock(reader.start_ns or 0), reader, paused=True)
    venue.attach_market(market)
    return venue, market


@pytest.fixture(scope="module", params=[10, 3, 1], ids=["deltas", "short-runs", "full-only"])
def recording(tmp_path_factory, request) -> tuple[Path, Straight]:
    """Keyframes every 2 s: a full one then deltas of it (9 keyframes: one full), a full one
    every 3, or only full ones."""
    path = record(
        tmp_path_factory.mktemp("seek") / "gen.ttj",
        seed=3,
        n=6000,
        keyframe_s=2.0,
        full_every=request.param,
    )
    return path, Straight(path)


def _bases(path: Path) -> list[int]:
    """Each keyframe's base (-1: a full one)."""
    with JournalReader(path) as reader:
        return [
            decode_keyframe(reader.keyframe_payload(i)).base for i in range(len(reader.keyframes))
        ]


def test_the_recorder_writes_indexed_keyframes_and_a_reader_finds_them(recording):
    path, straight = recording
    with JournalReader(path) as reader:
        assert reader.header["format"] == 2
        assert len(reader.keyframes) >= 5  # ~18 s of market, one every 2 s
        assert list(reader.keyframes.record) == sorted(reader.keyframes.record)
        assert reader.keyframes.record[-1] <= reader.records == len(straight.records)
        records = [int(r) for r in reader.keyframes.record]
    bases = _bases(path)
    assert bases[0] == -1  # the first is full; every delta names a full one before it
    assert all(b == -1 or (b in records and bases[records.index(b)] == -1) for b in bases)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(points=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=6))
def test_after_any_seek_the_market_is_the_one_played_from_the_start(recording, points):
    path, straight = recording
    venue, market = seeking_venue(path)
    span = venue.state.end_ns - venue.state.start_ns
    for p in points:  # back and forth at random
        ts = venue.state.start_ns + int(p * span)
        assert venue.seek(ts)
        assert venue.state.message == "at seek target" and venue.state.paused
        assert venue.position == straight.first_at(ts)
        assert state(market) == straight.upto(venue.position)
    venue.reader.close()


def test_a_side_file_gives_an_older_recording_the_same_seeks(tmp_path):
    path = record(tmp_path / "old.ttj", seed=4, n=3000, keyframe_s=0)  # no keyframes
    before = path.read_bytes()
    with JournalReader(path) as reader:
        assert len(reader.keyframes) == 0
        side, count = build_side_file(reader, 1.0, full_every=3)
    assert side == side_path(path) and count >= 5 and path.read_bytes() == before
    assert _bases(side).count(-1) == (count + 2) // 3  # full, delta, delta, full, ...
    straight = Straight(path)
    venue, market = seeking_venue(path)
    assert venue.seeker is not None and venue.seeker.keyframes == count
    for p in (0.9, 0.2, 0.55, 0.0, 1.0):
        ts = venue.state.start_ns + int(p * (venue.state.end_ns - venue.state.start_ns))
        assert venue.seek(ts)
        assert state(market) == straight.upto(venue.position)


def test_a_side_file_of_another_recording_is_not_used(tmp_path):
    path = record(tmp_path / "a.ttj", seed=5, n=800, keyframe_s=0)
    with JournalReader(path) as reader:
        build_side_file(reader, 0.5)
    record(tmp_path / "b.ttj", seed=6, n=900, keyframe_s=0)
    side_path(path).replace(side_path(tmp_path / "b.ttj"))
    venue, _ = seeking_venue(tmp_path / "b.ttj")
    assert venue.seeker is not None and venue.seeker.keyframes == 0  # seeks from the start


def test_a_recording_cut_short_finds_its_keyframes_by_scanning(recording, tmp_path):
    path, _ = recording
    with JournalReader(path) as reader:
        cut = int(reader.index.offset[-1]) + 10  # into the last block: no index, torn tail
        whole = len(reader.keyframes)
    torn = tmp_path / "torn.ttj"
    torn.write_bytes(path.read_bytes()[:cut])
    with JournalReader(torn) as reader:
        assert not reader.clean and reader.damaged_at is not None
        assert whole - 1 <= len(reader.keyframes) <= whole
        assert reader.keyframes.record[-1] <= reader.records


def test_a_format_1_journal_still_reads(recording, tmp_path):
    path = record(tmp_path / "v1.ttj", seed=7, n=300, keyframe_s=0)
    data = bytearray(path.read_bytes())
    data[7] = 1  # the format byte of the magic: a file of the first format (no keyframes)
    path.write_bytes(bytes(data))
    with JournalReader(path) as reader:
        assert reader.records == 300 and len(reader.keyframes) == 0


def test_a_keyframe_taken_right_after_a_snapshot_takes_the_straddling_delta_next():
    from tradeterm.record.keyframes import capture, decode_keyframe, encode_keyframe, restore

    iid = INSTRUMENTS[0].id
    live, restored = _market(MessageBus()), _market(MessageBus())
    live.on_book(BookSnapshot(iid, [(99, 5)], [(101, 5)], 10, T0, T0))
    restore(restored, decode_keyframe(encode_keyframe(capture(live, 1, T0))))
    straddling = BookDelta(iid, [(100, 2)], [], 8, 12, T0 + 1, T0 + 1)  # ids 8..12 over 10
    for market in (live, restored):
        market.on_book(straddling)
    assert state(restored) == state(live)
    assert restored.books[iid].best_bid == 100


def test_a_clock_moved_back_keeps_each_timer_as_far_ahead():
    clock = SimClock(100 * S)
    fired: list[int] = []
    clock.set_timer("t", 10 * S, fired.append)
    clock.advance_to(125 * S)
    assert fired == [110 * S, 120 * S]
    clock.move_to(50 * S)  # due at 130 s, 5 s ahead: now 55 s
    clock.advance_to(54 * S)
    assert fired == [110 * S, 120 * S]
    clock.advance_to(55 * S)
    assert fired[-1] == 55 * S


async def test_a_paused_replay_stops_when_asked(recording):
    """Stopping a paused replay used to wait for a key that never came: the kernel gave up on
    it after two seconds at every quit of a paused review."""
    venue, _ = seeking_venue(recording[0])
    task = asyncio.create_task(venue.run())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not task.done()  # paused: waiting for a key
    venue.stop()
    await asyncio.wait_for(task, 1.0)
    venue.reader.close()
