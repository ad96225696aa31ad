"""``ui.chart_redraw_ms``: the chart pane's cost per full redraw (plotext draws the whole
canvas), beside the ladder's forced redraw in the same app on the same frame. Measured by
``python -m tradeterm.ui.chart_timing`` in a subprocess: the benchmarks do not import the UI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tradeterm.bench.registry import Figure, benchmark

TIMING = "tradeterm.ui.chart_timing"  # a Textual app: it lives in ui/


@benchmark("ui.chart_redraw_ms")
def chart_redraw(quick: bool) -> Figure:
    rounds = 10 if quick else 100
    out = subprocess.run(
        [sys.executable, "-m", TIMING, str(rounds)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TEXTUAL": ""},
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    chart, ladder = result["chart"], result["ladder"]
    return Figure(
        "ui.chart_redraw_ms",
        chart["median_ms"],
        "ms",
        "the ladder's full redraw, same app and frame",
        ladder["median_ms"],
        target="<= 50 ms (redrawn at most once a second, only while shown)",
        higher_is_better=False,
        note=f"5s candles, {result['size']} cells, {result['marks']} marks, "
        f"{result['fills']} fills in the fills view; median of {result['rounds']} forced redraws, "
        f"p99 {chart['p99_ms']:.1f} ms (ladder p99 {ladder['p99_ms']:.1f} ms)",
    )
