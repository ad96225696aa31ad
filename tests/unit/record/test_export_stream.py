"""The export streams (row groups reach the file while the recording is still being read) and
its columns are exact: float64 prices/sizes correctly rounded, integer ticks/lots, tick and lot."""

from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tradeterm.domain.market import BookDelta, BookSnapshot, Trade
from tradeterm.record import tables
from tradeterm.record.export import export_recordings
from tradeterm.record.journal import JournalReader
from tradeterm.record.merged import session_records

SAMPLE = Path(__file__).parents[3] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"


def recorded_trades(path):
    with JournalReader(path) as reader:
        insts = tables.instruments_of(reader)
        return insts, [ev for _, _, _, ev in session_records(reader) if type(ev) is Trade]


def test_row_groups_are_written_while_the_recording_is_read(tmp_path, monkeypatch):
    out = tmp_path / "trades.parquet"
    fields, rows = tables.TABLES["trades"]
    sizes = []  # the file's size every 1,000 rows read

    def watched(reader):
        for i, row in enumerate(rows(reader)):
            if i % 1000 == 0:
                sizes.append(out.stat().st_size if out.exists() else 0)
            yield row

    monkeypatch.setitem(tables.TABLES, "trades", (fields, watched))
    with JournalReader(SAMPLE) as reader:
        [(path, n)] = export_recordings([reader], "trades", "parquet", out, row_group=2_000)
    meta = pq.ParquetFile(path).metadata
    assert n > 10_000 and meta.num_rows == n
    assert meta.num_row_groups == -(-n // 2_000)
    assert all(meta.row_group(i).num_rows == 2_000 for i in range(meta.num_row_groups - 1))
    # the file grew while rows were still coming: the read never held the whole table
    assert len(set(sizes)) > n // 4_000 and sizes[len(sizes) // 2] > sizes[0]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_trade_columns_are_exact_against_the_recording(tmp_path, fmt):
    out = tmp_path / f"trades.{fmt}"
    with JournalReader(SAMPLE) as reader:
        export_recordings([reader], "trades", fmt, out, row_group=5_000)
    table = pq.read_table(out) if fmt == "parquet" else pacsv.read_csv(out)
    insts, trades = recorded_trades(SAMPLE)
    assert table.num_rows == len(trades) > 10_000
    cols = table.to_pydict()
    for i, ev in enumerate(trades):
        inst = insts[ev.instrument]
        assert cols["instrument"][i] == ev.instrument and cols["trade_id"][i] == ev.trade_id
        assert cols["price_ticks"][i] == ev.price and cols["size_lots"][i] == ev.size
        price, size = inst.ticks_to_price(ev.price), inst.lots_to_qty(ev.size)
        assert cols["price"][i] == float(price) and cols["size"][i] == float(size)
        tick, lot = Decimal(str(cols["tick"][i])), Decimal(str(cols["lot"][i]))
        assert (tick, lot) == (inst.tick_size, inst.lot_size)
        assert cols["price_ticks"][i] * cols["size_lots"][i] * tick * lot == price * size


def test_book_top_columns_are_exact_and_floats_are_correctly_rounded(tmp_path):
    out = tmp_path / "top.parquet"
    with JournalReader(SAMPLE) as reader:
        insts = tables.instruments_of(reader)
        export_recordings([reader], "book-top", "parquet", out, row_group=3_000)
        books = sum(
            type(ev) in (BookDelta, BookSnapshot) for _, _, _, ev in session_records(reader)
        )
    cols = pq.read_table(out).to_pydict()
    n = len(cols["time"])
    assert 1_000 < n <= books
    for i in range(n):
        inst = insts[cols["instrument"][i]]
        for side in ("bid", "ask"):
            ticks, lots = cols[f"{side}_price_ticks"][i], cols[f"{side}_size_lots"][i]
            if ticks is None:
                assert cols[f"{side}_price"][i] is None
                continue
            # the float is the exact decimal correctly rounded (not ticks * float(tick))
            assert cols[f"{side}_price"][i] == float(inst.ticks_to_price(ticks))
            assert cols[f"{side}_size"][i] == float(inst.lots_to_qty(lots))
    assert all(a > b for a, b in zip(cols["ask_price"], cols["bid_price"]) if a and b)


def _peaks(recording, out, monkeypatch):
    """The most memory Python held during an export (tracemalloc) and the most Arrow held
    (its pool, looked at every row); the first conversion, where pyarrow imports pandas, is
    paid before."""
    import tracemalloc

    import pyarrow as pa

    fields, rows = tables.TABLES["book-top"]
    arrow = [0]

    def watched(reader):
        for row in rows(reader):
            arrow[0] = max(arrow[0], pa.total_allocated_bytes())
            yield row

    monkeypatch.setitem(tables.TABLES, "book-top", (fields, watched))
    pa.array([0])
    tracemalloc.start()
    try:
        with JournalReader(recording) as reader:
            [(_, n)] = export_recordings([reader], "book-top", "parquet", out, row_group=200)
        return tracemalloc.get_traced_memory()[1], arrow[0], n
    finally:
        tracemalloc.stop()


def test_the_exports_memory_does_not_grow_with_the_recording(tmp_path, monkeypatch):
    """Five times the rows, the same memory: a row group's worth (issue 17)."""
    from tradeterm.bench.seek_bench import generate

    peaks = []
    for seconds in (60, 300):
        recording = tmp_path / f"{seconds}.ttj"
        generate(recording, seconds)
        peaks.append(_peaks(recording, tmp_path / f"{seconds}.parquet", monkeypatch))
    (python, arrow, rows), (python_long, arrow_long, rows_long) = peaks
    assert rows_long > 4 * rows > 4 * 600  # several row groups each
    assert python_long < 1.25 * python and arrow_long < 1.25 * arrow, peaks
