"""Blocks round-trip every recordable type exactly, and stay readable across schema changes."""

from decimal import Decimal

import msgspec
import pytest

from tradeterm.domain import commands, events
from tradeterm.domain.events import ConnectionState, Liquidity, TradingState
from tradeterm.domain.market import BookDelta, BookSnapshot, Side, TopOfBook, Trade
from tradeterm.domain.orders import OrderType, TimeInForce
from tradeterm.record.codec import BlockDecoder, BlockEncoder, BlockError
from tradeterm.record.records import ReplayControl, ReplaySpan
from tradeterm.record.schema import Registry, registry

IID = "binance:BTC/USDT"
T0 = 1_723_161_253_937_085_768


def sample_messages():
    return [
        BookSnapshot(
            IID,
            [(6183763, 378826000), (6183762, 61700000)],
            [(6183764, 154698000)],
            50093239218,
            T0,
            T0 + 5,
        ),
        BookDelta(
            IID, [(6183763, 0)], [(6183764, 1), (6183800, 2)], 10, 12, T0 + 1_000_000, T0 + 7, 9
        ),
        BookDelta("binance:ETH/USDT", [], [], 13, 13, T0, T0 + 9),
        Trade(IID, 6183763, 2_000_000, Side.SELL, 3735683259, T0 + 2_000_000, T0 + 11),
        TopOfBook(IID, 6183763, 378826000, 6183764, 154698000, 50093239212, T0 + 12, T0 + 12),
        commands.SubmitOrder(
            T0 + 13,
            "c1",
            IID,
            Side.BUY,
            100,
            OrderType.LIMIT,
            6183000,
            tif=TimeInForce.IOC,
            post_only=True,
            display_qty=10,
        ),
        commands.SubmitOrder(T0 + 14, "c2", IID, Side.SELL, 5, OrderType.MARKET),
        commands.CancelOrder(T0 + 15, "c1", IID),
        commands.CancelAll(T0 + 16),
        commands.TripKillSwitch(T0 + 17, "loss limit", flatten=True),
        events.OrderAccepted(T0 + 18, T0 + 19, "c1", IID, "v1"),
        events.OrderFilled(
            T0 + 20,
            T0 + 21,
            "c1",
            IID,
            "v1",
            "t1",
            Side.BUY,
            6183000,
            40,
            Liquidity.MAKER,
            Decimal("0.00024732"),
            "USDT",
            60,
            "queue",
        ),
        events.OrderModified(T0 + 22, T0 + 22, "c1", IID, None, 50),
        events.PositionChanged(T0 + 23, T0 + 23, IID, 40, Decimal("61830.00"), Decimal("-1.5")),
        events.KillSwitchTripped(T0 + 24, T0 + 24, "loss", "risk"),
        events.TradingStateChanged(T0 + 25, T0 + 25, TradingState.HALTED, "kill switch"),
        events.VenueStatus(T0 + 26, T0 + 26, "binance", ConnectionState.STALE, "no data 5s"),
        events.LogLine(T0 + 27, T0 + 27, "WARNING", "tradeterm.book", "crossed ✓ book"),
        ReplaySpan(0, 10, 9, T0),
        ReplayControl(T0 + 28, "speed", "10"),
    ]


def roundtrip(msgs, recs=None, topics=None):
    n = len(msgs)
    recs = recs or [T0 + i for i in range(n)]
    topics = topics or [f"topic.{type(m).__name__}" for m in msgs]
    payload, count = BlockEncoder().encode(list(range(1, n + 1)), recs, topics, msgs)
    assert count == n
    block = BlockDecoder().decode(payload)
    assert block.times == recs and block.topics == topics
    assert block.seq.tolist() == list(range(1, n + 1))
    return block.events


def test_every_type_round_trips_exactly():
    msgs = sample_messages()
    got = roundtrip(msgs)
    assert got == msgs
    assert [type(m) for m in got] == [type(m) for m in msgs]
    filled = got[11]
    assert filled.side is Side.BUY and filled.liquidity is Liquidity.MAKER
    assert filled.fee == Decimal("0.00024732")


def test_registry_covers_every_tagged_struct_in_domain():
    reg = registry()
    for module in (commands, events):
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, msgspec.Struct)
                and obj.__module__ == module.__name__
            ):
                assert obj.__struct_config__.tag in reg.by_tag
    for cls in (BookDelta, BookSnapshot, Trade, TopOfBook, ReplaySpan):
        assert cls in reg.by_cls


def test_many_records_with_mixed_instruments_and_big_values():
    msgs = []
    for i in range(3000):
        inst = IID if i % 3 else "binance:ETH/USDT"
        msgs.append(
            TopOfBook(
                inst,
                6_000_000 + i % 7,
                10**12 + i * 977,
                6_000_001 + i % 5,
                i * 13,
                50_000_000_000 + i,
                T0 + i * 1_000_003,
                T0 + i * 1_000_003,
            )
        )
        if i % 10 == 0:
            msgs.append(Trade(inst, 6_000_000, 2**62 + i, Side.BUY, i, T0 + i, T0 + i))
    assert roundtrip(msgs, recs=[m.ts_recv for m in msgs]) == msgs


def test_integers_beyond_64_bits_and_odd_values_still_round_trip():
    msgs = [Trade(IID, 2**70, -5, Side.BUY, 1, 0, 0), Trade(IID, -(2**65), 3, Side.SELL, 2, 0, 1)]
    assert roundtrip(msgs) == msgs


def test_unrecordable_messages_are_counted_not_encoded():
    enc = BlockEncoder()
    payload, count = enc.encode(
        [1, 2, 3],
        [1, 2, 3],
        ["a", "b", "c"],
        [Trade(IID, 1, 1, Side.BUY, 1, 1, 1), {"not": "a struct"}, 42],
    )
    assert count == 1
    assert enc.unrecordable == {"builtins.dict": 1, "builtins.int": 1}
    block = BlockDecoder().decode(payload)
    assert block.seq.tolist() == [1] and block.topics == ["a"]


class Plugin(msgspec.Struct, frozen=True, tag="PluginEvent"):
    ts_event: int
    ts_recv: int
    note: str


def test_a_tagged_struct_from_a_plugin_is_recorded_without_registration():
    assert roundtrip([Plugin(1, 2, "x"), Plugin(3, 4, "y")]) == [
        Plugin(1, 2, "x"),
        Plugin(3, 4, "y"),
    ]


class OldTrade(msgspec.Struct, frozen=True, tag="Trade"):
    """Trade as an older tradeterm wrote it: fewer fields."""

    instrument: str
    price: int
    size: int
    aggressor: Side
    trade_id: int
    ts_event: int
    ts_recv: int


class NewTrade(msgspec.Struct, frozen=True, tag="Trade"):
    """Trade with a field added later (with a default)."""

    instrument: str
    price: int
    size: int
    aggressor: Side
    trade_id: int
    ts_event: int
    ts_recv: int
    venue_seq: int = -1


def test_old_journals_decode_with_defaults_for_added_fields():
    old, new = Registry(), Registry()
    old.add(OldTrade)
    new.add(NewTrade)
    payload, _ = BlockEncoder(old).encode([1], [5], ["t"], [OldTrade(IID, 1, 2, Side.BUY, 3, 4, 5)])
    got = BlockDecoder(new).decode(payload).events
    assert got == [NewTrade(IID, 1, 2, Side.BUY, 3, 4, 5, -1)]


def test_unknown_types_are_skipped_and_counted():
    reg = Registry()
    reg.add(Plugin)
    payload, _ = BlockEncoder(reg).encode(
        [1, 2], [1, 2], ["p", "p"], [Plugin(1, 2, "x"), Plugin(3, 4, "y")]
    )
    block = BlockDecoder(Registry()).decode(payload)
    assert block.events == [] and block.skipped == {"PluginEvent": 2}


def test_garbage_is_a_block_error():
    with pytest.raises(BlockError):
        BlockDecoder().decode(b"not zstd at all")
