"""A real terminal for UI benchmarks: a program runs in a pseudo-terminal of a chosen size and
a terminal emulator (pyte) keeps the screen it would show, so a benchmark can ask "when did the
screen first show X" and "how many bytes did the program write".

Every chunk read from the pty is stamped with ``time.perf_counter()`` when it arrives, before
the emulator parses it, so the emulator's own cost is not counted as the program's latency.
Parsing is deferred: chunks are queued and fed to the emulator when the screen is looked at, or
(``wait_for(..., hint=b"...")``) only when a chunk contains the hint bytes. So the harness does
not compete with the program for the CPU while it only counts bytes or waits for a known string
(pyte parses a few hundred kB/s of a busy Textual app at a real CPU cost).
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence

ScreenTest = Callable[[list[str]], bool]


class PtyTimeout(RuntimeError):
    """The screen did not show what was waited for in time."""


class PtySession:
    """``argv`` running in a ``cols`` x ``rows`` pty, its output fed to a pyte screen."""

    def __init__(
        self,
        argv: Sequence[str],
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        try:
            import pyte
        except ImportError:
            raise ImportError(
                "the UI figures need the pyte terminal emulator: pip install 'tradeterm[bench]'"
            ) from None
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes_read = 0
        self.last_chunk_at = 0.0
        self._pending: list[bytes] = []
        self._tail = b""  # the last bytes read, so a hint split over two chunks is seen
        self.capture: list[bytes] | None = None  # set to a list to keep the raw output
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ if env is None else env)
        full_env.setdefault("TERM", "xterm-256color")
        full_env["COLUMNS"], full_env["LINES"] = str(cols), str(rows)
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        os.set_blocking(master, False)

    # --- reading ---------------------------------------------------------------------------
    def pump(self, timeout: float, hint: bytes | None = None) -> bool:
        """Read what the program wrote within ``timeout`` s (one chunk at most) and queue it;
        False if nothing came (or, with ``hint``, if the chunk did not contain it)."""
        if self.master < 0:
            return False
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.master, 1 << 16)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:  # EIO: the program closed the terminal (exited)
            data = b""
        if not data:
            if self.proc.poll() is not None:
                raise PtyTimeout(
                    f"the program exited with code {self.proc.returncode}; "
                    f"last screen:\n{self.text()}"
                )
            return False
        self.last_chunk_at = time.perf_counter()
        self.bytes_read += len(data)
        self._pending.append(data)
        if self.capture is not None:
            self.capture.append(data)
        if hint is not None:
            seen = hint in self._tail + data
            self._tail = data[-len(hint) :]
            return seen
        return True

    def lines(self) -> list[str]:
        """The screen as it is after every byte read so far."""
        if self._pending:
            pending, self._pending = self._pending, []
            for data in pending:
                self.stream.feed(data)
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())

    def wait_for(self, shows: ScreenTest, timeout: float, hint: bytes | None = None) -> float:
        """Read until ``shows(screen lines)`` is true; returns the arrival time
        (``perf_counter``) of the chunk that made it true. With ``hint``, the screen is only
        looked at when a chunk contains those bytes (what ``shows`` waits for must then be
        written with them)."""
        if shows(self.lines()):
            return self.last_chunk_at or time.perf_counter()
        deadline = time.perf_counter() + timeout
        self._tail = b""
        while (left := deadline - time.perf_counter()) > 0:
            if self.pump(min(left, 0.05), hint) and shows(self.lines()):
                return self.last_chunk_at
        raise PtyTimeout(
            f"screen did not show what was expected within {timeout:.1f}s; screen:\n{self.text()}"
        )

    def drain(self, seconds: float) -> int:
        """Read for ``seconds`` (parsed later, when the screen is looked at); returns the bytes
        read in that time."""
        before = self.bytes_read
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self.pump(min(left, 0.05))
        return self.bytes_read - before

    # --- writing ---------------------------------------------------------------------------
    def press(self, keys: str | bytes) -> float:
        """Type ``keys``; returns the time they were written."""
        data = keys.encode() if isinstance(keys, str) else keys
        at = time.perf_counter()
        os.write(self.master, data)
        return at

    # --- stopping --------------------------------------------------------------------------
    def close(self, quit_keys: bytes | None = None, grace: float = 3.0) -> int | None:
        """Ask the program to leave (``quit_keys``, then SIGTERM, then SIGKILL); keep reading
        meanwhile so it never blocks on a full pty."""
        steps: list[Callable[[], object]] = []
        if quit_keys:
            steps.append(lambda: self.press(quit_keys))
        steps += [lambda: self._signal(signal.SIGTERM), lambda: self._signal(signal.SIGKILL)]
        for step in steps:
            if self.proc.poll() is not None:
                break
            step()
            end = time.perf_counter() + grace
            while self.proc.poll() is None and time.perf_counter() < end:
                try:
                    self.pump(0.05)
                except PtyTimeout:
                    break
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        return self.proc.returncode

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)  # the program and anything it started
        except ProcessLookupError:
            pass

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.master >= 0:
            self.close()
