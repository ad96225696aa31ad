"""The control channel of a running session, for a second shell (``tradeterm kill``...).

IPC is a Unix domain socket, ``<data_dir>/control.sock`` (or, when that path is too long for a
socket, ``$TMPDIR/tradeterm-<uid>-<hash of the data dir>.sock``), owned by the session and
readable by its user only. One request per connection: a JSON object on one line
(``{"op": "kill", "flatten": false, "reason": "..."}``), answered by one JSON line. The session
handles it on its own loop, between two market data batches, so a kill takes effect within a few
milliseconds of the request.

``session.lock`` (an ``flock`` held for the session's life, with its pid inside) makes sure one
trading session at a time owns a data dir; a stale socket file left by a killed session is
replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tradeterm.core.files import private_dir

log = logging.getLogger("tradeterm.control")  # the name its log lines always had

MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to 107 bytes on Linux


class SessionLocked(Exception):
    """Another session owns this data dir."""


def control_socket_path(data_dir: Path) -> Path:
    path = data_dir / "control.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"tradeterm-{os.getuid()}-{digest}.sock"


class SessionLock:
    """An exclusive ``flock`` on ``<data_dir>/session.lock`` for the life of a session."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "session.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise SessionLocked(
                f"another tradeterm session (pid {holder}) is using "
                f"{self.path.parent}; stop it or set another data_dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:  # a kernel built but never run must not keep the data dir
        self.release()


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class ControlServer:
    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self.handler = handler
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket of a killed session (the lock is ours)
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        finally:
            os.umask(old)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 5.0)
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("expected a JSON object")
                answer = self.handler(request)
            except (ValueError, TypeError) as exc:
                answer = {"ok": False, "error": f"bad request: {exc}"}
            except Exception as exc:  # the session must survive any request
                log.exception("control request failed")
                answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()


def send_control(
    path: Path, request: dict[str, Any], timeout: float = 2.0
) -> dict[str, Any] | None:
    """Send one request to the running session. None if no session is listening."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(str(path))
        except (FileNotFoundError, NotADirectoryError, ConnectionRefusedError):
            return None  # nobody listens there
        sock.sendall(json.dumps(request).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return json.loads(data) if data else {"ok": False, "error": "no answer from the session"}
    finally:
        sock.close()
