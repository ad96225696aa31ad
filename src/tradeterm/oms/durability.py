"""When a commit is on disk, and what waits for it.

The store commits on the engine's loop, and that loop also reads the trader's keys and draws
the screen. Making a commit durable (an fsync) takes from a fraction of a millisecond on a fast
SSD to tens of milliseconds on a busy or networked disk, so a session on the wall clock keeps
the fsync off the loop:

* the store commits with ``synchronous=NORMAL``: SQLite hands the WAL frames to the operating
  system (microseconds) and does not fsync; the store then tells ``committed()``;
* a thread of its own fsyncs the WAL file and reports, on the loop, how far the disk has
  caught up; one fsync covers every commit before it (a group commit);
* what must not happen before a commit is on disk — sending the order it recorded, telling
  anyone of the fill it recorded — is handed to ``after`` and runs on the loop, in the order it
  was handed over, once the disk has everything that was committed before it.

Rare writes that must be durable before the call returns (the kill switch's state, the
session counter, a reconciliation's decision) call ``sync_now``, an fsync on the loop.

A failed fsync (the disk is gone, EIO) means nothing more can be made durable: ``on_problem``
trips the kill switch with the error, then everything held is let through, as with
``oms.synchronous = "NORMAL"``.

``Immediate`` is the other way, for a simulated clock, an in-memory store or
``oms.synchronous = "NORMAL"``: SQLite fsyncs inside the commit (or never), and ``after`` runs
its action at once, so a ``--fast --seed`` run is the same sequence it always was.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

Action = Callable[[], None]


class Durability(Protocol):
    on_problem: Callable[[str], None] | None

    @property
    def held(self) -> int: ...  # actions waiting for the disk
    def committed(self) -> None: ...
    def after(self, action: Action) -> None: ...
    def sync_now(self) -> None: ...
    def start(self, loop: asyncio.AbstractEventLoop) -> None: ...
    def stop(self) -> None: ...


class Immediate:
    """SQLite's own ``synchronous`` setting decides; nothing waits."""

    on_problem: Callable[[str], None] | None = None
    held = 0

    def committed(self) -> None:
        pass

    def after(self, action: Action) -> None:
        action()

    def sync_now(self) -> None:
        pass

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        pass

    def stop(self) -> None:
        pass


class HeldUntilDurable:
    """The loop's side: commits counted, actions held in order until the disk has the commits
    made before each was handed over. ``ask(n)`` asks for commits up to ``n`` to be synced;
    ``caught_up(n)`` says they are."""

    def __init__(self, ask: Callable[[int], None]) -> None:
        self.committed = 0
        self.synced = 0
        self._ask = ask
        self._held: deque[tuple[int, Action]] = deque()
        self._releasing = False
        self.on_error: Callable[[Exception], None] | None = None

    @property
    def held(self) -> int:
        return len(self._held)

    def commit(self) -> None:
        self.committed += 1

    def after(self, action: Action) -> None:
        if not self._held and self.synced >= self.committed:
            action()  # nothing undurable before it: at once, as Immediate would
            return
        self._held.append((self.committed, action))
        if not self._releasing:
            self._ask(self.committed)

    def caught_up(self, upto: int) -> None:
        self.synced = max(self.synced, min(upto, self.committed))
        self._releasing = True
        try:
            while self._held and self._held[0][0] <= self.synced:
                _ticket, action = self._held.popleft()
                try:
                    action()
                except Exception as exc:  # on the loop's own callback: nobody above to tell
                    log.exception("an action held for the disk failed")
                    if self.on_error is not None:
                        self.on_error(exc)
        finally:
            self._releasing = False
        if self._held:  # what the released actions committed in turn
            self._ask(self.committed)


class WalSync:
    """Fsyncs the store's WAL file on a thread of its own (see the module's text). Until
    ``start`` and after ``stop`` it fsyncs on the caller's thread, inside ``committed``."""

    def __init__(self, wal_path: str, fsync: Callable[[int], None] = os.fsync) -> None:
        self.wal_path = wal_path
        self.fsync = fsync  # the disk (a test's slow or failing one)
        self.queue = HeldUntilDurable(self._ask)
        self.queue.on_error = lambda exc: self._problem(
            f"{type(exc).__name__} after a durable write: {exc}"
        )
        self.on_problem: Callable[[str], None] | None = None
        self.syncs = 0  # fsyncs made (of any thread)
        self._fd: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._wake = threading.Condition()
        self._asked = 0
        self._stopping = False
        self.broken: str | None = None

    @property
    def held(self) -> int:
        return self.queue.held

    @property
    def running(self) -> bool:
        return self._thread is not None

    # --- the store's side ----------------------------------------------------------------
    def committed(self) -> None:
        self.queue.commit()
        if not self.running:
            self.sync_now()

    def after(self, action: Action) -> None:
        self.queue.after(action)

    def sync_now(self) -> None:
        """Everything committed so far on disk before returning. What it lets through runs
        from the loop's next turn, not inside this call (the kill switch calls it while
        tripping, and queued orders must then find themselves canceled, not sent)."""
        upto = self.queue.committed
        if self.broken is None:
            self._sync()
        if self._loop is not None:  # started (running, or broken since): the next turn
            self._loop.call_soon(self.queue.caught_up, upto)
        else:
            self.queue.caught_up(upto)

    # --- start and stop --------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.running or self.broken is not None:
            return
        self._loop = loop
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="tradeterm-store-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread; everything committed is then synced and let through, here."""
        thread = self._thread
        if thread is not None:
            with self._wake:
                self._stopping = True
                self._wake.notify()
            thread.join()
            self._thread = None
        self._loop = None
        self.sync_now()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # --- the disk --------------------------------------------------------------------------
    def _sync(self) -> None:
        if self._fd is None:  # SQLite keeps the file while our connection is open; an empty
            # one (none yet) holds no frames, for SQLite as for us
            self._fd = os.open(self.wal_path, os.O_RDWR | os.O_CREAT, 0o600)
        self.fsync(self._fd)
        self.syncs += 1

    def _ask(self, upto: int) -> None:
        if not self.running:  # not started, stopped or broken
            self.sync_now()
            return
        with self._wake:
            if upto > self._asked:
                self._asked = upto
                self._wake.notify()

    def _run(self) -> None:
        done = 0
        loop = self._loop
        assert loop is not None
        while True:
            with self._wake:
                while self._asked <= done and not self._stopping:
                    self._wake.wait()
                if self._asked <= done:
                    return
                target = self._asked
            try:
                self._sync()
            except OSError as exc:
                self._tell(loop, self._failed, exc)
                return
            done = target
            if not self._tell(loop, self.queue.caught_up, target):
                return

    @staticmethod
    def _tell(
        loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: object
    ) -> bool:
        """Hand ``callback`` to the loop; False when the loop is closed (the session ended
        without stopping the store: nothing is left to tell)."""
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            return False
        return True

    def _failed(self, exc: OSError) -> None:
        self.broken = f"fsync of {self.wal_path} failed: {exc}"
        self._thread = None
        log.critical("the store cannot make its writes durable (%s)", self.broken)
        self._problem(
            f"the store cannot make its writes durable ({self.broken}); check the "
            f"disk, then restart"
        )
        self.queue.caught_up(self.queue.committed)  # after the trip: queued orders canceled

    def _problem(self, message: str) -> None:
        if self.on_problem is not None:
            self.on_problem(message)
