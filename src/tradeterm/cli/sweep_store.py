"""Where a sweep's rows go: ``OUT.parquet`` and, beside it, ``OUT.cells/<cell id>.parquet``.

Each finished cell is written at once to its own small file (written under a temporary name,
then renamed: a crash never leaves half a row), so a sweep stopped by Ctrl-C or a crash loses at
most the cells that were running; a rerun with the same output skips every cell that has a
file. When the sweep ends, the cells' files are merged into ``OUT.parquet``, ordered as the
plan (parameters outer, recordings inner), whatever order the workers finished in.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


class SweepStore:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.cells = out.with_name(out.name.removesuffix(".parquet") + ".cells")

    def done(self) -> set[str]:
        """The ids of the cells already written."""
        if not self.cells.is_dir():
            return set()
        return {p.stem for p in self.cells.glob("*.parquet")}

    def write(self, row: dict[str, Any]) -> None:
        """One finished cell, durably (atomic rename)."""
        self.cells.mkdir(parents=True, exist_ok=True)
        target = self.cells / f"{row['cell']}.parquet"
        partial = target.with_suffix(".partial")
        pq.write_table(pa.Table.from_pylist([row]), partial)
        os.replace(partial, target)

    def merge(self, order: Iterable[str]) -> int:
        """The cells' rows as one table at ``out``, in ``order`` (cell ids); returns rows."""
        ranks = {cell: i for i, cell in enumerate(order)}
        files = sorted(
            (p for p in self.cells.glob("*.parquet") if p.stem in ranks),
            key=lambda p: ranks[p.stem],
        )
        tables = [pq.read_table(p) for p in files]
        table = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
        partial = self.out.with_suffix(".partial")
        pq.write_table(table, partial)
        os.replace(partial, self.out)
        rows: int = table.num_rows
        return rows
