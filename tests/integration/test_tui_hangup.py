"""An SSH drop (SIGHUP) under the TUI: the session halts, cancels, and ends, instead of living
on with no terminal; the HALTED state is in the store for the next session and `status`."""

import json
import os
import pty
import signal
import subprocess
import sys
import time


def test_tui_session_halts_and_ends_when_its_terminal_hangs_up(tmp_path):
    env = dict(
        os.environ,
        TRADETERM_DATA_DIR=str(tmp_path / "data"),
        TERM="xterm-256color",
        COLUMNS="120",
        LINES="40",
    )
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradeterm", "--no-record"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        deadline = time.monotonic() + 30
        seen = b""
        while b"Ladder" not in seen and time.monotonic() < deadline:  # the screen is up
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
        assert b"Ladder" in seen, "the TUI never drew"
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                os.read(master, 65536)  # keep draining so the app is never blocked on output
            except OSError:
                time.sleep(0.05)
        assert proc.poll() is not None, "the session outlived its terminal"
    finally:
        proc.kill()
        os.close(master)
    status = subprocess.run(
        [sys.executable, "-m", "tradeterm", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(status.stdout)
    assert report["trading_state"] == "HALTED" and report["working_orders"] == []
