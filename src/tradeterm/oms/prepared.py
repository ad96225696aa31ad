"""The store's hot statements, built once as SQL text with positional parameters and run on the
store's ``sqlite3`` cursor (which caches the compiled statement): an order insert, a fill, an
order and a position update cost a few microseconds of Python around SQLite's own work. Values
come as dicts (by column) and are bound in the statement's order by one ``itemgetter``.

The values are plain ``str`` / ``int`` / ``bool`` / ``None``, which ``sqlite3`` binds as is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any


class Prepared:
    def __init__(self, sql: str, keys: Sequence[str]) -> None:
        self.sql = sql
        self.keys = tuple(keys)
        self._params = (
            itemgetter(*self.keys)
            if len(self.keys) > 1
            else (lambda values: (values[self.keys[0]],))
        )

    def params(self, values: dict[str, Any]) -> tuple[Any, ...]:
        params: tuple[Any, ...] = self._params(values)
        return params

    def run(self, cursor: sqlite3.Cursor, values: dict[str, Any]) -> int:
        cursor.execute(self.sql, self._params(values))
        return cursor.rowcount

    def run_many(self, cursor: sqlite3.Cursor, rows: Iterable[dict[str, Any]]) -> None:
        cursor.executemany(self.sql, map(self._params, rows))


def prepared_insert(table: str, keys: Sequence[str]) -> Prepared:
    columns = ", ".join(keys)
    marks = ", ".join("?" for _ in keys)
    return Prepared(f"INSERT INTO {table} ({columns}) VALUES ({marks})", keys)


def prepared_update(table: str, key_column: str, keys: Sequence[str]) -> Prepared:
    """``UPDATE table SET <keys> WHERE key_column = ?``; values are passed as ``p_<key>`` and
    the key as ``k``."""
    sets = ", ".join(f"{k}=?" for k in keys)
    return Prepared(
        f"UPDATE {table} SET {sets} WHERE {key_column} = ?", [f"p_{k}" for k in keys] + ["k"]
    )


def prefixed(values: dict[str, Any], key: str) -> dict[str, Any]:
    out = {f"p_{k}": v for k, v in values.items()}
    out["k"] = key
    return out
