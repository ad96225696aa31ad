import asyncio

from tradeterm.core.clock import NS, LiveClock, SimClock


def test_sim_clock_fires_timers_in_order_at_their_own_time():
    clock = SimClock(0)
    fired = []
    clock.set_timer("every2", 2 * NS, lambda ts: fired.append(("every2", ts, clock.timestamp_ns())))
    clock.set_alert("at3", 3 * NS, lambda ts: fired.append(("at3", ts, clock.timestamp_ns())))
    clock.advance_to(5 * NS)
    assert fired == [
        ("every2", 2 * NS, 2 * NS),
        ("at3", 3 * NS, 3 * NS),
        ("every2", 4 * NS, 4 * NS),
    ]
    assert clock.timestamp_ns() == 5 * NS


def test_sim_clock_cancel_and_reschedule():
    clock = SimClock(0)
    fired = []
    clock.set_alert("a", NS, fired.append)
    clock.cancel_timer("a")
    clock.set_alert("b", NS, fired.append)
    clock.set_alert("b", 2 * NS, fired.append)  # replaces the first "b"
    clock.advance_to(3 * NS)
    assert fired == [2 * NS]
    assert clock.next_due_ns() is None


def test_sim_clock_never_goes_backwards():
    clock = SimClock(10)
    clock.advance_to(5)
    assert clock.timestamp_ns() == 10


def test_timer_callback_can_set_new_timers():
    clock = SimClock(0)
    fired = []

    def first(ts):
        fired.append(ts)
        clock.set_alert("second", ts + NS, fired.append)

    clock.set_alert("first", NS, first)
    clock.advance_to(5 * NS)
    assert fired == [NS, 2 * NS]


def test_live_clock_alert_and_timer():
    async def scenario():
        clock = LiveClock()
        fired = []
        now = clock.timestamp_ns()
        clock.set_alert("once", now + 10_000_000, lambda ts: fired.append("once"))
        clock.set_timer("tick", 5_000_000, lambda ts: fired.append("tick"))
        await asyncio.sleep(0.05)
        clock.cancel_timer("tick")
        count = fired.count("tick")
        await asyncio.sleep(0.02)
        return fired, count

    fired, count = asyncio.run(scenario())
    assert fired.count("once") == 1
    assert count >= 3 and fired.count("tick") == count  # cancelled timers stop
