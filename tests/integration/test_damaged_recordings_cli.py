"""Damaged recordings from the command line (issue 12.6): replay, export and report refuse a
recording with a damaged block in one line that names --skip-damaged, and with it read the rest
and say how many records were lost. Never a traceback."""

import json
import os
import subprocess
import sys

import pytest

from tests.journal_samples import T0, block_offsets, flip, write_sample
from tradeterm.record.frames import CODEC_COLUMNS_ZSTD, KIND_BLOCK, pack_frame

PER_BLOCK = 200


def tradeterm(tmp_path, *args):
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def refused(out, *phrases):
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


@pytest.fixture()
def damaged(tmp_path):
    path = write_sample(tmp_path / "rec.ttj", blocks=6, per_block=PER_BLOCK)
    flip(path, block_offsets(path)[3] + 70)  # inside block 3's payload
    return path


def test_replay_refuses_a_damaged_block_naming_the_way_on(tmp_path, damaged):
    refused(
        tradeterm(tmp_path, "replay", damaged, "--headless", "--no-record"),
        "block 3 at byte",
        "is damaged",
        f"holds {PER_BLOCK} of the 1,200 records",
        "--skip-damaged",
    )
    # the TUI path refuses before the screen opens
    refused(tradeterm(tmp_path, "replay", damaged, "--no-record"), "--skip-damaged")


def test_replay_skips_the_damaged_block_and_says_how_many_records_were_lost(tmp_path, damaged):
    out = tradeterm(tmp_path, "replay", damaged, "--json", "--no-record", "--skip-damaged")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert f"skipped 1 damaged block: {PER_BLOCK} of 1,200 records lost" in out.stderr
    replay = json.loads(out.stdout)["replay"]
    assert replay["lost_records"] == PER_BLOCK
    assert replay["read"] == 1_200 - PER_BLOCK and not replay["complete"]
    stats = json.loads(out.stdout)["instruments"]["SIM-BTC/USD"]
    assert stats["trades"] == 1_200 - PER_BLOCK - 1  # the first record is the snapshot


def test_export_and_report_refuse_then_skip_with_the_flag(tmp_path, damaged):
    csv = tmp_path / "t.csv"
    refused(
        tradeterm(tmp_path, "export", damaged, "--what", "trades", "--format", "csv", "-o", csv),
        "block 3",
        "export with --skip-damaged",
    )
    assert not csv.exists()
    out = tradeterm(
        tmp_path,
        "export",
        damaged,
        "--what",
        "trades",
        "--format",
        "csv",
        "-o",
        csv,
        "--skip-damaged",
    )
    assert out.returncode == 0, out.stderr
    assert f"{PER_BLOCK} of 1,200 records lost" in out.stderr
    assert len(csv.read_text().splitlines()) == 1 + 1_200 - PER_BLOCK - 1
    refused(tradeterm(tmp_path, "report", damaged, "--json"), "report with --skip-damaged")
    out = tradeterm(tmp_path, "report", damaged, "--json", "--skip-damaged")
    assert out.returncode == 0 and "records lost" in out.stderr, out.stderr


def test_a_block_that_passes_its_checksum_but_does_not_decode_stops_the_replay_cleanly(tmp_path):
    path = tmp_path / "bad.ttj"
    write_sample(path, blocks=3, per_block=PER_BLOCK, close=False)
    # append a frame whose checksum is right but whose payload is not a block
    with open(path, "ab") as fh:
        fh.write(
            pack_frame(
                KIND_BLOCK, CODEC_COLUMNS_ZSTD, b"not a block at all", 5, T0 + 10**9, T0 + 10**9
            )
        )
    out = tradeterm(tmp_path, "replay", path, "--json", "--no-record")
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert "does not decompress" in out.stderr.splitlines()[-1]
    assert "--skip-damaged" in out.stderr.splitlines()[-1]
    out = tradeterm(tmp_path, "replay", path, "--json", "--no-record", "--skip-damaged")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["replay"]["lost_records"] == 5


def test_replay_start_beyond_any_number_is_a_clear_error(tmp_path):
    path = write_sample(tmp_path / "rec.ttj", blocks=2, per_block=50)
    refused(
        tradeterm(tmp_path, "replay", path, "--headless", "--start", "+1e400s"), "cannot read time"
    )
