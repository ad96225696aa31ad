"""Two seeded --fast runs produce the same event stream, message for message."""

import asyncio

import msgspec

from tests.helpers import fast_kernel


def event_stream(seed):
    kernel = fast_kernel(seed=seed, seconds=15)
    encoder = msgspec.msgpack.Encoder()
    stream = []
    kernel.bus.subscribe("*", lambda msg: stream.append((kernel.bus.seq, encoder.encode(msg))))
    asyncio.run(kernel.run())
    return stream, kernel.summary()


def test_same_seed_same_events_and_summary():
    a, summary_a = event_stream(11)
    b, summary_b = event_stream(11)
    assert len(a) > 20_000
    assert a == b
    assert summary_a == summary_b
    assert [seq for seq, _ in a] == list(range(1, len(a) + 1))


def test_different_seed_different_events():
    a, _ = event_stream(11)
    c, _ = event_stream(12)
    assert a[:50] != c[:50]
