"""What keyframes add to a recording's size (issue 16: target under 10%), measured, never
asserted on time: on the generated deep-book recording of ``seek_bench`` (two books of ~1,000
levels a side, random sizes, keyframes every 60 s) and on the shipped Binance recording through
its side file (``tradeterm index``). The figure is the worse of the two; the reference is the
same recordings with a full keyframe at every interval (no deltas)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tradeterm.bench.registry import Figure, benchmark
from tradeterm.bench.seek_bench import KEYFRAME_S, generate

SHIPPED = Path(__file__).resolve().parents[3] / "recordings"
BINANCE = "binance-spot-btcusdt-ethusdt-20240808.ttj"


def _generated(tmp: Path, seconds: float, full_every: int | None) -> float:
    _, size, key_bytes = generate(tmp / f"deep-{full_every}.ttj", seconds, full_every=full_every)
    return 100 * key_bytes / (size - key_bytes)


def _side_file(tmp: Path, full_every: int | None) -> float | None:
    """The side file's size against the recording's (None: the recording is not shipped)."""
    from tradeterm.record.journal import JournalReader
    from tradeterm.record.keyframe_delta import FULL_EVERY
    from tradeterm.record.keyframe_file import build_side_file

    source = SHIPPED / BINANCE
    if not source.exists():
        return None
    copy = tmp / f"{full_every}-{BINANCE}"
    shutil.copyfile(source, copy)
    with JournalReader(copy) as reader:
        side, _ = build_side_file(reader, KEYFRAME_S, full_every or FULL_EVERY)
    return 100 * side.stat().st_size / copy.stat().st_size


@benchmark("record.keyframe_overhead")
def keyframe_overhead(quick: bool = False) -> Figure:
    seconds = 600 if quick else 3600
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        deep, deep_full = _generated(tmp, seconds, None), _generated(tmp, seconds, 1)
        shipped, shipped_full = _side_file(tmp, None), _side_file(tmp, 1)
    value = max(deep, shipped or 0.0)
    reference = max(deep_full, shipped_full or 0.0)
    binance = (
        f"Binance side file {shipped:.1f}% (full only: {shipped_full:.1f}%)"
        if shipped is not None and shipped_full is not None
        else "Binance recording not shipped here"
    )
    return Figure(
        "record.keyframe_overhead",
        value,
        "%",
        "full keyframes at every interval (no deltas), same recordings",
        reference,
        target="< 10%",
        higher_is_better=False,
        note=(
            f"keyframe bytes against the rest of the file: generated {seconds / 60:.0f} min "
            f"deep-book recording {deep:.1f}% (full only: {deep_full:.1f}%); {binance}"
        ),
    )
