"""Files only the trader can read (issue 12.12): the data dir and its directories 0700; the
store and its -wal/-shm, logs, journals, recordings, the halt marker, the session lock and the
control socket 0600, whatever the umask; a store or log an older version left 0644 is
narrowed."""

import os
import stat
import subprocess
import sys

from tests.capture_samples import write_capture
from tests.integration.sessions import env_for, wait_until_trading
from tradeterm.runtime.control import control_socket_path


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def run(data, *args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "tradeterm", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env_for(data),
        preexec_fn=lambda: os.umask(0o022),
        **kw,
    )


def test_a_session_creates_everything_private(tmp_path):
    data = tmp_path / "fresh" / "data"  # neither exists yet
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradeterm", "paper", "--headless", "--seconds", "30"],
        env=env_for(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0o022),
    )
    try:
        wait_until_trading(data, proc, working=False)
        for d in (data, data / "logs", data / "recordings"):
            assert mode(d) == 0o700, (d, oct(mode(d)))
        files = [
            data / "tradeterm.db",
            data / "tradeterm.db-wal",
            data / "tradeterm.db-shm",
            data / "logs" / "tradeterm.log",
            data / "session.lock",
            control_socket_path(data),
            *(data / "recordings").glob("*.ttj"),
        ]
        assert all(f.exists() for f in files) and len(files) == 7, files
        for f in files:
            assert mode(f) == 0o600, (f, oct(mode(f)))
        assert run(data, "kill").returncode == 0
        assert mode(data / "tradeterm.db.HALTED") == 0o600
        assert not list(data.glob(".*.tmp"))  # the marker's temporary file was renamed
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_recordings_and_imports_are_private_wherever_they_go(tmp_path):
    data = tmp_path / "data"
    rec = tmp_path / "out" / "sim.ttj"
    out = run(data, "record", "--fast", "--seconds", "2", "-o", rec)
    assert out.returncode == 0, out.stderr
    assert mode(rec) == 0o600 and mode(rec.parent) == 0o700
    imported = tmp_path / "imp.ttj"
    out = run(data, "import", "binance", write_capture(tmp_path / "cap.txt"), "-o", imported)
    assert out.returncode == 0, out.stderr
    assert mode(imported) == 0o600


def test_a_store_and_log_left_world_readable_are_narrowed(tmp_path):
    data = tmp_path / "data"
    assert run(data, "paper", "--headless", "--seconds", "1").returncode == 0
    for f in (data / "tradeterm.db", data / "logs" / "tradeterm.log"):
        os.chmod(f, 0o644)
    assert run(data, "status").returncode == 0
    assert mode(data / "tradeterm.db") == 0o600
    assert run(data, "paper", "--headless", "--seconds", "1").returncode == 0
    assert mode(data / "logs" / "tradeterm.log") == 0o600
