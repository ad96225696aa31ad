"""The memory of a streaming export (issue 17): the peak RSS of ``tradeterm export --what
book-top`` of a generated recording, beside the peak RSS of a decode-only pass over the same
recording in a fresh process with the export's modules loaded (the floor any export pays:
Python, pyarrow, numpy, the journal's decoder). Each is its own child process, its peak its own
``VmHWM`` (``bench/child.py``). The recording is a synthetic market made by the recorder
(``seek_bench.generate``: two instruments, ~200 messages a second, books ~1,000 levels a side),
its length
``TRADETERM_BENCH_EXPORT_MINUTES`` (default 60). Measured 2026-12-07: 140 MB for 1 minute
(12k records), 172 MB for 60 (720k), 185 MB for 240 (2.9M), beside 71-72 MB decode-only.

What grows is the first row group filling, then the peak stays: this market gives ~830
book-top rows a minute, so the default 65,536-row group is full at ~80 minutes (60 minutes
write one 50k-row group at the end; 240 minutes three full ones). ``export --row-group``
moves the plateau: 4,096 rows 151 MB at 60 min and 153 MB at 480 min; 65,536 rows 177 and
190; 262,144 rows 177 and 240 (2026-12-07, ``/usr/bin/time``). The write of a full group is
pyarrow's: its 9 MB of Arrow columns cost +22 MB of peak in ``ParquetWriter.write_table``, 8 MB
of it in Arrow's pool (mimalloc: ``ARROW_DEFAULT_MEMORY_POOL=system`` peaks 161 MB at 480 min,
not 190). The gap to decode-only at 1 minute is mostly pandas, which pyarrow imports on its
first ``pa.array`` of Python values (``pa.array([1])`` alone: +51 MB).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from tradeterm.bench.child import TRADETERM, run_child
from tradeterm.bench.registry import Figure, benchmark
from tradeterm.bench.seek_bench import generate

DECODE_ONLY = """
import sys
import pyarrow.parquet
import tradeterm.record.export
from tradeterm.record.journal import JournalReader

with JournalReader(sys.argv[1]) as reader:
    for _ in reader.records_iter():
        pass
"""


@benchmark("export.peak_rss")
def export_peak_rss(quick: bool = False) -> Figure:
    minutes = 1.0 if quick else float(os.environ.get("TRADETERM_BENCH_EXPORT_MINUTES", "60"))
    with tempfile.TemporaryDirectory(prefix="tradeterm-bench-") as tmp:
        home = Path(tmp)
        recording = home / "market.ttj"
        t = time.perf_counter()
        records, size, _ = generate(recording, minutes * 60)
        made = time.perf_counter() - t
        out = home / "book-top.parquet"
        export = run_child(
            TRADETERM, ["export", str(recording), "--what", "book-top", "-o", str(out)], home
        )
        if not out.is_file():
            raise RuntimeError(f"export wrote no {out.name}: {export.stderr.strip()[-300:]}")
        decode = run_child(DECODE_ONLY, [str(recording)], home)
    mb = 1024 * 1024
    return Figure(
        "export.peak_rss",
        export.peak_rss_bytes / mb,
        "MB",
        "a decode-only pass over the same recording in a fresh process with the export's "
        "modules loaded (peak RSS), same run",
        decode.peak_rss_bytes / mb,
        target="<= 200 MB whatever the recording's length",
        higher_is_better=False,
        note=(
            f"tradeterm export --what book-top (default row group) of a generated {minutes:g}-min "
            f"recording ({records:,} records, {size / 1e6:.1f} MB, made in {made:.0f} s; "
            f"TRADETERM_BENCH_EXPORT_MINUTES to change), in {export.wall_s:.1f} s; "
            f"each child's own peak RSS (VmHWM)"
        ),
    )
