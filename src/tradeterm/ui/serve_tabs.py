"""The browser tabs of ``tradeterm serve``: which paper account each tab trades, and the process
that runs it (``ui/serve.py`` wires both into the web server).

**Accounts.** A session owns its data dir (``control.SessionLock``): a second session on the same
one is refused. So the first open tab trades the served data dir itself (the account `tradeterm`
and `tradeterm status` use), and every further tab open at the same time trades its own account
in ``<data dir>/tab-N`` (kept: the next tab that gets slot N finds that account again). A slot
whose lock another process holds (`tradeterm` in a terminal) is passed over. At most
``--max-tabs`` tabs run at once; one more is told so on its page.

**Processes.** Each tab runs ``tradeterm paper`` (no shell between), in its own process group,
with the tab driver (``ui/tab_driver.py``), which stops the session when the server's end of its
pipes goes away. The server ends a tab by closing its input: a closed tab, or a server whose
terminal went away (SIGHUP), is a hangup for the session (``session.on_hangup``); a server
stopped with Ctrl-C / SIGTERM asks each tab to quit (a clean stop, ``cancel_on_exit``). Either
way a session still running after ``GRACE_S`` is terminated, then killed. A tab whose session
fails to start, or dies, shows why on its page (the session's error line), never a page stuck on
the logo.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from textual_serve.app_service import AppService

from tradeterm.core.files import private_dir
from tradeterm.ui.tab_driver import NOTE_ENV

log = logging.getLogger("tradeterm.serve")

DRIVER = "tradeterm.ui.tab_driver:TabDriver"
GRACE_S = 5.0  # a session's time to stop by itself before it is terminated
KILL_S = 3.0  # then to end after SIGTERM before it is killed
Ending = Literal["hangup", "quit"]


class TabRefused(Exception):
    """No session for this tab, with the reason to show on its page."""


def lock_holder(data_dir: Path) -> str | None:
    """The pid of the session that holds ``data_dir`` (``"?"`` if unknown), or None when it is
    free. Only looks: the lock is not kept and the file is not written."""
    path = data_dir / "session.lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return os.read(fd, 32).decode(errors="replace").strip() or "?"
    finally:
        os.close(fd)  # closing drops a lock taken here
    return None


@dataclass
class TabSlots:
    """Which data dir each open tab uses (slot 1 is the served data dir itself)."""

    data_dir: Path
    limit: int = 4
    open: set[int] = field(default_factory=set)

    def path(self, slot: int) -> Path:
        return self.data_dir if slot == 1 else self.data_dir / f"tab-{slot}"

    def take(self) -> int:
        if len(self.open) >= self.limit:
            n = len(self.open)
            raise TabRefused(
                f"{n} tab{' is' if n == 1 else 's are'} open already, each with "
                f"its own paper session (--max-tabs {self.limit}): close one, "
                "then reload this page"
            )
        busy = []
        for slot in range(1, 10 * self.limit + 1):
            if slot in self.open:
                continue
            holder = lock_holder(self.path(slot))
            if holder is None:
                self.open.add(slot)
                return slot
            busy.append(f"{self.path(slot)} (pid {holder})")
        raise TabRefused(
            "every paper account of this server is in use by another session: "
            + ", ".join(busy[:3])
        )

    def give_back(self, slot: int) -> None:
        self.open.discard(slot)

    def note(self, slot: int) -> str:
        """What the tab says when it starts (nothing for the served data dir itself)."""
        if slot == 1:
            return ""
        return (
            f"This tab trades its own paper account in {self.path(slot)}: another session "
            f"has {self.data_dir}."
        )


class TabSession(AppService):
    """textual-serve's app service for one tab, run without a shell and ended within bounds."""

    def __init__(self, argv: list[str], data_dir: Path, note: str, **kwargs: object) -> None:
        super().__init__(" ".join(argv), **kwargs)  # type: ignore[arg-type]
        self.argv = argv
        self.data_dir = data_dir
        self.note = note
        self.ready = False  # the app drew (its driver started)
        self.stderr = io.BytesIO()

    async def _open_app_process(
        self, width: int = 80, height: int = 24
    ) -> asyncio.subprocess.Process:
        env = self._build_environment(width=width, height=height)
        env["TEXTUAL_DRIVER"] = DRIVER
        env["TRADETERM_DATA_DIR"] = str(self.data_dir)
        if self.note:
            env[NOTE_ENV] = self.note
        private_dir(self.data_dir)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def run(self) -> None:
        """Relay the app's packets to the browser until its output ends."""
        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        stdout, stderr = process.stdout, process.stderr

        async def read_stderr() -> None:
            while data := await stderr.read(4096):
                self.stderr.write(data)

        errors = asyncio.create_task(read_stderr())
        try:
            for _ in range(10):  # the driver's first line, before any packet
                line = await stdout.readline()
                if not line:
                    break
                if line == b"__GANGLION__\n":
                    self.ready = True
                    break
            while self.ready:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D":
                    await self.on_data(payload)
                elif kind == b"M":
                    await self.on_meta(payload)
                elif kind == b"P":
                    await self.on_packed(payload)
        except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), GRACE_S)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(errors, 1.0)
            errors.cancel()

    def failure(self) -> str | None:
        """Why the session ended on its own with an error (its last error lines), or None."""
        process = self._process
        if process is None or process.returncode in (None, 0):
            return None
        text = self.stderr.getvalue().decode("utf-8", "replace").strip()
        lines = [ln for ln in text.splitlines() if ln.strip()][-6:]
        return "\n".join(lines) or f"the session ended with exit code {process.returncode}"

    async def end(self, how: Ending) -> None:
        """End the session: a hangup (its input closes) or a quit; bounded (terminate, kill)."""
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            if how == "quit":
                await self.send_meta({"type": "quit"})
            else:
                with contextlib.suppress(Exception):
                    self.stdin.close()
            if not await _ended(process, GRACE_S):
                log.warning(
                    "tab session pid %d did not stop in %.0f s: terminating it",
                    process.pid,
                    GRACE_S,
                )
                _signal(process, "terminate")
                if not await _ended(process, KILL_S):
                    _signal(process, "kill")
                    await process.wait()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
            self._task = None


async def _ended(process: asyncio.subprocess.Process, seconds: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


def _signal(process: asyncio.subprocess.Process, how: str) -> None:
    with contextlib.suppress(ProcessLookupError):
        getattr(process, how)()
