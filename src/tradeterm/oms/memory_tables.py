"""Rows kept in Python for the store of a simulation (``store_memory.py``): each table a dict or
a list of the same named rows the SQLite store reads (``row.venue``, as index or tuple), with
the values SQLite would give back (a flag as 0 or 1), so they go through the same checked
decoders of ``store_rows``; the control records (kill switch, audit, trading days) and the held
orders of that store, with the methods of ``ControlRecords`` and ``HeldRecords``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from tradeterm.domain.events import TradingState
from tradeterm.domain.held import HeldOrder
from tradeterm.oms.held_records import HELD_KEYS, held_from_row, held_row
from tradeterm.oms.store_rows import day_from_row, trading_state_from_row


def row_type(columns: Sequence[str]) -> Any:
    """A table's row: its columns, in the table's order."""
    return namedtuple("Row", columns)


def as_stored(values: dict[str, Any]) -> dict[str, Any]:
    """What SQLite gives back for these values: a bool as 0 or 1."""
    return {k: int(v) if type(v) is bool else v for k, v in values.items()}


_TRADING_STATE = row_type(("id", "state", "reason", "source", "ts"))
_AUDIT = row_type(("id", "ts", "kind", "source", "detail"))
_DAY = row_type(("day", "start_equity", "peak_equity", "last_equity", "ts"))
_HELD = row_type(HELD_KEYS)


class MemoryControls:
    """``MemoryStore.controls``: the kill switch, the audit log and the trading days."""

    def __init__(self, store: Any) -> None:
        self._store = store  # counts the writes
        self._state: Any = None
        self._audit: list[Any] = []
        self._days: dict[int, Any] = {}

    def save_trading_state(
        self, state: TradingState, reason: str, source: str, ts: int, kind: str
    ) -> None:
        self._state = _TRADING_STATE(1, state.value, reason, source, ts)
        self._add_audit(ts, kind, source, f"{state.value}: {reason}")

    def load_trading_state(self) -> tuple[TradingState, str, str, int] | None:
        return None if self._state is None else trading_state_from_row(self._state)

    def audit(self, ts: int, kind: str, source: str, detail: str) -> None:
        self._add_audit(ts, kind, source, detail)

    def _add_audit(self, ts: int, kind: str, source: str, detail: str) -> None:
        self._audit.append(_AUDIT(len(self._audit) + 1, ts, kind, source, detail))
        self._store.committed()

    def load_audit(self, kind_prefix: str = "") -> list[Any]:
        return [a for a in self._audit if a.kind.startswith(kind_prefix)]

    def save_day(
        self, day: int, start_equity: Decimal, peak_equity: Decimal, last_equity: Decimal, ts: int
    ) -> None:
        self._days[day] = _DAY(day, str(start_equity), str(peak_equity), str(last_equity), ts)
        self._store.committed()

    def load_day(self, day: int) -> tuple[Decimal, Decimal, Decimal | None, int] | None:
        row = self._days.get(day)
        return None if row is None else day_from_row(row)


class MemoryHeld:
    """``MemoryStore.held``: the held (contingent) orders. A ratchet ``note`` is kept at once:
    there is no disk write to save."""

    dirty = False  # nothing waits for a flush

    def __init__(self, store: Any) -> None:
        self._store = store
        self._rows: dict[str, Any] = {}

    def save(self, records: Iterable[HeldOrder]) -> None:
        for held in records:
            self._keep(held)
        self._store.committed()

    def replace_all(self, records: Iterable[HeldOrder]) -> None:
        """Only ``records`` (a ``--paper`` replay going back: those of the target)."""
        self._rows.clear()
        self.save(records)

    def note(self, held: HeldOrder) -> None:
        if held.held_id in self._rows:  # the SQLite store's buffered UPDATE: rows it has
            self._keep(held)

    def _keep(self, held: HeldOrder) -> None:
        row = as_stored(held_row(held))
        old = self._rows.get(held.held_id)
        if old is not None:  # an update keeps what the SQLite UPDATE does not set
            row["held_id"], row["ts_created"] = old.held_id, old.ts_created
        self._rows[held.held_id] = _HELD(**row)

    def write_dirty(self) -> None:
        pass

    def load_open_groups(self) -> list[HeldOrder]:
        groups = {r.group_id for r in self._rows.values() if r.is_open}
        rows = [r for r in self._rows.values() if r.group_id in groups]
        rows.sort(key=lambda r: (r.ts_created, r.held_id))
        return [held_from_row(r) for r in rows]

    def load(self, held_id: str) -> HeldOrder | None:
        row = self._rows.get(held_id)
        return None if row is None else held_from_row(row)
