"""The held (contingent) orders in the store (``Store.held``; table ``held_orders``, schema
version 2): one row per held order and per OCO / bracket parent, with its parent, its group,
its trigger and where it stands.

A new held order, a modify, a cancel and every change of state is written durably before the
emulator acts on it or the trader hears of it (``save``); a trailing stop's ratchet is only
buffered (``note``) and rides along with the store's next flush: after a crash the trigger
may be a few ticks behind the best seen, which the next price brings back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tradeterm.domain.held import HeldOrder
from tradeterm.oms.prepared import prefixed, prepared_insert, prepared_update
from tradeterm.oms.store_columns import RowReader
from tradeterm.oms.store_conn import StoreConnection

HELD_KEYS = (
    "held_id",
    "group_id",
    "parent_id",
    "role",
    "instrument",
    "kind",
    "side",
    "qty",
    "price",
    "trigger_price",
    "trail",
    "trail_unit",
    "trail_ref",
    "extreme",
    "state",
    "is_open",
    "filled",
    "reason",
    "reduce_only",
    "source",
    "ts_created",
    "ts_last",
)
HELD_UPDATE_KEYS = tuple(k for k in HELD_KEYS if k not in ("held_id", "ts_created"))


def held_row(held: HeldOrder) -> dict[str, Any]:
    return {
        "held_id": held.held_id,
        "group_id": held.group_id,
        "parent_id": held.parent_id,
        "role": held.role,
        "instrument": held.instrument,
        "kind": held.kind.value,
        "side": int(held.side),
        "qty": held.qty,
        "price": held.price,
        "trigger_price": held.trigger_price,
        "trail": held.trail,
        "trail_unit": held.trail_unit.value,
        "trail_ref": held.trail_ref.value,
        "extreme": held.extreme,
        "state": held.state.value,
        "is_open": int(not held.is_terminal),
        "filled": held.filled,
        "reason": held.reason,
        "reduce_only": int(held.reduce_only),
        "source": held.source,
        "ts_created": held.ts_created,
        "ts_last": held.ts_last,
    }


def _update_values(row: dict[str, Any]) -> dict[str, Any]:
    return prefixed({k: row[k] for k in HELD_UPDATE_KEYS}, row["held_id"])


def held_from_row(row: Any) -> HeldOrder:
    col = RowReader("held_orders", row)
    return col.build(
        lambda: HeldOrder(
            col("held_id"),
            col("instrument"),
            col("kind"),
            col("side"),
            col("qty"),
            col("price"),
            col("trigger_price"),
            col("trail"),
            col("trail_unit"),
            col("trail_ref"),
            col("extreme"),
            col("parent_id"),
            col("role"),
            col("state"),
            col("filled"),
            col("reason"),
            col("reduce_only"),
            col("source"),
            col("ts_created"),
            col("ts_last"),
        )
    )


class HeldRecords:
    """``Store.held``: held orders on the store's connection."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db
        self._insert = prepared_insert("held_orders", HELD_KEYS)
        self._update = prepared_update("held_orders", "held_id", HELD_UPDATE_KEYS)
        self._dirty: dict[str, HeldOrder] = {}

    def save(self, records: Iterable[HeldOrder]) -> None:
        """Write ``records`` (new or changed) in one transaction; returns when it is on disk."""
        cur = self.db.conn.cursor()
        try:
            for held in records:
                self._dirty.pop(held.held_id, None)
                row = held_row(held)
                if not self._update.run(cur, _update_values(row)):
                    self._insert.run(cur, row)
            self.db.commit_durably()
        except Exception:
            self.db.rollback()
            raise

    def replace_all(self, records: Iterable[HeldOrder]) -> None:
        """Only ``records`` (a ``--paper`` replay going back: those of the target)."""
        self._dirty.clear()
        self.db.conn.execute("DELETE FROM held_orders")
        self.save(records)

    def note(self, held: HeldOrder) -> None:
        """A change worth keeping but not worth a disk write now (a trailing stop's ratchet)."""
        self._dirty[held.held_id] = held

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def write_dirty(self) -> None:
        """The buffered changes, inside the store's flush transaction."""
        if self._dirty:
            cur = self.db.conn.cursor()
            for held in self._dirty.values():
                self._update.run(cur, _update_values(held_row(held)))
            self._dirty.clear()

    def load_open_groups(self) -> list[HeldOrder]:
        """Every record of a group that still has an open record (a finished leg's fills decide
        what its triggered sibling may send), in the order they were created."""
        rows = self.db.rows(
            "SELECT * FROM held_orders WHERE group_id IN "
            "(SELECT group_id FROM held_orders WHERE is_open) ORDER BY ts_created, held_id"
        )
        return self.db.decoded(held_from_row, rows)

    def load(self, held_id: str) -> HeldOrder | None:
        row = self.db.first("SELECT * FROM held_orders WHERE held_id = ?", held_id)
        return None if row is None else self.db.decoded(held_from_row, [row])[0]
