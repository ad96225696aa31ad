import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeterm.core.backoff import Backoff
from tradeterm.core.clock import NS, SimClock


def test_delays_double_with_jitter_up_to_the_cap_and_reset_starts_over():
    b = Backoff(0.5, 4.0, random.Random(1))
    delays = [b.delay() for _ in range(7)]
    for n, d in enumerate(delays):
        ceiling = min(4.0, 0.5 * 2**n)
        assert ceiling / 2 <= d <= ceiling
    assert b.attempts == 7
    b.reset()
    assert b.attempts == 0 and 0.25 <= b.delay() <= 0.5


def test_the_same_seed_gives_the_same_delays():
    one = [Backoff(0.1, 30, random.Random(7)).delay() for _ in range(1)]
    a, b = Backoff(0.1, 30, random.Random(7)), Backoff(0.1, 30, random.Random(7))
    assert [a.delay() for _ in range(10)] == [b.delay() for _ in range(10)]
    assert one[0] == Backoff(0.1, 30, random.Random(7)).delay()


def test_the_budget_is_measured_on_the_clock_given_and_never_overslept():
    clock = SimClock(0)
    b = Backoff(1.0, 8.0, random.Random(3), budget_s=10.0, now=lambda: clock.timestamp_ns() / NS)
    total = 0.0
    while not b.give_up:
        d = b.delay()
        total += d
        clock.advance_to(clock.timestamp_ns() + int(d * NS))
    assert total == pytest.approx(10.0) and b.elapsed_s == pytest.approx(10.0)


async def test_sleep_waits_the_delay_it_returns():
    slept = []

    async def fake_sleep(s):
        slept.append(s)

    b = Backoff(0.2, 1.0, random.Random(5))
    got = await b.sleep(fake_sleep)
    assert slept == [got] and 0.1 <= got <= 0.2


@given(st.floats(0.01, 5), st.floats(1, 60), st.integers(0, 2**32), st.integers(1, 80))
def test_every_delay_is_within_half_and_all_of_its_ceiling(first, cap, seed, n):
    cap = max(cap, first)
    b = Backoff(first, cap, random.Random(seed))
    for attempt in range(n):
        ceiling = min(cap, first * 2**attempt)
        assert ceiling / 2 <= b.delay() <= ceiling


def test_bad_bounds_are_refused():
    with pytest.raises(ValueError):
        Backoff(0, 1)
    with pytest.raises(ValueError):
        Backoff(2, 1)
