"""The Binance capture importer on bad input (issue 12.7): every malformed line is counted and
reported with its line number, none raises, and no trade at or below zero is ever imported."""

import copy
import json

import pytest

from tests.capture_samples import RECV0, line, messages, snapshot, write_capture
from tradeterm.domain.market import BookDelta, BookSnapshot, Trade
from tradeterm.record.binance_import import import_binance
from tradeterm.record.import_report import CaptureError
from tradeterm.record.journal import JournalReader


def events(path):
    with JournalReader(path) as r:
        return [e for _, _, _, e in r.records_iter()]


@pytest.fixture()
def clean(tmp_path):
    path = write_capture(tmp_path / "clean.txt")
    report = import_binance([path], tmp_path / "clean.ttj")
    assert report.malformed == 0 and not report.gaps
    return report


def mutated(index, change):
    msgs = messages()
    msg = copy.deepcopy(msgs[index])
    change(msg)
    msgs[index] = msg
    return msgs


def set_data(key, value):
    return lambda m: m["data"].__setitem__(key, value)


CASES = {
    "three-element diff level": (2, set_data("b", [["1", "2", "3"]]), "[price, size] pairs"),
    "diff levels not a list": (2, set_data("b", "abc"), "[price, size] pairs"),
    "negative trade": (3, lambda m: m["data"].update(p="-5", q="-1"), "'p' must be a decimal"),
    "zero trade size": (6, set_data("q", "0.00000000"), "above zero"),
    "unicode digits": (6, set_data("p", "6183\u1c447.63"), "'p' must be a decimal"),
    "trade time beyond 64 bits": (3, set_data("T", 2**63), "'T' must be a time"),
    "update id beyond 64 bits": (2, set_data("u", 2**64), "'u' must be a whole number"),
    "string update id": (2, set_data("U", "1000"), "'U' must be a whole number"),
    "boolean as trade id": (3, set_data("t", True), "'t' must be a whole number"),
    "data not an object": (3, lambda m: m.__setitem__("data", [1, 2]), "'data' is not an object"),
    "symbol not a string": (4, set_data("s", 7), "'s' must be a string"),
    "ticker price of zero": (4, set_data("b", "0"), "above zero"),
    "too many decimals": (3, set_data("p", "61837.630000001"), "at most 8 decimals"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_malformed_line_is_counted_with_its_line_number_and_left_out(tmp_path, clean, case):
    index, change, reason = CASES[case]
    path = write_capture(tmp_path / "bad.txt", mutated(index, change))
    report = import_binance([path], tmp_path / "bad.ttj")
    assert report.malformed == 1, report.malformed_examples
    assert report.malformed_examples[0].startswith(f"bad.txt:{index + 1}: ")
    assert reason in report.malformed_examples[0]
    if "depth" in messages()[index].get("stream", ""):  # a left-out diff is a gap in the book
        assert report.gaps and "gap in update ids" in report.gaps[0]
    else:
        assert report.records == clean.records - 1
    for event in events(tmp_path / "bad.ttj"):
        if isinstance(event, Trade):
            assert event.price > 0 and event.size > 0
        if isinstance(event, (BookDelta, BookSnapshot)):
            assert all(p > 0 and q >= 0 for p, q in event.bids + event.asks)


@pytest.mark.parametrize(
    "raw",
    [
        "99999999999999999999999 {}\n",  # receive time over 2^63
        "-5 {}\n",
        "1723161253000000000\n",  # no JSON
        "1723161253000000000 [1,2]\n",
        '1723161253000000000 {"stream":\n',  # cut short
        "\u0661\u0662 {}\n",  # Arabic-Indic digits as the receive time
    ],
)
def test_unreadable_lines_are_counted(tmp_path, raw):
    path = write_capture(tmp_path / "bad.txt", raw=[raw])
    report = import_binance([path], tmp_path / "bad.ttj")
    assert report.malformed == 1 and report.malformed_examples[0].startswith("bad.txt:63: ")


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.__setitem__("lastUpdateId", "abc"),
        lambda s: s.__setitem__("lastUpdateId", "1000"),
        lambda s: s["bids"].__setitem__(0, ["61837.63000000", "3.78826000", "x"]),
        lambda s: s.__setitem__("asks", {"a": 1}),
    ],
)
def test_a_malformed_only_snapshot_is_refused_saying_which_line(tmp_path, change):
    msgs = messages()
    snap = snapshot()
    change(snap)
    msgs[1] = snap
    path = write_capture(tmp_path / "bad.txt", msgs)
    with pytest.raises(CaptureError, match="no usable REST depth snapshot .*line 2"):
        import_binance([path], tmp_path / "bad.ttj")


def test_a_second_valid_snapshot_still_gives_a_book(tmp_path):
    msgs = messages()
    broken = snapshot()
    broken["lastUpdateId"] = "x"
    path = write_capture(tmp_path / "two.txt", [broken, *msgs])
    report = import_binance([path], tmp_path / "two.ttj")
    assert report.malformed == 1 and not report.gaps
    assert report.counts["BookSnapshot"] == 1


def test_the_cli_reports_malformed_lines_and_exits_0(tmp_path):
    import os
    import subprocess
    import sys

    msgs = mutated(3, lambda m: m["data"].update(p="-5", q="-1"))
    path = write_capture(tmp_path / "neg.txt", msgs, raw=[line(RECV0, {"lastUpdateId": 2**70})])
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path / "data"))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradeterm",
            "import",
            "binance",
            str(path),
            "-o",
            str(tmp_path / "neg.ttj"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    report = json.loads(out.stdout)
    assert report["malformed"] == 2
    assert all(
        e.price > 0 and e.size > 0 for e in events(tmp_path / "neg.ttj") if isinstance(e, Trade)
    )
