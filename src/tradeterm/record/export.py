"""Recordings -> Parquet or CSV through pandas (imported here, never by the engine).

One recording to a file path ending in ``.parquet``/``.csv`` writes that file. Anything else
(several recordings, or a directory) writes a hive-partitioned tree that DuckDB, Spark and
pyarrow read directly::

    OUT/date=2024-08-08/instrument=binance.BTC-USDT/<recording>.parquet

The partition columns (``date``, ``instrument``) live in the path, not in the files. Prices and
sizes are exact decimals (Parquet ``decimal128(38, 18)`` in every file, so a tree's files share
one schema; plain strings in CSV); times are ns integers
plus a UTC ``time`` column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradeterm.record import tables
from tradeterm.record.journal import JournalReader

WHATS: dict[str, Callable[[JournalReader], Iterator[dict[str, Any]]]] = {
    "trades": tables.trades,
    "book-top": tables.book_tops,
    "orders": tables.orders,
    "fills": tables.fills,
}
SUFFIX = {"parquet": ".parquet", "csv": ".csv"}


def frame(reader: JournalReader, what: str) -> Any:
    import pandas as pd

    if what == "pnl":
        rows = _pnl_rows(reader)
    else:
        rows = list(WHATS[what](reader))
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    ts_col = "ts_recv" if "ts_recv" in df.columns else "ts"
    df.insert(0, "time", pd.to_datetime(df[ts_col], unit="ns", utc=True))
    return df


def _pnl_rows(reader: JournalReader) -> list[dict[str, Any]]:
    from tradeterm.record.merged import session_records
    from tradeterm.record.report import analyse

    result = analyse(session_records(reader), tables.instruments_of(reader))
    return [
        {"ts": ts, "instrument": "all", "pnl": Decimal(v), "currency": result["currency"]}
        for ts, v in result["curve"]
    ]


DECIMAL_SCALE = 18  # every file of a tree shares one decimal type, so readers can merge them


def _write(df: Any, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(path, index=False)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    decimal = pa.decimal128(38, DECIMAL_SCALE)
    quantum = Decimal(1).scaleb(-DECIMAL_SCALE)
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type):
            values = [
                None
                if v is None
                else (v if -v.as_tuple().exponent <= DECIMAL_SCALE else v.quantize(quantum))
                for v in df[f.name]
            ]
            table = table.set_column(i, pa.field(f.name, decimal), pa.array(values, decimal))
    pq.write_table(table, path)


def partition_value(instrument: str) -> str:
    """``binance:BTC/USDT`` -> ``binance.BTC-USDT`` (safe in paths, Hadoop and DuckDB)."""
    return instrument.replace(":", ".").replace("/", "-")


def export_recordings(
    readers: list[JournalReader], what: str, fmt: str, out: Path
) -> list[tuple[Path, int]]:
    """Write the export; returns (file, rows) per file written."""
    single = len(readers) == 1 and out.suffix.lower() == SUFFIX[fmt] and not out.is_dir()
    written: list[tuple[Path, int]] = []
    for reader in readers:
        df = frame(reader, what)
        if single:
            _write(df, out, fmt)
            return [(out, len(df))]
        if df.empty:
            continue
        dates = df["time"].dt.strftime("%Y-%m-%d")
        for (date, instrument), part in df.groupby([dates, df["instrument"]], sort=True):
            folder = out / f"date={date}" / f"instrument={partition_value(instrument)}"
            target = folder / f"{reader.path.stem}{SUFFIX[fmt]}"
            n = 2
            while any(target == p for p, _ in written):  # two recordings with the same name
                target = folder / f"{reader.path.stem}-{n}{SUFFIX[fmt]}"
                n += 1
            _write(part.drop(columns=["instrument"]), target, fmt)
            written.append((target, len(part)))
    return written
