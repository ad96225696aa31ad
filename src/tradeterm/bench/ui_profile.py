"""Where the workstation's terminal bytes go: ``python -m tradeterm.bench.ui_profile [RATE]
[SECONDS]`` runs ``tradeterm paper`` in the bench's 120x40 pty and splits what it writes by
screen area (from the cursor moves Textual emits before each run of a line) and by kind (colour
and style sequences vs. text). For ``ui.bytes_per_s`` work: run it before and after a change.

Areas follow the default layout at 120x40 (header row 1, quotes rows 2-4, footer row 40, the
ladder left of column 57, the side panes' grid to its right by row band); a new layout needs new
bounds here.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter

from tradeterm.bench.pty_harness import PtySession
from tradeterm.bench.ui_bench import COLS, ROWS, SEED, _env, ladder_has_prices

MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")
SGR = re.compile(rb"\x1b\[[0-9;]*m")
ANY_CSI = re.compile(rb"\x1b\[[0-9;?$]*[a-zA-Z]")


SIDE_BANDS = (
    (11, "orders"),
    (18, "fills"),
    (24, "positions+pnl"),
    (31, "risk+quoter"),
    (39, "tape+log"),
)


def area(row: int, col: int) -> str:
    if row == 1:
        return "header"
    if row <= 4:
        return "quotes"
    if row == ROWS:
        return "footer"
    if row == ROWS - 1:
        return "command line"
    if col <= 57:
        return "ladder"
    return next(name for last, name in SIDE_BANDS if row <= last)


def split(raw: bytes) -> Counter[str]:
    """Bytes per screen area."""
    by: Counter[str] = Counter()
    moves = list(MOVE.finditer(raw))
    for i, m in enumerate(moves):
        end = moves[i + 1].start() if i + 1 < len(moves) else len(raw)
        by[area(int(m.group(1)), int(m.group(2)))] += end - m.start()
    return by


def profile(rate: float, seconds: float) -> str:
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
        tempfile.TemporaryDirectory(prefix="tradeterm-uiprofile-") as data_dir,
        PtySession(argv, COLS, ROWS, env=_env(data_dir)) as term,
    ):
        term.wait_for(ladder_has_prices, 60)
        term.drain(2.0)
        term.capture = []
        term.drain(seconds)
        raw = b"".join(term.capture)
        term.close(b"q")
    sgr = SGR.findall(raw)
    text = ANY_CSI.sub(b"", raw)
    lines = [
        f"{rate:,.0f} actions/s, {COLS}x{ROWS}: {len(raw) / seconds:,.0f} B/s",
        f"  colour/style sequences {sum(map(len, sgr)) / seconds:,.0f} B/s "
        f"({len(sgr) / seconds:,.0f}/s), text {len(text) / seconds:,.0f} B/s",
    ]
    for name, n in split(raw).most_common():
        lines.append(f"  {name:<8}{n / seconds:>10,.0f} B/s")
    return "\n".join(lines)


if __name__ == "__main__":
    print(
        profile(
            float(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
            float(sys.argv[2]) if len(sys.argv) > 2 else 5.0,
        )
    )
