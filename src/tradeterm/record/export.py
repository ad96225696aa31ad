"""Recordings -> Parquet or CSV, streamed through pyarrow (imported here, never by the engine).

One recording to a file path ending in ``.parquet``/``.csv`` writes that file. Anything else
(several recordings, or a directory) writes a hive-partitioned tree that DuckDB, Spark and
pyarrow read directly::

    OUT/date=2024-08-08/instrument=binance.BTC-USDT/<recording>.parquet

The partition columns (``date``, ``instrument``) live in the path, not in the files. Rows are
written as they are read, one Parquet row group (or CSV chunk) per ``row_group`` rows of a file,
so memory is bounded by the row group whatever the recording's length. The columns are
``record/export_columns.py``'s: float64 prices and sizes beside their exact ticks and lots and
the instrument's tick and lot.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradeterm.record import tables
from tradeterm.record.export_columns import BatchBuilder
from tradeterm.record.journal import JournalReader

SUFFIX = {"parquet": ".parquet", "csv": ".csv"}
ROW_GROUP = 65_536  # rows in a Parquet row group (a CSV write)
CHUNK = 4_096  # rows held as Python tuples before they become Arrow columns
DAY_NS = 86_400 * 10**9
PNL: tables.Fields = (("ts", "int"), ("instrument", "str"), ("pnl", "money"), ("currency", "str"))


def _pnl_rows(reader: JournalReader) -> Iterator[tables.Row]:
    """The PnL curve (the report's analysis: a sample a second, held in memory by it)."""
    from tradeterm.record.merged import session_records
    from tradeterm.record.report import analyse

    result = analyse(session_records(reader), tables.instruments_of(reader))
    for ts, v in result["curve"]:
        yield ts, "all", Decimal(v), result["currency"]


def _source(reader: JournalReader, what: str) -> tuple[tables.Fields, Iterator[tables.Row]]:
    if what == "pnl":
        return PNL, _pnl_rows(reader)
    fields, rows = tables.TABLES[what]
    return fields, rows(reader)


class _File:
    """One output file. Rows are turned into Arrow batches every ``CHUNK`` rows (Python tuples
    take ten times the room of their columns) and written a row group at a time."""

    def __init__(self, path: Path, fmt: str, builder: BatchBuilder, row_group: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.builder, self.row_group = path, builder, row_group
        self.chunk = min(CHUNK, row_group)
        self.rows: list[tables.Row] = []
        self.batches: list[Any] = []
        self.buffered = 0  # rows in self.batches
        self.count = 0
        self.parquet = fmt == "parquet"
        self._writer: Any
        if self.parquet:
            import pyarrow.parquet as pq

            self._writer = pq.ParquetWriter(str(path), builder.schema)
        else:
            import pyarrow.csv as pacsv

            self._writer = pacsv.CSVWriter(str(path), builder.schema)

    def add(self, row: tables.Row) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self._convert()
            if self.buffered >= self.row_group:
                self.flush()

    def _convert(self) -> None:
        if self.rows:
            self.batches.append(self.builder.batch(self.rows))
            self.buffered += len(self.rows)
            self.rows = []

    def flush(self) -> None:
        """Write what is buffered: one row group (a CSV chunk)."""
        self._convert()
        if not self.batches:
            return
        import pyarrow as pa

        table = pa.Table.from_batches(self.batches, schema=self.builder.schema)
        if self.parquet:
            self._writer.write_table(table, row_group_size=len(table))
        else:
            self._writer.write_table(table)
        self.count += len(table)
        self.batches, self.buffered = [], 0

    def close(self) -> None:
        self.flush()
        self._writer.close()


def partition_value(instrument: str) -> str:
    """``binance:BTC/USDT`` -> ``binance.BTC-USDT`` (safe in paths, Hadoop and DuckDB)."""
    return instrument.replace(":", ".").replace("/", "-")


def _day(ts: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts // DAY_NS * 86_400, dt.UTC).strftime("%Y-%m-%d")


def export_recordings(
    readers: list[JournalReader], what: str, fmt: str, out: Path, row_group: int = ROW_GROUP
) -> list[tuple[Path, int]]:
    """Write the export; returns (file, rows) per file written, in path order."""
    single = len(readers) == 1 and out.suffix.lower() == SUFFIX[fmt] and not out.is_dir()
    written: list[tuple[Path, int]] = []
    taken: set[Path] = set()
    for reader in readers:
        fields, rows = _source(reader, what)
        insts = tables.instruments_of(reader)
        if single:
            file = _File(out, fmt, BatchBuilder(fields, insts, False), row_group)
            try:
                for row in rows:
                    file.add(row)
            finally:
                file.close()
            return [(out, file.count)]
        written += _export_tree(reader, fields, rows, insts, fmt, out, row_group, taken)
    return sorted(written)


def _export_tree(
    reader: JournalReader,
    fields: tables.Fields,
    rows: Iterator[tables.Row],
    insts: dict[str, Any],
    fmt: str,
    out: Path,
    row_group: int,
    taken: set[Path],
) -> list[tuple[Path, int]]:
    """One recording into the hive tree: a file per (date, instrument) it has rows for."""
    builder = BatchBuilder(fields, insts, True)
    names = [name for name, _ in fields]
    at_ts = names.index("ts_recv" if "ts_recv" in names else "ts")
    at_inst = names.index("instrument")
    files: dict[tuple[int, str], _File] = {}
    try:
        for row in rows:
            key = (row[at_ts] // DAY_NS, row[at_inst])
            file = files.get(key)
            if file is None:
                folder = out / f"date={_day(row[at_ts])}" / f"instrument={partition_value(key[1])}"
                target = folder / f"{reader.path.stem}{SUFFIX[fmt]}"
                n = 2
                while target in taken:  # two recordings with the same name
                    target = folder / f"{reader.path.stem}-{n}{SUFFIX[fmt]}"
                    n += 1
                taken.add(target)
                file = files[key] = _File(target, fmt, builder, row_group)
            file.add(row)
    finally:
        for file in files.values():
            file.close()
    return [(f.path, f.count) for f in files.values()]
