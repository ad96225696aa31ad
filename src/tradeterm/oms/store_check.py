"""Is the store whole? Checked before a session trades on it, before ``tradeterm kill`` or
``rearm`` write into it, and by ``tradeterm status``.

Two layers: SQLite's own ``PRAGMA quick_check`` (pages, b-trees, record formats: what flipped
bytes break) and a check of every value against what its column holds (``store_columns.TABLES``):
one SQL scan per table finds the first bad row, which is then read in Python to name the
column. A damaged store raises ``CorruptStore`` saying where and what to do; tradeterm never
repairs, rewrites or deletes it (the trader restores it from a backup or moves it aside).
Costs about 0.4 s per million fills; a store of a few thousand rows takes milliseconds.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tradeterm.oms.store_columns import TABLES, Column, CorruptRow, RowReader, StoreError
from tradeterm.oms.store_rows import DECODERS, named_row


class CorruptStore(StoreError):
    """The store is damaged; the message says where, and what the trader can do."""


def damaged(where: str, what: str) -> CorruptStore:
    return CorruptStore(
        f"the store {where} is damaged: {what}. Restore it from a backup, or "
        "move it aside to start with an empty store (tradeterm never changes or "
        "deletes a damaged store)"
    )


#: tables that grow with trading: checked by one SQL scan (the same tests as ``store_columns``)
LARGE = frozenset({"orders", "fills", "audit", "held_orders"})


def verify(conn: sqlite3.Connection, where: str) -> None:
    """Raises CorruptStore if the store at ``conn`` is damaged. Reads only."""
    try:
        problems = _quick_check(conn)
        if problems != ["ok"]:
            raise damaged(where, "SQLite's check finds " + "; ".join(problems))
        present = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for table, (_, columns) in TABLES.items():
            if table not in present:
                continue
            # a store older than a column (before its migration) is checked on what it has
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            known = {name: kind for name, kind in columns.items() if name in have}
            if table in LARGE:
                _scan_table(conn, table, known, where)
                continue
            for row in _select(conn, f"SELECT * FROM {table}", table, where):
                RowReader(table, row).check_all()
                if len(known) == len(columns):
                    DECODERS[table](row)  # and what the domain types refuse
        if "meta" in present:
            _check_meta(conn, where)
    except CorruptRow as exc:
        raise damaged(where, str(exc)) from None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise damaged(where, sqlite_damage(exc)) from None


def sqlite_damage(exc: Exception) -> str:
    """What SQLite said, as a phrase; its message can itself quote damaged bytes."""
    if isinstance(exc, UnicodeDecodeError):
        return "SQLite cannot read its own pages (its error quotes bytes that are not text)"
    return f"SQLite says {exc}"


def _quick_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's report, as text even when it quotes damaged bytes."""
    factory = conn.text_factory
    conn.text_factory = bytes
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    finally:
        conn.text_factory = factory
    return [
        bytes(r[0]).decode("utf-8", "replace") if isinstance(r[0], bytes) else str(r[0])
        for r in rows
    ]


def _scan_table(
    conn: sqlite3.Connection, table: str, columns: dict[str, Column], where: str
) -> None:
    if not columns:
        return
    bad = " OR ".join(f"NOT ({kind.sql.format(c=_quoted(name))})" for name, kind in columns.items())
    for row in _select(conn, f"SELECT * FROM {table} WHERE {bad} LIMIT 1", table, where):
        reader = RowReader(table, row)
        reader.check_all()  # raises CorruptRow naming the column
        raise CorruptRow(
            table, reader.key, "(one of its columns)", tuple(row), "what the table's columns hold"
        )


def _select(conn: sqlite3.Connection, sql: str, table: str, where: str) -> list[Any]:
    cursor = conn.cursor()
    cursor.row_factory = named_row
    try:
        return cursor.execute(sql).fetchall()
    except UnicodeDecodeError as exc:
        raise damaged(where, f"table {table} holds text that is not UTF-8 ({exc.reason})") from None


def _check_meta(conn: sqlite3.Connection, where: str) -> None:
    for name, value in conn.execute('SELECT "key", value FROM meta'):
        if name == "session" and not is_counter(value):
            raise CorruptRow(
                "meta", "key='session'", "value", value, "the session counter (a whole number)"
            )


def is_counter(value: Any) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19


def _quoted(name: str) -> str:
    return f'"{name}"'
