"""The store's connection: opened (``store_file``) and upgraded (``migrations``), its rows read
through the checked decoders of ``store_rows``, its commits counted and handed to ``durability``
(what waits for the disk). ``store.py`` documents which writes wait and why.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tradeterm.oms.durability import Durability, Immediate, WalSync
from tradeterm.oms.migrations import SchemaError, upgrade
from tradeterm.oms.store_check import damaged, sqlite_damage
from tradeterm.oms.store_columns import CorruptRow, StoreError
from tradeterm.oms.store_file import connect, safe_url, sqlite_path
from tradeterm.oms.store_rows import named_row


class StoreConnection:
    """One open store: reads (a damaged row or page is CorruptStore) and transactions."""

    def __init__(self, url: str, synchronous: str, verify: bool) -> None:
        self.url = url
        self.where = sqlite_path(url) or "in memory"
        self.durability: Durability = Immediate()
        try:
            self.conn = connect(url, synchronous, verify)
        except StoreError:
            raise
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # flipped bytes, not a db
            raise damaged(self.where, sqlite_damage(exc)) from None
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the store {safe_url(url)}: {exc}") from None
        try:  # tables and schema version (migrations.py): one transaction, or nothing
            upgrade(self.conn)
        except (sqlite3.Error, SchemaError) as exc:
            self.conn.close()
            raise StoreError(f"cannot open the store {safe_url(url)}: {exc}") from None
        if self.conn.isolation_level is None:
            raise StoreError(
                "the store's connection is in autocommit mode; a fill and its "
                "position must commit together"
            )
        self.writes = 0  # durable commits

    def sync_on_own_thread(self) -> None:
        """Durable commits from here on come from the store's own thread (``WalSync``): the
        connection hands commits to the OS (NORMAL) and the thread fsyncs them once
        ``durability.start`` is called. An in-memory store has no disk to wait for."""
        path = sqlite_path(self.url)
        if path is None or isinstance(self.durability, WalSync):
            return
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.durability = WalSync(path + "-wal")

    def rows(self, sql: str, *params: Any) -> list[Any]:
        try:
            cursor = self.conn.cursor()
            cursor.row_factory = named_row  # reads only: the hot write cursor stays plain
            return cursor.execute(sql, params).fetchall()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise damaged(self.where, sqlite_damage(exc)) from None

    def first(self, sql: str, *params: Any) -> Any:
        rows = self.rows(sql, *params)
        return rows[0] if rows else None

    def decoded(self, decode: Any, rows: list[Any]) -> list[Any]:
        """Rows through a checked decoder of ``store_rows``; a bad value is CorruptStore."""
        try:
            return [decode(r) for r in rows]
        except CorruptRow as exc:
            raise damaged(self.where, str(exc)) from None

    def commit(self) -> None:
        self.conn.commit()
        self.writes += 1
        self.durability.committed()

    def commit_durably(self) -> None:
        """Commit, and return when it is on disk (rare writes: no reason to go round)."""
        self.commit()
        self.durability.sync_now()

    def rollback(self) -> None:
        self.conn.rollback()
