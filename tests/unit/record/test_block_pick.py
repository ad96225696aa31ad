"""Picking a block's records by topic (a plain replay's own trading among the market's records)
gives exactly what decoding the whole block gives for those topics, and builds no event of a
group (type and instrument) that holds none of them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.record.test_codec import Plugin, sample_messages
from tradeterm.domain import events
from tradeterm.domain.commands import CancelAll, CancelOrder, SubmitOrder, TripKillSwitch
from tradeterm.domain.market import BookDelta, BookSnapshot, TopOfBook, Trade
from tests.unit.record.test_codec_roundtrip import FUZZ, any_message, times
from tradeterm.record.block_pick import pick_records
from tradeterm.record.codec import BlockDecoder, BlockEncoder
from tradeterm.record.schema import Registry


Command = (SubmitOrder, CancelOrder, CancelAll, TripKillSwitch)
ORDER = (events.OrderAccepted, events.OrderFilled, events.OrderModified)


class CountingDecoder(BlockDecoder):
    def __init__(self) -> None:
        super().__init__()
        self.groups: list[str] = []  # the type tag of every group whose events were built

    def decode_group(self, tag, *args):
        self.groups.append(tag)
        return super().decode_group(tag, *args)


def encoded(msgs, stamps, topics):
    payload, count = BlockEncoder().encode(list(range(1, len(msgs) + 1)), stamps, topics, msgs)
    assert count == len(msgs)
    return payload


def check(payload, wanted) -> None:
    block = BlockDecoder().decode(payload)
    expect = [(k, t, e) for k, (t, e) in enumerate(zip(block.topics, block.events)) if wanted(t)]
    decoder = CountingDecoder()
    picked = pick_records(decoder, payload, wanted)
    assert list(zip(picked.positions, picked.topics, picked.events)) == expect
    tags = {type(e).__struct_config__.tag for _, t, e in expect}
    assert set(decoder.groups) <= tags  # a group of none picked is stepped over
    positions = pick_records(decoder, payload, wanted, events=False)
    assert positions.positions == picked.positions and positions.topics == picked.topics
    assert positions.events == []


@settings(max_examples=300, **FUZZ)
@given(
    st.lists(st.tuples(any_message, times, st.integers(0, 3)), min_size=1, max_size=40),
    st.sets(st.integers(0, 3)),
)
def test_picking_any_topics_of_any_block_is_what_the_whole_block_decodes_to(rows, chosen):
    msgs = [m for m, _, _ in rows]
    topics = [f"t.{k}" for _, _, k in rows]
    wanted = {f"t.{k}" for k in chosen}.__contains__
    check(encoded(msgs, [t for _, t, _ in rows], topics), wanted)


def test_the_own_trading_of_a_block_builds_only_the_order_and_command_groups():
    msgs = sample_messages()
    topics = [
        "command" if isinstance(m, Command) else "order.sim" if isinstance(m, ORDER) else "md.book"
        for m in msgs
    ]
    payload = encoded(msgs, [i for i in range(len(msgs))], topics)
    decoder = CountingDecoder()
    picked = pick_records(decoder, payload, lambda t: t != "md.book")
    assert picked.topics and all(t != "md.book" for t in picked.topics)
    built = {type(e).__struct_config__.tag for e in picked.events}
    assert set(decoder.groups) == built  # the order and command groups, no market one
    assert not any(
        isinstance(e, (BookDelta, BookSnapshot, Trade, TopOfBook)) for e in picked.events
    )
    assert len(picked.events) == sum(t != "md.book" for t in topics)
    decoder.groups.clear()
    assert pick_records(decoder, payload, lambda t: t == "nothing").positions == []
    assert decoder.groups == []


def test_records_of_a_type_this_version_cannot_build_are_neither_built_nor_numbered():
    """Numbering (``events`` False) leaves out what decoding leaves out, so the own records a
    seek counts are the ones a replay plays."""
    reg = Registry()
    reg.add(Plugin)
    msgs = [Plugin(1, 2, "x"), *sample_messages()[:6], Plugin(3, 4, "y")]
    payload, _ = BlockEncoder(reg).encode(
        list(range(len(msgs))), list(range(len(msgs))), ["p"] * len(msgs), msgs
    )
    for registry in (Registry(), None):  # Plugin unknown; or the domain's types but not Plugin
        decoder = BlockDecoder(registry)
        block = BlockDecoder(registry).decode(payload)
        numbered = pick_records(decoder, payload, lambda t: True, events=False)
        built = pick_records(decoder, payload, lambda t: True)
        assert len(numbered.positions) == len(block.events) == len(built.events)
        assert numbered.positions == built.positions
