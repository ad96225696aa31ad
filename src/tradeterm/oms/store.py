"""The durable store: orders, fills, positions, the trading state, an audit log.

The standard library's ``sqlite3`` on a SQLite file (``oms.database_url``, a ``sqlite:///<path>``
URL; default ``<data_dir>/tradeterm.db``; ``sqlite://`` is a private in-memory store), tables in
``tables.py``, in WAL mode with ``synchronous=FULL``:

* **WAL** lets ``tradeterm status`` (another process) read while the session writes, and makes
  a commit one sequential append to the log.
* **synchronous=FULL** (the default) makes every commit durable, so an order or fill the store
  has accepted survives a power cut, not only a crash of the process. In a session on the wall
  clock the fsync runs on a thread of its own (``durability.WalSync``: the connection is
  NORMAL and the thread fsyncs the WAL), and what must wait for the disk waits through
  ``durability.after``; elsewhere SQLite fsyncs inside the commit. ``oms.synchronous =
  "NORMAL"`` trades durability for speed (a crash of the process still loses nothing).

Which writes wait for the disk, and why:

* a new order is committed, and on disk, **before** it is sent (track-before-send): after a
  crash the OMS knows every order it may have sent, and asks the venue about it;
* a fill is committed, together with its order and the instrument's position, in **one
  transaction**, on disk **before** anyone hears of it: a fill is never lost, doubled
  (``UNIQUE(venue, instrument, trade_id)``) or half-applied;
* a trip or re-arm of the kill switch is on disk with its audit record before it is announced,
  as are the session counter, the instruments and a reconciliation's decisions;
* status-only changes (an ack, a cancel, a reject) are buffered and written at the next durable
  commit or within ``flush_interval``: losing one in a crash is harmless, because restart
  reconciliation asks the venue about every order the store still holds as working.

The schema is versioned (``PRAGMA user_version``, ``migrations.py``): opening a store written by
an earlier tradeterm upgrades it in one transaction; a store written by a later one is refused
with a message saying so.

Market data never touches the store. Every method runs on the engine's loop; ``insert_order``
and ``record_fill`` return when their write is committed, and what must wait for the disk is
handed to ``durability.after``; the rest return when their write is durable.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from typing import Any

from tradeterm.domain.events import OrderFilled
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.orders import Order
from tradeterm.oms.control_records import ControlRecords
from tradeterm.oms.durability import Durability
from tradeterm.oms.held_records import HeldRecords
from tradeterm.oms.prepared import prefixed, prepared_insert, prepared_update
from tradeterm.oms.store_check import CorruptStore, damaged, is_counter
from tradeterm.oms.store_columns import StoreError
from tradeterm.oms.store_conn import StoreConnection
from tradeterm.oms.store_rows import (
    FILL_KEYS,
    ORDER_KEYS,
    ORDER_UPDATE_KEYS,
    POSITION_KEYS,
    fill_from_row,
    instrument_from_row,
    order_from_row,
    order_row,
    order_update_row,
    order_venue,
    position_from_row,
    position_row,
)
from tradeterm.portfolio.position import Position

log = logging.getLogger(__name__)

__all__ = ["CorruptStore", "Store", "StoreError", "fill_key"]


class Store:
    """``verify``: refuse a damaged store (CorruptStore) before reading or writing anything;
    every session start, ``tradeterm status``, ``kill`` and ``rearm`` open it so.
    ``sync_thread``: a FULL store on a file fsyncs on a thread of its own once
    ``durability.start`` is called (a session on the wall clock)."""

    buffers_writes = True  # status-only changes wait for a commit or ``flush``

    def __init__(
        self, url: str, synchronous: str = "FULL", verify: bool = False, sync_thread: bool = False
    ) -> None:
        self.db = StoreConnection(url, synchronous, verify)
        self.url, self.where, self.conn = url, self.db.where, self.db.conn
        self.controls = ControlRecords(self.db)  # kill switch, audit log, trading days
        self.held = HeldRecords(self.db)  # the contingent orders the engine keeps
        if sync_thread and synchronous in ("FULL", "EXTRA"):
            self.sync_on_own_thread()
        self._dirty: dict[str, dict[str, Any]] = {}  # buffered order status updates
        self._cur = self.conn.cursor()  # the hot writes, statements built once
        self._update_order = prepared_update("orders", "client_order_id", ORDER_UPDATE_KEYS)
        self._insert_order = prepared_insert("orders", ORDER_KEYS)
        self._insert_fill = prepared_insert("fills", FILL_KEYS)
        self._update_position = prepared_update("positions", "instrument", POSITION_KEYS[1:])
        self._insert_position = prepared_insert("positions", POSITION_KEYS)

    def sync_on_own_thread(self) -> None:
        """Durable commits from here on come from the store's own thread (``WalSync``, once
        ``durability.start`` is called): ``StoreConnection.sync_on_own_thread``."""
        self.db.sync_on_own_thread()

    @property
    def durability(self) -> Durability:
        return self.db.durability

    @property
    def writes(self) -> int:
        """Durable commits."""
        return self.db.writes

    def close(self) -> None:
        try:
            self.durability.stop()  # what waited for the disk runs now
            self.flush()
        finally:
            self.conn.close()

    def _write_dirty(self) -> None:
        if self._dirty:
            self._update_order.run_many(self._cur, self._dirty.values())

    def flush(self) -> None:
        """Write the buffered status updates now."""
        if not self._dirty and not self.held.dirty:
            return
        try:
            self._write_dirty()
            self.held.write_dirty()
            self.db.commit_durably()
            self._dirty.clear()
        except Exception:
            self.db.rollback()
            raise

    # --- session ---------------------------------------------------------------------------
    def next_session(self) -> int:
        """A number never handed out before by this store (client order ids embed it)."""
        row = self.db.first('SELECT value FROM meta WHERE "key" = ?', "session")
        if row is not None and not is_counter(row.value):
            raise damaged(
                self.where,
                f"table meta, row key='session', column value holds "
                f"{row.value!r}, not the session counter",
            )
        try:
            number = int(row.value) + 1 if row else 1
            if row:
                self.conn.execute(
                    'UPDATE meta SET value = ? WHERE "key" = ?', (str(number), "session")
                )
            else:
                self.conn.execute(
                    'INSERT INTO meta ("key", value) VALUES (?, ?)', ("session", str(number))
                )
            self.db.commit_durably()
        except Exception:
            self.db.rollback()
            raise
        return number

    def save_instruments(self, instruments: Iterable[Instrument]) -> None:
        try:
            for inst in instruments:
                values = (
                    inst.venue,
                    inst.symbol,
                    inst.base,
                    inst.quote,
                    str(inst.tick_size),
                    str(inst.lot_size),
                    inst.id,
                )
                if not self.conn.execute(
                    "UPDATE instruments SET venue=?, symbol=?, base=?, quote=?, tick_size=?, "
                    "lot_size=? WHERE id = ?",
                    values,
                ).rowcount:
                    self.conn.execute(
                        "INSERT INTO instruments (venue, symbol, base, quote, tick_size, "
                        "lot_size, id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        values,
                    )
            self.db.commit()
        except Exception:
            self.db.rollback()
            raise

    # --- orders ----------------------------------------------------------------------------
    def insert_order(self, order: Order, venue: str, session: int) -> None:
        """Durably record a new order (call before sending it)."""
        try:
            self._write_dirty()
            self._insert_order.run(self._cur, order_row(order, venue, session))
            self.db.commit()
            self._dirty.clear()
        except Exception:
            self.db.rollback()
            raise

    def note_order(self, order: Order) -> None:
        """Buffer a status-only change; written at the next commit or ``flush``."""
        self._dirty[order.client_order_id] = order_update_row(order)

    def has_order(self, client_order_id: str) -> bool:
        return (
            self.db.first(
                "SELECT client_order_id FROM orders WHERE client_order_id = ?", client_order_id
            )
            is not None
        )

    def load_order(self, client_order_id: str) -> Order | None:
        row = self.db.first("SELECT * FROM orders WHERE client_order_id = ?", client_order_id)
        return None if row is None else self.db.decoded(order_from_row, [row])[0]

    def load_open_orders(self) -> list[tuple[Order, str]]:
        """(order, venue) for every order not in a terminal state, oldest first."""
        rows = self.db.rows(
            "SELECT * FROM orders WHERE is_open = 1 ORDER BY ts_created, client_order_id"
        )
        return self.db.decoded(lambda r: (order_from_row(r), order_venue(r)), rows)

    def load_orders(self, limit: int | None = None) -> list[tuple[Order, str]]:
        sql = "SELECT * FROM orders ORDER BY ts_created DESC, client_order_id DESC"
        rows = self.db.rows(sql + " LIMIT ?", int(limit)) if limit else self.db.rows(sql)
        return self.db.decoded(lambda r: (order_from_row(r), order_venue(r)), rows)

    # --- fills and positions ---------------------------------------------------------------
    def record_fill(
        self, venue: str, fill: OrderFilled, order: Order | None, position: Position
    ) -> bool:
        """Fill + its order + the position, in one durable transaction. False (and nothing
        written) if this venue's trade id is already recorded."""
        try:
            self._insert_fill.run(
                self._cur,
                {
                    "venue": venue,
                    "trade_id": fill.trade_id,
                    "client_order_id": fill.client_order_id,
                    "venue_order_id": fill.venue_order_id,
                    "instrument": fill.instrument,
                    "side": int(fill.side),
                    "price": fill.price,
                    "qty": fill.qty,
                    "fee": str(fill.fee),
                    "fee_currency": fill.fee_currency,
                    "liquidity": fill.liquidity.value,
                    "ts_event": fill.ts_event,
                    "ts_recv": fill.ts_recv,
                    "note": fill.note,
                },
            )
        except sqlite3.IntegrityError:
            self.db.rollback()
            return False
        except Exception:
            self.db.rollback()
            raise
        try:
            if order is not None:
                self.note_order(order)
            self._write_dirty()
            values = position_row(position)
            if not self._update_position.run(self._cur, prefixed(values, position.instrument)):
                self._insert_position.run(self._cur, values)
            self.db.commit()
            self._dirty.clear()
        except Exception:
            self.db.rollback()
            raise
        return True

    def forget_trading(self) -> None:
        """Delete every order, fill and position. Only a store in memory (a replay's: a plain
        replay rewinding its recorded session's trading starts it again); StoreError on a file."""
        if self.where != "in memory":
            raise StoreError(f"{self.where}: a store on a file is never emptied")
        self._dirty.clear()
        try:
            for table in ("fills", "orders", "positions"):
                self._cur.execute(f"DELETE FROM {table}")
            self.db.commit()
        except Exception:
            self.db.rollback()
            raise

    def has_fill(self, venue: str, instrument: str, trade_id: str) -> bool:
        return (
            self.db.first(
                "SELECT id FROM fills WHERE venue = ? AND instrument = ? AND trade_id = ?",
                venue,
                instrument,
                trade_id,
            )
            is not None
        )

    def known_trade_ids(self, venue: str, since_ns: int) -> set[str]:
        """Fill keys (``fill_key``) of the venue's fills since ``since_ns``."""
        rows = self.db.rows(
            "SELECT instrument, trade_id FROM fills WHERE venue = ? AND ts_event >= ?",
            venue,
            since_ns,
        )
        return {fill_key(r.instrument, r.trade_id) for r in rows}

    def last_fill_ts(self, venue: str) -> int | None:
        latest: int | None = self.db.first(
            "SELECT max(ts_event) FROM fills WHERE venue = ?", venue
        )[0]
        return latest

    def load_fills(self, since_ns: int = 0, instrument: str | None = None) -> list[OrderFilled]:
        if instrument:
            rows = self.db.rows(
                "SELECT * FROM fills WHERE ts_event >= ? AND instrument = ? ORDER BY id",
                since_ns,
                instrument,
            )
        else:
            rows = self.db.rows("SELECT * FROM fills WHERE ts_event >= ? ORDER BY id", since_ns)
        return self.db.decoded(fill_from_row, rows)

    def order_fills(self, client_order_id: str) -> list[OrderFilled]:
        """Every stored fill of one order, oldest first."""
        rows = self.db.rows(
            "SELECT * FROM fills WHERE client_order_id = ? ORDER BY id", client_order_id
        )
        return [fill_from_row(r) for r in rows]

    def fill_rows(self) -> list[Any]:
        """Every fill as stored (exact fee text), each row checked."""
        rows = self.db.rows("SELECT * FROM fills ORDER BY id")
        self.db.decoded(fill_from_row, rows)
        return rows

    def fill_sums(self) -> dict[str, int]:
        """Per instrument, the signed sum of every recorded fill (lots)."""
        rows = self.db.rows("SELECT instrument, sum(side * qty) FROM fills GROUP BY instrument")
        return {r[0]: int(r[1]) for r in rows}

    def load_positions(self) -> list[Position]:
        return self.db.decoded(
            position_from_row, self.db.rows("SELECT * FROM positions ORDER BY instrument")
        )

    def load_instruments(self) -> dict[str, Instrument]:
        found = self.db.decoded(instrument_from_row, self.db.rows("SELECT * FROM instruments"))
        return {inst.id: inst for inst in found}


def fill_key(instrument: str, trade_id: str) -> str:
    """A fill's identity at its venue: trade ids are unique per instrument, not per venue."""
    return f"{instrument}|{trade_id}"
