"""Recording, importing and replaying from the command line, bad input included: every refusal
is exit code 2 with a reason and no traceback."""

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tradeterm.record.journal import JournalReader

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
BTC = DATA / "binance-spot-btcusdt-20240808.gz"
needs_data = pytest.mark.skipif(not BTC.exists(), reason="shared market data not present")


def tradeterm(*args, tmp_path, timeout=120):
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def refused(out, *phrases):
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    for phrase in phrases:
        assert phrase in out.stderr, out.stderr


def capture_lines(n=3000):
    with gzip.open(BTC, "rt") as fh:
        return [next(fh) for _ in range(n)]


def write_capture(path, lines):
    with gzip.open(path, "wt") as fh:
        fh.writelines(lines)
    return path


def test_record_sim_headless_then_replay_it(tmp_path):
    rec = tmp_path / "sim.ttj"
    out = tradeterm(
        "record",
        "--venue",
        "sim",
        "--symbols",
        "SIM-BTC/USD",
        "--fast",
        "--seed",
        "5",
        "--seconds",
        "20",
        "-o",
        str(rec),
        tmp_path=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert f"to {rec}" in out.stderr
    with JournalReader(rec) as reader:
        assert reader.clean and reader.header["mode"] == "record"
        assert [i["symbol"] for i in reader.instruments] == ["SIM-BTC/USD"]
        assert reader.header["config"]["sim"]["seed"] == 5
        kinds = {type(e).__name__ for _, _, _, e in reader.records_iter()}
    assert {"BookSnapshot", "BookDelta", "Trade", "LogLine", "VenueStatus"} <= kinds
    summary = json.loads(
        tradeterm("replay", str(rec), "--json", "--no-record", tmp_path=tmp_path).stdout
    )
    live = json.loads(
        tradeterm(
            "record",
            "--fast",
            "--seed",
            "5",
            "--seconds",
            "20",
            "--symbols",
            "SIM-BTC/USD",
            "--json",
            "-o",
            str(tmp_path / "again.ttj"),
            tmp_path=tmp_path,
        ).stdout
    )
    # the replayed book ends where the recorded session's book ended
    assert summary["instruments"] == live["instruments"]
    assert not (tmp_path / "data" / "recordings").exists()  # --no-record wrote nothing


def test_recorder_killed_mid_write_leaves_a_journal_readable_to_the_last_flush(tmp_path):
    rec = tmp_path / "live.ttj"
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradeterm",
            "record",
            "--activity",
            "busy",
            "--seconds",
            "60",
            "-o",
            str(rec),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not rec.exists() or rec.stat().st_size < 60_000):
            time.sleep(0.05)
        flushed = rec.stat().st_size
        time.sleep(0.6)  # more blocks land; the kill hits whatever is being written
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with JournalReader(rec) as reader:
        assert not reader.clean
        assert reader.damaged_at is None or reader.damaged_at >= flushed
        last_block_end = int(reader.index.offset[-1])
        assert last_block_end >= flushed - 40_000  # every block written 0.6 s ago survived
        seqs = [s for s, _, _, _ in reader.records_iter()]
    assert len(seqs) == reader.records > 1000
    assert seqs == list(range(1, len(seqs) + 1))  # nothing lost or reordered before the tail


def test_replay_refuses_missing_and_garbage_files(tmp_path):
    refused(
        tradeterm("replay", str(tmp_path / "nope.ttj"), "--headless", tmp_path=tmp_path),
        "does not exist",
    )
    junk = tmp_path / "junk.ttj"
    junk.write_bytes(os.urandom(3000))
    refused(
        tradeterm("replay", str(junk), "--headless", tmp_path=tmp_path), "not a tradeterm recording"
    )
    refused(
        tradeterm("replay", str(junk), "--speed", "1000", tmp_path=tmp_path),
        "speed must be from 0.1 to 100",
    )
    refused(tradeterm("report", str(junk), tmp_path=tmp_path), "not a tradeterm recording")
    refused(
        tradeterm(
            "export",
            str(junk),
            "--what",
            "trades",
            "-o",
            str(tmp_path / "x.csv"),
            "--format",
            "csv",
            tmp_path=tmp_path,
        ),
        "not a tradeterm recording",
    )


def test_truncated_recording_replays_what_is_left_and_says_so(tmp_path):
    rec = tmp_path / "sim.ttj"
    tradeterm(
        "record", "--fast", "--seed", "2", "--seconds", "30", "-o", str(rec), tmp_path=tmp_path
    )
    data = rec.read_bytes()
    cut = tmp_path / "cut.ttj"
    cut.write_bytes(data[: len(data) * 2 // 3])
    out = tradeterm("replay", str(cut), "--headless", "--json", "--no-record", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "damaged tail from byte" in out.stderr
    assert json.loads(out.stdout)["replay"]["complete"] is True


@needs_data
def test_import_without_snapshot_is_refused_and_trades_only_works(tmp_path):
    lines = [line for line in capture_lines() if "lastUpdateId" not in line]
    cap = write_capture(tmp_path / "nosnap.gz", lines)
    out = tradeterm("import", "binance", str(cap), "-o", str(tmp_path / "a.ttj"), tmp_path=tmp_path)
    refused(out, "no REST depth snapshot", "--trades-only")
    assert not (tmp_path / "a.ttj").exists()
    ok = tradeterm(
        "import",
        "binance",
        str(cap),
        "-o",
        str(tmp_path / "a.ttj"),
        "--trades-only",
        "--json",
        tmp_path=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["skipped_depth"] > 0 and "BookDelta" not in report["counts"]
    assert report["counts"]["Trade"] > 0 and report["counts"]["TopOfBook"] > 0


@needs_data
def test_import_reports_malformed_lines_and_gaps_and_marks_the_book_unsynced(tmp_path):
    lines = capture_lines()
    depth = [i for i, line in enumerate(lines) if "depthUpdate" in line]
    del lines[depth[40]]  # a missing diff: a gap in update ids
    lines.insert(100, "1723161254000000000 {not json\n")
    lines.insert(200, "garbage-without-a-space\n")
    lines.insert(
        300,
        '1723161254000000000 {"stream":"btcusdt@trade","data":{"e":"trade",'
        '"s":"BTCUSDT","p":"1.234","q":"1","t":1,"T":1,"m":true}}\n',
    )
    cap = write_capture(tmp_path / "gappy.gz", lines)
    rec = tmp_path / "gappy.ttj"
    out = tradeterm("import", "binance", str(cap), "-o", str(rec), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "MALFORMED 3 lines" in out.stdout and "gappy.gz:101" in out.stdout
    assert "GAP BTC/USDT: gap in update ids" in out.stdout
    assert "book ends unsynced" in out.stdout
    replay = tradeterm("replay", str(rec), "--headless", "--json", "--no-record", tmp_path=tmp_path)
    assert replay.returncode == 0
    assert "sequence gap" in replay.stderr  # the replayed book saw the gap itself
    refused(
        tradeterm("import", "binance", str(cap), "-o", str(rec), tmp_path=tmp_path),
        "already exists",
    )
    refused(
        tradeterm(
            "import",
            "binance",
            str(tmp_path / "missing.gz"),
            "-o",
            str(tmp_path / "m.ttj"),
            tmp_path=tmp_path,
        ),
        "does not exist",
    )
