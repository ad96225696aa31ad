"""The store's SQLite file: which file a URL names, its permissions (0600, the trader's money)
and the pragmas ``store.py`` documents (WAL, the ``synchronous`` level), and a URL fit to print.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tradeterm.core.files import private_dir, tighten, touch_private
from tradeterm.oms.store_check import verify
from tradeterm.oms.store_columns import StoreError


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite://`` URL (``None``: in memory). Raises StoreError for other
    schemes."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme.split("+", 1)[0] != "sqlite":
        raise StoreError(
            f"cannot open the store {safe_url(url)}: only SQLite is supported; "
            f"set oms.database_url to sqlite:///<path/to/file.db> (or leave it "
            f"unset for <data_dir>/tradeterm.db)"
        )
    path = url.split("///", 1)[1] if "///" in url else ""
    return None if not path or path == ":memory:" else path


def connect(url: str, synchronous: str = "FULL", verify_first: bool = False) -> sqlite3.Connection:
    """A connection with the pragmas this module documents. ``verify_first``: check the store
    (``store_check.verify``) before anything is written to it, WAL mode included."""
    if synchronous not in ("FULL", "NORMAL", "EXTRA", "OFF"):
        raise StoreError(f"unknown synchronous mode {synchronous!r}; use FULL or NORMAL")
    path = sqlite_path(url)
    if path is not None:  # the trader's money: 0600 (SQLite gives -wal/-shm the db's mode)
        private_dir(Path(path).parent)
        touch_private(Path(path))
        for extra in ("-wal", "-shm"):
            tighten(Path(path + extra))
    # isolation_level "" (the default): a transaction opens at the first write and lasts until
    # commit/rollback, so a fill, its order and its position commit together
    conn = sqlite3.connect(path or ":memory:", timeout=5.0, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        if verify_first:
            verify(conn, path or url)
        if path is not None:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
    except BaseException:
        conn.close()
        raise
    return conn


def safe_url(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
