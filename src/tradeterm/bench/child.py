"""A child process for the figures measured on the product's own command line
(``python -m tradeterm ...``): run in a private data dir (the bench never writes into the user's),
its wall time and its own peak RSS (``wait4``: that child only, not every child so far)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ChildRun:
    wall_s: float
    peak_rss_bytes: int
    stderr: str


def run_child(args: list[str], home: Path, timeout: float = 600) -> ChildRun:
    """``python ARGS`` with ``TRADETERM_DATA_DIR=home/data``; a failure raises with its stderr."""
    env = dict(os.environ, TRADETERM_DATA_DIR=str(home / "data"))
    err_path = home / f"child-{time.monotonic_ns()}.err"
    with open(err_path, "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args], stdout=subprocess.DEVNULL, stderr=err, env=env
        )
        try:
            _, status, usage = _wait4(proc, timeout)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - started
    stderr = err_path.read_text()
    err_path.unlink()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(args[:4])} ... exited {code}: {stderr.strip()[-500:]}")
    # ru_maxrss is in KiB on Linux
    return ChildRun(wall, usage.ru_maxrss * 1024, stderr)


def _wait4(
    proc: subprocess.Popen[bytes], timeout: float
) -> tuple[int, int, resource.struct_rusage]:
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            return pid, status, usage
        if time.monotonic() > deadline:
            raise TimeoutError(f"child {proc.args!r} ran over {timeout:.0f} s")
        time.sleep(0.02)
