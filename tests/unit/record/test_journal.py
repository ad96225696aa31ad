"""Journal files: append, index, recovery from truncation and corruption, seek."""

import pytest

from tradeterm.domain.market import Side, Trade
from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.journal_writer import JournalWriter

IID = "binance:BTC/USDT"
T0 = 1_700_000_000_000_000_000
MS = 1_000_000


def write(path, blocks=5, per_block=100, close=True):
    w = JournalWriter(path, {"mode": "test", "venue": "binance", "instruments": []})
    seq = 0
    for b in range(blocks):
        msgs = []
        for k in range(per_block):
            i = b * per_block + k
            msgs.append(
                Trade(
                    IID,
                    6_000_000 + i % 11,
                    1 + i,
                    Side.BUY if i % 2 else Side.SELL,
                    i,
                    T0 + i * MS,
                    T0 + i * MS,
                )
            )
        seqs = list(range(seq + 1, seq + per_block + 1))
        seq += per_block
        w.write_block(seqs, [m.ts_recv for m in msgs], ["trade.binance.BTC/USDT"] * per_block, msgs)
    if close:
        w.close({"note": "done"})
    return w


def test_write_read_round_trip_with_index(tmp_path):
    path = tmp_path / "a.ttj"
    write(path)
    with JournalReader(path) as r:
        assert r.clean and r.damaged_at is None
        assert (
            r.header["mode"] == "test" and r.header["format"] == 2
        )  # keyframes (format 1 still reads)
        assert r.summary == {"note": "done"}
        assert r.records == 500 and len(r.index) == 5
        recs = list(r.records_iter())
        assert [s for s, _, _, _ in recs] == list(range(1, 501))
        assert recs[123][3].trade_id == 123 and recs[123][1] == T0 + 123 * MS
        assert r.start_ns == T0 and r.end_ns == T0 + 499 * MS


def test_never_overwrites_an_existing_recording(tmp_path):
    path = tmp_path / "a.ttj"
    write(path)
    with pytest.raises(FileExistsError):
        JournalWriter(path, {})


def test_unclosed_journal_is_scanned_and_fully_recovered(tmp_path):
    path = tmp_path / "a.ttj"
    write(path, close=False)
    with JournalReader(path) as r:
        assert not r.clean and r.damaged_at is None
        assert r.records == 500 and len(list(r.records_iter())) == 500


@pytest.mark.parametrize("cut", [1, 17, 39, 40, 41, -1])
def test_truncated_tail_keeps_every_complete_block_and_says_where(tmp_path, cut):
    path = tmp_path / "a.ttj"
    write(path, close=False)
    data = path.read_bytes()
    with JournalReader(path) as whole:
        last_block = int(whole.index.offset[-1])
    path.write_bytes(data[: last_block + cut] if cut > 0 else data[:cut])
    with JournalReader(path) as r:
        assert r.records == 400
        assert r.damaged_at == last_block
        assert f"from byte {last_block:,}" in r.damage
        assert len(list(r.records_iter())) == 400


def test_truncated_index_falls_back_to_a_scan(tmp_path):
    path = tmp_path / "a.ttj"
    write(path)
    path.write_bytes(path.read_bytes()[:-10])  # the trailer is cut: the index cannot be found
    with JournalReader(path) as r:
        assert not r.clean and r.records == 500


def test_a_corrupt_block_in_the_middle_is_a_clear_error_when_read(tmp_path):
    path = tmp_path / "a.ttj"
    write(path)
    with JournalReader(path) as r:
        target = int(r.index.offset[2]) + 60
    data = bytearray(path.read_bytes())
    data[target] ^= 0xFF
    path.write_bytes(bytes(data))
    with JournalReader(path) as r:
        r.read_block(1)
        with pytest.raises(JournalError, match="block 2 at byte .* is damaged"):
            r.read_block(2)
        assert r.read_block(3).events[0].trade_id == 300


def test_not_a_journal_and_damaged_header_are_clear_errors(tmp_path):
    junk = tmp_path / "junk.ttj"
    junk.write_bytes(b"hello world, not a journal at all")
    with pytest.raises(JournalError, match="not a tradeterm recording"):
        JournalReader(junk)
    with pytest.raises(JournalError, match="does not exist"):
        JournalReader(tmp_path / "missing.ttj")
    with pytest.raises(JournalError, match="is a directory"):
        JournalReader(tmp_path)
    path = tmp_path / "a.ttj"
    write(path)
    data = bytearray(path.read_bytes())
    data[30] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="header is damaged"):
        JournalReader(path)


def test_seek_finds_the_first_record_at_or_after_a_time(tmp_path):
    path = tmp_path / "a.ttj"
    write(path)
    with JournalReader(path) as r:
        assert r.seek(T0) == (0, 0)
        assert r.seek(T0 + 250 * MS) == (2, 50)
        assert r.seek(T0 + 250 * MS + 1) == (2, 51)
        assert r.seek(T0 + 10**15) == (5, 0)
        assert r.locate(250) == (2, 50) and r.locate(0) == (0, 0)


def test_a_damaged_block_is_found_up_front_and_can_be_skipped(tmp_path):
    path = tmp_path / "a.ttj"
    write(path)
    with JournalReader(path) as r:
        target = int(r.index.offset[2]) + 60
    data = bytearray(path.read_bytes())
    data[target] ^= 0xFF
    path.write_bytes(bytes(data))
    with JournalReader(path) as r:
        (damage,) = r.check_blocks()
        assert damage.records == 100 and "block 2 at byte" in str(damage)
        assert "holds 100 of the 500 records" in str(damage)
        with pytest.raises(JournalError, match="block 2"):
            list(r.records_iter())
    with JournalReader(path, skip_damaged=True) as r:
        trade_ids = [e.trade_id for _, _, _, e in r.records_iter()]
        assert trade_ids == [*range(200), *range(300, 500)]
        assert r.lost_records == 100 and len(r.lost) == 1


def test_an_unclosed_journal_with_a_damaged_frame_header_resumes_at_the_next_frame(tmp_path):
    path = tmp_path / "a.ttj"
    write(path, close=False)
    with JournalReader(path) as r:
        target = int(r.index.offset[1]) + 10  # inside block 1's frame header
    data = bytearray(path.read_bytes())
    data[target] ^= 0xFF
    path.write_bytes(bytes(data))
    with JournalReader(path) as r:
        assert r.damaged_at is None  # not a damaged tail: blocks 2-4 are whole
        assert r.records == 400 and len(r.check_blocks()) == 1
        with pytest.raises(JournalError, match="damaged"):
            list(r.records_iter())
    with JournalReader(path, skip_damaged=True) as r:
        trade_ids = [e.trade_id for _, _, _, e in r.records_iter()]
        assert trade_ids == [*range(100), *range(200, 500)]
