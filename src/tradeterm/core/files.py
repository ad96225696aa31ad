"""Files only the trader can read: the data dir is created 0700 and every file tradeterm writes
there (the store and its -wal/-shm, logs, journals, the halt marker, the control socket) 0600.

Modes are set when a file or directory is created (``os.open``/``mkdir`` with the mode), not by
a process-wide umask, so they hold whatever the caller's umask is and other programs in the
process are not affected. A file an older tradeterm created with wider permissions is narrowed
when it is opened again (``tighten``); a directory that already exists is left as it is (it may
be a place the trader chose on purpose) and ``too_open`` says so.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700; an existing one is kept as is."""
    if not path.is_dir():
        for parent in reversed(path.parents):
            if not parent.exists():
                parent.mkdir(mode=DIR_MODE, exist_ok=True)
                os.chmod(parent, DIR_MODE)  # mkdir's mode passes through the umask
        path.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(path, DIR_MODE)
    return path


def create_private(path: Path, exclusive: bool = False) -> int:
    """Open ``path`` for appending, creating it 0600 (a new file never passes through a wider
    mode); returns the descriptor. ``exclusive``: refuse an existing file (FileExistsError)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
    if exclusive:
        flags |= os.O_EXCL
    fd = os.open(path, flags, FILE_MODE)
    with contextlib.suppress(OSError):  # not our file (another owner): leave its mode
        os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) & FILE_MODE)
    return fd


def touch_private(path: Path) -> None:
    """Make sure ``path`` exists with mode 0600 (narrowed if it was wider)."""
    os.close(create_private(path))


def tighten(path: Path) -> None:
    """Narrow an existing file to 0600 (a store or log an older version created 0644)."""
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & ~FILE_MODE:
            os.chmod(path, mode & FILE_MODE)


def too_open(path: Path) -> bool:
    """True when a directory can be read or entered by other users."""
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except OSError:
        return False


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash at any moment leaves either the old file
    or the whole new one: write a temporary file (0600) beside it, fsync it, rename it over
    ``path``, fsync the directory (so the rename itself survives a power cut)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, FILE_MODE)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def remove_durably(path: Path) -> bool:
    """Delete ``path`` and fsync its directory; False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
