"""Fuzzing the Binance capture importer: any JSON in any field of any message, and lines that
are not JSON at all. Nothing raises (a capture that cannot be imported as asked is one clear
CaptureError); nothing imported has a price or trade size at or below zero or a number beyond
64 bits."""

import copy
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.capture_samples import RECV0, line, messages, write_capture
from tradeterm.domain.market import BookDelta, BookSnapshot, TopOfBook, Trade
from tradeterm.record.binance_import import import_binance
from tradeterm.record.import_report import CaptureError
from tradeterm.record.journal import JournalReader

INT64 = 2**63 - 1
TEMPLATES = messages(6)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "-5",
            "0",
            "0.00000000",
            "1e5",
            "61837.63",
            "1_000",
            "+1",
            " 1",
            "NaN",
            "61837.630000001",
            "\u0663",
            "99999999999999999999.99999999",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def fuzzed_message(draw):
    msg = copy.deepcopy(draw(st.sampled_from(TEMPLATES)))
    target = msg.get("data", msg)
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(target) + ["extra"]))
        action = draw(st.sampled_from(["replace", "delete", "level"]))
        if action == "delete":
            target.pop(key, None)
        elif action == "level" and isinstance(target.get(key), list) and target[key]:
            target[key][0] = draw(json_values)
        else:
            target[key] = draw(json_values)
    return msg


def one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\r", " ") + "\n"


fuzzed_line = st.one_of(
    fuzzed_message().map(lambda m: line(RECV0 + 5, m)),
    st.builds(
        lambda recv, m: f"{recv} " + line(0, m).split(" ", 1)[1],
        st.integers(-(2**70), 2**70),
        fuzzed_message(),
    ),
    st.text(max_size=40).map(one_line),
    st.binary(max_size=40).map(lambda b: one_line(b.decode("latin-1"))),
)


def check_import(tmp, bad):
    path = write_capture(tmp / "cap.txt", TEMPLATES, raw=bad)
    try:
        report = import_binance([path], tmp / "out.ttj", level=1)
    except CaptureError as exc:  # e.g. the fuzz named a second symbol beside the snapshot
        assert str(exc) and "\n" not in str(exc)
        return
    assert report.lines == len(TEMPLATES) + len(bad)
    with JournalReader(tmp / "out.ttj") as r:
        for _, ts, _, event in r.records_iter():
            assert 0 <= ts <= INT64
            if isinstance(event, Trade):
                assert 0 < event.price <= INT64 and 0 < event.size <= INT64
            elif isinstance(event, (BookDelta, BookSnapshot)):
                assert all(0 < p <= INT64 and 0 <= q <= INT64 for p, q in event.bids + event.asks)
            elif isinstance(event, TopOfBook):
                assert event.bid_price > 0 and event.ask_price > 0


FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=200, **FUZZ)
@given(bad=st.lists(fuzzed_line, min_size=1, max_size=6))
def test_no_capture_line_raises_and_nothing_imported_is_impossible(bad):
    with tempfile.TemporaryDirectory() as tmp:
        check_import(Path(tmp), bad)


@pytest.mark.slow
@settings(max_examples=5000, **FUZZ)
@given(bad=st.lists(fuzzed_line, min_size=1, max_size=6))
def test_no_capture_line_raises_many(bad):
    with tempfile.TemporaryDirectory() as tmp:
        check_import(Path(tmp), bad)
