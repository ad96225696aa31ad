"""The journal codec round-trips any message the journal can hold (issue 11, stateful/property
tests): Hypothesis builds instances of every recordable Struct (every tagged Struct in
``tradeterm.domain`` plus the journal's own records, from the registry, so a type added later is
covered without editing this test) from its field annotations, with integers beyond 64 bits,
any text, exact Decimals and optional fields; a block of a random mix encodes and decodes to
equal values of the same types, and so does each type alone."""

import enum
import typing
from decimal import Decimal

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradeterm.record.codec import BlockDecoder, BlockEncoder
from tradeterm.record.schema import registry

SPECS = sorted(registry().by_tag.values(), key=lambda s: s.tag)
INT64 = 2**63 - 1


def strategy_for(ann: typing.Any) -> st.SearchStrategy:
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin in (typing.Union, __import__("types").UnionType):
        return st.one_of(*map(strategy_for, args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(strategy_for(args[0]), max_size=5)
    if origin is tuple:
        return st.tuples(*map(strategy_for, args))
    if ann is type(None):
        return st.none()
    if ann is bool:
        return st.booleans()
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        return st.sampled_from(list(ann))
    if ann is int:  # mostly what the engine has (64 bits), sometimes beyond
        return st.one_of(
            st.integers(-INT64 - 1, INT64), st.integers(0, 10**6), st.integers(-(2**80), 2**80)
        )
    if ann is str:
        return st.text(max_size=12)
    if ann is Decimal:
        return st.decimals(allow_nan=False, allow_infinity=False)
    if ann is float:
        return st.floats(allow_nan=False)
    return st.from_type(ann)


def instances(spec) -> st.SearchStrategy:
    fields = {f.name: strategy_for(f.annotation) for f in spec.fields}
    return st.fixed_dictionaries(fields).map(lambda kw: spec.cls(**kw))


any_message = st.one_of(*map(instances, SPECS))


def same(original, decoded) -> None:
    assert type(decoded) is type(original)
    assert decoded == original
    for name in original.__struct_fields__:
        a, b = getattr(original, name), getattr(decoded, name)
        assert type(a) is type(b), name
        if isinstance(a, Decimal):
            assert str(a) == str(b), name  # the exact digits, not only an equal value
        if isinstance(a, list):
            assert [type(x) for x in a] == [type(x) for x in b], name
    assert msgspec.json.encode(decoded) == msgspec.json.encode(original)


def roundtrip(msgs, times) -> None:
    n = len(msgs)
    topics = [f"t.{type(m).__name__}.{i % 3}" for i, m in enumerate(msgs)]
    payload, count = BlockEncoder().encode(list(range(1, n + 1)), times, topics, msgs)
    assert count == n
    block = BlockDecoder().decode(payload)
    assert block.times == times and block.topics == topics and not block.skipped
    assert block.seq.tolist() == list(range(1, n + 1))
    for original, decoded in zip(msgs, block.events, strict=True):
        same(original, decoded)


times = st.integers(0, INT64)
FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=300, **FUZZ)
@given(st.lists(st.tuples(any_message, times), min_size=1, max_size=40))
def test_a_block_of_any_messages_round_trips(pairs):
    roundtrip([m for m, _ in pairs], [t for _, t in pairs])


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.tag)
def test_every_recordable_type_round_trips(spec):
    @settings(max_examples=25, **FUZZ)
    @given(st.lists(st.tuples(instances(spec), times), min_size=1, max_size=20))
    def check(pairs):
        roundtrip([m for m, _ in pairs], [t for _, t in pairs])

    check()


@pytest.mark.slow
@settings(max_examples=5000, **FUZZ)
@given(st.lists(st.tuples(any_message, times), min_size=1, max_size=60))
def test_a_block_of_any_messages_round_trips_many(pairs):
    roundtrip([m for m, _ in pairs], [t for _, t in pairs])
