"""The times a replay seek accepts (issue 13.14): a clock time resolves to the right date on a
recording that crosses midnight, +N / -N count from the replay clock, a date is accepted, and
a time outside the recording is refused with its span."""

from datetime import datetime, timezone

import pytest

from tradeterm.record.replay_time import parse_time, say_time, span

S = 1_000_000_000


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()) * S


START, END = at("2024-08-08T23:54:13"), at("2024-08-09T00:10:00")  # over midnight
NOW = at("2024-08-08T23:58:00")


def test_a_clock_time_after_midnight_is_the_next_day():
    assert parse_time("00:00:05", START, END, NOW) == at("2024-08-09T00:00:05")
    assert parse_time("23:59", START, END, NOW) == at("2024-08-08T23:59:00")
    assert parse_time("00:00:05.250", START, END, NOW) == at("2024-08-09T00:00:05") + S // 4


def test_a_date_and_time_is_accepted():
    for text in (
        "2024-08-09 00:00:05",
        "2024-08-09T00:00:05",
        "2024-08-09T00:00:05Z",
        "2024-08-09T02:00:05+02:00",
    ):
        assert parse_time(text, START, END, NOW) == at("2024-08-09T00:00:05"), text


def test_plus_and_minus_count_from_the_replay_clock():
    assert parse_time("+60s", START, END, NOW) == NOW + 60 * S
    assert parse_time("+2m", START, END, NOW) == NOW + 120 * S
    assert parse_time("-90", START, END, NOW) == NOW - 90 * S
    assert parse_time("- 1.5m", START, END, NOW) == NOW - 90 * S


def test_a_time_outside_the_recording_is_refused_with_its_span():
    with pytest.raises(
        ValueError,
        match="not in this recording: it runs 2024-08-08 23:54:13 to 2024-08-09 00:10:00 UTC",
    ):
        parse_time("00:20:00", START, END, NOW)
    with pytest.raises(ValueError, match="not in this recording"):
        parse_time("23:54", START, END, NOW)  # 23:54:00 today is before the start: tomorrow's
    with pytest.raises(ValueError, match="not in this recording"):
        parse_time("+1h", START, END, NOW)


@pytest.mark.parametrize("bad", ["", "noon", "+", "+abc", "+nan", "-inf", "25:00", "+-5s"])
def test_what_is_not_a_time_says_the_forms(bad):
    with pytest.raises(ValueError, match="HH:MM|give seconds|no time"):
        parse_time(bad, START, END, NOW)


def test_a_recording_over_a_day_takes_the_first_occurrence_and_a_date_picks_another():
    end = START + 3 * 86_400 * S
    assert parse_time("03:00", START, end, NOW) == at("2024-08-09T03:00:00")
    assert parse_time("2024-08-10 03:00", START, end, NOW) == at("2024-08-10T03:00:00")


def test_a_time_is_said_back_as_it_would_be_typed():
    assert say_time(at("2024-08-09T00:00:05"), START) == "00:00:05"
    assert say_time(at("2024-08-08T23:59:00") + 1500 * 10**6, START) == "23:59:01.5"
    late = at("2024-08-10T00:00:05")  # the second day after midnight: needs its date
    assert say_time(late, START) == "2024-08-10 00:00:05"
    assert say_time(late, START, sep="T") == "2024-08-10T00:00:05"
    for ts in (at("2024-08-09T00:00:05") + 123_456_000, late):
        assert parse_time(say_time(ts, START), START, START + 3 * 86_400 * S, NOW) == ts
    assert span(START, END) == "2024-08-08 23:54:13 to 2024-08-09 00:10:00 UTC"
    assert span(START, START + 60 * S) == "2024-08-08 23:54:13 to 23:55:13 UTC"


def test_the_start_said_to_the_microsecond_is_the_start():
    start = START + 937_085_768
    said = say_time(start, start)
    assert said == "23:54:13.937085"
    assert parse_time(said, start, END, start) == start
