"""UI figures measured in a real pseudo-terminal (``bench/pty_harness.py``), not Textual's
headless driver: ``tradeterm paper`` runs at 120x40 as a trader would start it, and a terminal
emulator (pyte) tells when the screen shows what a key asked for.

- ``ui.key_to_screen_p99``: ``]`` (next instrument) pressed at random moments; the time from
  writing the key to the pty until the bytes that put the other instrument's name in the ladder
  title arrive. Busy market (20,000 actions/s) vs. a calm one (200/s) in the same run.
- ``ui.bytes_per_s``: bytes the app writes to the terminal per second once start-up settled,
  busy vs. calm.
- ``startup.first_frame``: spawn to the first frame whose ladder shows prices, vs. a minimal
  Textual app (one label) started the same way; the median of several starts of each,
  interleaved. tradeterm's modules are compiled to bytecode first, as an installed wheel has
  them: with ``PYTHONDONTWRITEBYTECODE=1`` (sandboxes, CI) and a source checkout, every start
  would otherwise compile ~150 modules (~0.2 s), which no installed copy does.

The three figures share one set of sessions (measured once per run, then cached).
"""

from __future__ import annotations

import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache

from tradeterm.bench.pty_harness import PtySession, PtyTimeout
from tradeterm.bench.registry import Figure, benchmark

COLS, ROWS = 120, 40
BUSY_RATE, CALM_RATE = 20_000, 200
SEED = 7
KEY = "]"  # next instrument (binding id instrument.next)
KEY_TIMEOUT = 5.0
TITLE = re.compile(r"Ladder\s+(\S+)")
PRICE = re.compile(r"\d\.\d")
MINIMAL_APP = "tradeterm.ui.minimal_app"  # a Textual app: it lives in ui/


@dataclass(slots=True)
class Run:
    """One session's measurements."""

    first_frame_s: float
    bytes_per_s: float
    latencies_ms: list[float] = field(default_factory=list)
    misses: int = 0  # presses whose effect never showed within KEY_TIMEOUT

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 99)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[rank]  # nearest-rank: with 100 samples, p99 is the 2nd worst


def ladder_symbol(lines: list[str]) -> str | None:
    for line in lines:
        if m := TITLE.search(line):
            return m.group(1)
    return None


def ladder_has_prices(lines: list[str]) -> bool:
    """The ladder title is drawn and at least five rows under it show a price."""
    for i, line in enumerate(lines):
        if TITLE.search(line):
            return sum(1 for row in lines[i + 1 :] if PRICE.search(row[:60])) >= 5
    return False


def _env(data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TRADETERM_DATA_DIR=data_dir, TERM="xterm-256color", COLORTERM="truecolor")
    env.pop("TEXTUAL", None)  # no devtools
    return env


def measure_paper(rate: int, presses: int, bytes_seconds: float, settle: float) -> Run:
    argv = [
        sys.executable,
        "-m",
        "tradeterm",
        "paper",
        "--seed",
        str(SEED),
        "--rate",
        str(rate),
        "--no-record",
    ]
    with (
        tempfile.TemporaryDirectory(prefix="tradeterm-uibench-") as data_dir,
        PtySession(argv, COLS, ROWS, env=_env(data_dir)) as term,
    ):
        first = term.wait_for(ladder_has_prices, 30.0) - term.started_at
        term.drain(settle)
        run = Run(first, term.drain(bytes_seconds) / bytes_seconds)
        rng = random.Random(SEED)
        for _ in range(presses):
            term.drain(rng.uniform(0.02, 0.08))  # off the redraw timer's beat
            before = ladder_symbol(term.lines())
            sent = term.press(KEY)
            try:
                shown = term.wait_for(
                    lambda lines: ladder_symbol(lines) not in (None, before),
                    KEY_TIMEOUT,
                    hint=b"Ladder",
                )
            except PtyTimeout:
                run.misses += 1
                run.latencies_ms.append(KEY_TIMEOUT * 1000)
                continue
            run.latencies_ms.append((shown - sent) * 1000)
        term.close(b"q")
    return run


def measure_minimal_startup() -> float:
    argv = [sys.executable, "-m", MINIMAL_APP]
    with (
        tempfile.TemporaryDirectory(prefix="tradeterm-uibench-") as data_dir,
        PtySession(argv, COLS, ROWS, env=_env(data_dir)) as term,
    ):
        first = term.wait_for(lambda lines: any("minimal app ready" in ln for ln in lines), 30.0)
        term.close(b"q")
    return first - term.started_at


def measure_paper_startup(rate: int) -> float:
    """Spawn to the first frame whose ladder shows prices; then quit."""
    argv = [
        sys.executable,
        "-m",
        "tradeterm",
        "paper",
        "--seed",
        str(SEED),
        "--rate",
        str(rate),
        "--no-record",
    ]
    with (
        tempfile.TemporaryDirectory(prefix="tradeterm-uibench-") as data_dir,
        PtySession(argv, COLS, ROWS, env=_env(data_dir)) as term,
    ):
        first = term.wait_for(ladder_has_prices, 30.0) - term.started_at
        term.close(b"q")
    return first


def compile_bytecode() -> None:
    """Compile tradeterm's modules as ``pip install`` does, so start-up is not measured with a
    compile of the source on every start (``PYTHONDONTWRITEBYTECODE=1``, source checkout)."""
    import compileall

    import tradeterm

    compileall.compile_dir(os.path.dirname(tradeterm.__file__), quiet=2)


@dataclass(slots=True)
class Startups:
    paper_s: list[float]
    minimal_s: list[float]


@lru_cache(maxsize=2)
def sessions(quick: bool) -> tuple[Run, Run, Startups]:
    """(busy, calm, start-ups of the busy paper session and of the minimal app), measured once
    per run."""
    compile_bytecode()
    presses, seconds, settle = (3, 0.5, 0.2) if quick else (100, 10.0, 2.0)
    busy = measure_paper(BUSY_RATE, presses, seconds, settle)
    calm = measure_paper(CALM_RATE, presses, seconds, settle)
    starts = Startups([busy.first_frame_s], [measure_minimal_startup()])
    for _ in range(1 if quick else 4):  # interleaved: a busy moment of the machine hits both
        starts.paper_s.append(measure_paper_startup(BUSY_RATE))
        starts.minimal_s.append(measure_minimal_startup())
    return busy, calm, starts


def _where(quick: bool) -> str:
    return f"{COLS}x{ROWS} pty, TERM=xterm-256color COLORTERM=truecolor, seed {SEED}" + (
        " (quick: few samples)" if quick else ""
    )


@benchmark("ui.key_to_screen_p99")
def key_to_screen(quick: bool) -> Figure:
    busy, calm, _ = sessions(quick)
    misses = (
        f"; {busy.misses} busy / {calm.misses} calm presses never showed"
        if busy.misses or calm.misses
        else ""
    )
    return Figure(
        "ui.key_to_screen_p99",
        busy.p99_ms,
        "ms",
        f"same key and app with the sim market calm ({CALM_RATE} actions/s)",
        calm.p99_ms,
        target="<= 33 ms",
        higher_is_better=False,
        note=f"`{KEY}` x{len(busy.latencies_ms)} until the ladder title names the "
        f"other instrument, market at {BUSY_RATE:,} actions/s; median busy "
        f"{statistics.median(busy.latencies_ms):.1f} ms, calm "
        f"{statistics.median(calm.latencies_ms):.1f} ms; {_where(quick)}{misses}",
    )


@benchmark("ui.bytes_per_s")
def bytes_per_s(quick: bool) -> Figure:
    busy, calm, _ = sessions(quick)
    return Figure(
        "ui.bytes_per_s",
        busy.bytes_per_s,
        "B/s",
        f"same app with the sim market calm ({CALM_RATE} actions/s)",
        calm.bytes_per_s,
        target="<= 30,000 B/s",
        higher_is_better=False,
        note=f"pty output after start-up settled, market at {BUSY_RATE:,} actions/s; "
        f"{_where(quick)}",
    )


@benchmark("startup.first_frame")
def first_frame(quick: bool) -> Figure:
    _busy, calm, starts = sessions(quick)
    paper, minimal = starts.paper_s, starts.minimal_s
    return Figure(
        "startup.first_frame",
        round(statistics.median(paper), 3),
        "s",
        "a minimal Textual app (one label) to its first frame, same pty harness, "
        "median of as many starts, interleaved",
        round(statistics.median(minimal), 3),
        target="<= 0.5 s",
        higher_is_better=False,
        note=f"spawn of `python -m tradeterm paper` to the first frame whose ladder "
        f"shows prices, busy market, median of {len(paper)} starts (min "
        f"{min(paper):.2f}, max {max(paper):.2f}; minimal app {min(minimal):.2f}"
        f"-{max(minimal):.2f}); calm market: {calm.first_frame_s:.2f} s; "
        f"bytecode compiled first, as an install has it; {_where(quick)}",
    )


def _main() -> None:  # python -m tradeterm.bench.ui_bench [--quick]
    quick = "--quick" in sys.argv
    started = time.perf_counter()
    for fn in (key_to_screen, bytes_per_s, first_frame):
        print(fn(quick).to_json())
    print(f"{time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    _main()
