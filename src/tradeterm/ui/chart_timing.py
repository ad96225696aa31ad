"""``python -m tradeterm.ui.chart_timing [ROUNDS]``: the chart pane's cost per redraw, for
``tradeterm bench`` (``ui.chart_redraw_ms``, run in a subprocess: the benchmarks do not import
the UI). A seeded paper session on the simulated market with the placeholder quoter (fills,
working orders) runs 2 simulated minutes, then the workstation opens it frozen at 120x40 with
the chart shown, and each round forces one full redraw of the chart (5s candles, the heaviest
picture) and one of the ladder, the reference, in the same app on the same frame. Prints one
JSON object: the median and p99 milliseconds of each."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

from tradeterm.config import load_settings
from tradeterm.runtime.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.chart_pane import ChartPane

SIZE = (120, 40)


def session(seconds: float) -> Kernel:
    settings = load_settings(sim={"seed": 7}, session={"cancel_on_exit": False})
    options = RunOptions(
        mode="paper", fast=True, seconds=seconds, record=False, quoter="placeholder"
    )
    kernel = Kernel(settings, options)
    asyncio.run(kernel.run())
    return kernel


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3),
    }


async def measure(kernel: Kernel, rounds: int) -> dict[str, object]:
    app = create_app(kernel, run_engine=False)
    chart_s: list[float] = []
    ladder_s: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G", "C", "I")  # the chart shown, 5s candles
        await pilot.pause()
        chart, ladder = app.query_one(ChartPane), app.ladder
        for _ in range(rounds):
            for pane, samples in ((chart, chart_s), (ladder, ladder_s)):
                pane._drawn = None  # forget the last frame: a full redraw
                t = time.perf_counter()
                pane.refresh_view()
                samples.append(time.perf_counter() - t)
        history = kernel.views.history[chart.inst.id]  # type: ignore[union-attr]
        shown = {
            "rows": len(chart._rows),
            "size": f"{chart.size.width}x{chart.size.height}",
            "marks": len(history.fine.marks),
            "fills": len(kernel.views.fills),
        }
    return {"chart": _ms(chart_s), "ladder": _ms(ladder_s), "rounds": rounds, **shown}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    kernel = session(120.0)
    print(json.dumps(asyncio.run(measure(kernel, rounds))))


if __name__ == "__main__":
    main()
