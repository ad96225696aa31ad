"""Run real ``tradeterm`` sessions in subprocesses, each in its own data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tradeterm.runtime.control import control_socket_path, send_control


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["TRADETERM_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def tradeterm(data_dir: Path, *args: str, timeout: float = 60, **extra: str):
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env_for(data_dir, **extra),
    )


def start_session(data_dir: Path, *args: str, **extra: str) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    out = open(data_dir / "session.out", "ab")  # noqa: SIM115 - closed with the process
    err = open(data_dir / "session.err", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "tradeterm", "paper", "--headless", *args],
        stdout=out,
        stderr=err,
        env=env_for(data_dir, **extra),
    )


def wait_until_trading(
    data_dir: Path, proc: subprocess.Popen, timeout: float = 30, working: bool = True
) -> dict:
    """Until the session answers on its control socket (it has reconciled) and, if
    ``working``, has orders working."""
    path = control_socket_path(data_dir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"session exited with {proc.returncode}: "
                f"{(data_dir / 'session.err').read_text()[-2000:]}"
            )
        answer = send_control(path, {"op": "status"}, timeout=1.0) if path.exists() else None
        if answer and (not working or answer.get("working_orders")):
            return answer
        time.sleep(0.05)
    raise AssertionError("session did not start trading in time")


def wait_for_fills(data_dir: Path, proc: subprocess.Popen, timeout: float = 60) -> dict:
    """Until the store of a running session holds at least one fill (a loaded machine may
    take a while to trade)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"session exited with {proc.returncode}")
        report = status(data_dir)
        if report["fills"]:
            return report
        time.sleep(0.2)
    raise AssertionError("session recorded no fill in time")


def status(data_dir: Path) -> dict:
    out = tradeterm(data_dir, "status", "--json", "--fills")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
