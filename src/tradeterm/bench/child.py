"""A child process for the figures measured on the product's own command line: run in a private
data dir (the bench never writes into the user's), its wall time and its own peak RSS.

The peak is the child's ``VmHWM`` (``/proc/self/status``), written by the child as it exits. Not
``wait4``'s ``ru_maxrss``: Linux keeps the RSS the process had before ``exec`` in it, and a child
that ``subprocess`` forks (vfork) shares the parent's memory until then, so a bench that had grown
to 140 MB would report 140 MB for a child that peaked at 70.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# run before the child's own code: on exit, its high-water RSS (kB) to the file named in the env
PEAK = """\
import atexit as _atexit, os as _os

def _tradeterm_bench_peak():
    with open("/proc/self/status") as status:
        kb = [line.split()[1] for line in status if line.startswith("VmHWM:")]
    with open(_os.environ["TRADETERM_BENCH_PEAK_FILE"], "w") as out:
        out.write(kb[0] if kb else "")

_atexit.register(_tradeterm_bench_peak)
"""

# ``python -m tradeterm ARGS``, under the prelude
TRADETERM = """\
import runpy
runpy.run_module("tradeterm", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True, slots=True)
class ChildRun:
    wall_s: float
    peak_rss_bytes: int
    stderr: str


def run_child(code: str, args: list[str], home: Path, timeout: float = 600) -> ChildRun:
    """``python -c CODE ARGS`` with ``TRADETERM_DATA_DIR=home/data``; a failure raises with its
    stderr. Without ``/proc`` (not Linux) the peak is unknown: FileNotFoundError (the figure is
    skipped)."""
    if not Path("/proc/self/status").is_file():
        raise FileNotFoundError("/proc/self/status not found: a child's peak RSS needs Linux")
    stamp = time.monotonic_ns()
    peak_path, err_path = home / f"child-{stamp}.peak", home / f"child-{stamp}.err"
    env = dict(
        os.environ, TRADETERM_DATA_DIR=str(home / "data"), TRADETERM_BENCH_PEAK_FILE=str(peak_path)
    )
    with open(err_path, "w") as err:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", PEAK + code, *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            timeout=timeout,
        )
        wall = time.perf_counter() - started
    stderr = err_path.read_text()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} ... exited {proc.returncode}: {stderr[-500:]}")
    kb = peak_path.read_text().strip()
    if not kb:
        raise RuntimeError("the child wrote no VmHWM")
    return ChildRun(wall, int(kb) * 1024, stderr)
