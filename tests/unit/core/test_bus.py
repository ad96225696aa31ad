import pytest

from tradeterm.core.bus import MessageBus, handler_name


def test_exact_prefix_and_wildcard_subscriptions():
    bus = MessageBus()
    got = []
    bus.subscribe("book.sim.BTC", lambda m: got.append(("exact", m)))
    bus.subscribe("book.*", lambda m: got.append(("prefix", m)))
    bus.subscribe("*", lambda m: got.append(("all", m)))
    bus.publish("book.sim.BTC", 1)
    bus.publish("trade.sim.BTC", 2)
    assert got == [("exact", 1), ("prefix", 1), ("all", 1), ("all", 2)]
    assert bus.seq == 2


def test_publish_from_a_handler_is_delivered_after_the_current_message():
    bus = MessageBus()
    seen = []

    def first(msg):
        seen.append(("first", msg))
        if msg == "a":
            bus.publish("t", "b")

    bus.subscribe("t", first)
    bus.subscribe("t", lambda m: seen.append(("second", m)))
    recorder = []
    bus.subscribe("*", lambda m: recorder.append((bus.seq, m)))
    bus.publish("t", "a")
    assert seen == [("first", "a"), ("second", "a"), ("first", "b"), ("second", "b")]
    assert recorder == [(1, "a"), (2, "b")]  # recorder order == sequence order


def test_subscribe_after_publish_invalidates_cache():
    bus = MessageBus()
    got = []
    bus.publish("x", 0)
    bus.subscribe("x", got.append)
    bus.publish("x", 1)
    bus.unsubscribe("x", got.append)
    bus.publish("x", 2)
    assert got == [1]


def test_failing_handler_is_reported_and_others_still_run():
    bus = MessageBus()
    errors, got = [], []
    bus.on_handler_error = lambda topic, msg, exc, handler, essential: errors.append(
        (topic, msg, str(exc), handler_name(handler), essential)
    )

    def bad(msg):
        raise RuntimeError("boom")

    class Screen:
        def draw(self, msg):
            raise ValueError("no room")

    bus.subscribe("t", bad)
    bus.subscribe("t", got.append)
    bus.subscribe("t", Screen().draw, essential=False)
    bus.publish("t", 1)
    assert got == [1]
    assert errors == [
        (
            "t",
            1,
            "boom",
            "test_failing_handler_is_reported_and_others_still_run.<locals>.bad",
            True,
        ),
        ("t", 1, "no room", "Screen.draw", False),
    ]


def test_without_error_hook_handler_errors_propagate_and_bus_recovers():
    bus = MessageBus()

    def bad(msg):
        raise RuntimeError("boom")

    bus.subscribe("t", bad)
    with pytest.raises(RuntimeError):
        bus.publish("t", 1)
    got = []
    bus.subscribe("u", got.append)
    bus.publish("u", 2)
    assert got == [2]


def test_batch_holds_delivery_until_the_block_ends():
    bus = MessageBus()
    got = []
    bus.subscribe("t", got.append)
    with bus.batch():
        bus.publish("t", 1)
        bus.publish("t", 2)
        assert got == []  # nothing delivered while the publisher is mid-operation
    assert got == [1, 2] and bus.seq == 2
    bus.publish("t", 3)
    assert got == [1, 2, 3]


def test_batch_inside_a_delivery_defers_to_the_queue():
    bus = MessageBus()
    got = []

    def handler(msg):
        got.append(msg)
        if msg == "a":
            with bus.batch():
                bus.publish("t", "b")
            assert got == ["a"]

    bus.subscribe("t", handler)
    bus.publish("t", "a")
    assert got == ["a", "b"]


def test_nested_batches_deliver_once_at_the_outer_end_and_a_failed_block_delivers_nothing():
    bus = MessageBus()
    got = []

    def handler(msg):
        got.append(msg)
        if msg == 1:
            with bus.batch():  # inside a delivery inside the outer batch: queued behind it
                bus.publish("t", 3)

    bus.subscribe("t", handler)
    with bus.batch():
        bus.publish("t", 1)
        with bus.batch():
            bus.publish("t", 2)
        assert got == []  # the inner block's end is not the outer one's
    assert got == [1, 2, 3]
    with pytest.raises(ValueError), bus.batch():
        bus.publish("t", 4)
        raise ValueError("half-done")
    assert got == [1, 2, 3]  # the failed operation's messages are dropped
    bus.publish("t", 5)  # and the bus delivers again at once
    assert got == [1, 2, 3, 5]
