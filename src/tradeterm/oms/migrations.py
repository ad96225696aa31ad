"""The store's schema version and the ordered migrations that reach it.

SQLite keeps one integer in the database header, ``PRAGMA user_version``. A store written before
versions were kept reads 0 and has the tables of ``tables.py`` (version 0); version N is version
0 plus the first N entries of ``MIGRATIONS``. ``upgrade`` runs at every open:

* a store at this code's version: nothing is written (``tradeterm status`` reading beside a
  running session never waits for the write lock);
* an older store (or a new, empty file): in **one** transaction, holding the write lock from its
  start, the version-0 tables are created if missing, every missing migration runs in order and
  the version is written. Any failure rolls it all back: the store is left exactly as it was.
  A new store and an upgraded one therefore have the same schema, character for character;
* a newer store (written by a later tradeterm): refused, saying which version was found, which
  this code reads, and what to do. Nothing is written.

Changing the schema: append a ``Migration`` with the next number, written so it also works on
an empty store; never edit, reorder or remove one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tradeterm.oms.tables import SCHEMA
from tradeterm.portfolio.fees import MONEY, Fees


class SchemaError(Exception):
    """The store's schema cannot be used by this code; phrased for the trader."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int  # the schema version once it has run
    what: str
    run: Callable[[sqlite3.Connection], None]


def _fees_per_currency(conn: sqlite3.Connection) -> None:
    """Positions keep every fee in the currency the venue charged it (``fees_paid``, JSON text
    ``{"BTC": "0.00000051", "USDT": "0.0123"}``), and ``fees`` includes base-asset fees at
    their fills' prices. Earlier code counted a fee only in the quote currency and dropped the
    others; they are recovered here from the fills table, which holds every fill behind every
    position."""
    conn.execute("ALTER TABLE positions ADD COLUMN fees_paid VARCHAR NOT NULL DEFAULT '{}'")
    instruments = {
        r[0]: (r[1], r[2], _decimal(r[3], f"instrument {r[0]}'s tick size"))
        for r in conn.execute("SELECT id, base, quote, tick_size FROM instruments")
    }
    for instrument, fees_text in conn.execute(
        "SELECT instrument, fees FROM positions ORDER BY instrument"
    ).fetchall():
        inst = instruments.get(instrument)
        paid = Fees()
        dropped = Decimal(0)  # base-asset fees earlier code left out, in the quote currency
        for fill_id, fee_text, currency, price in conn.execute(
            "SELECT id, fee, fee_currency, price FROM fills WHERE instrument = ? ORDER BY id",
            (instrument,),
        ):
            fee = _decimal(fee_text, f"fill {fill_id} has the fee")
            if inst is not None:
                base, quote, tick = inst
                currency = currency or quote
                if currency == base:
                    dropped = MONEY.add(
                        dropped, MONEY.multiply(fee, MONEY.multiply(Decimal(price), tick))
                    )
            paid = paid.plus(currency, fee)
        fees = (
            MONEY.add(_decimal(fees_text, f"position {instrument} has the fees"), dropped)
            if dropped
            else fees_text
        )
        conn.execute(
            "UPDATE positions SET fees_paid = ?, fees = ? WHERE instrument = ?",
            (paid.to_text(), str(fees), instrument),
        )


def _decimal(text: object, what: str) -> Decimal:
    try:
        value = Decimal(str(text))
        if value.is_finite():
            return value
    except (InvalidOperation, ValueError):
        pass
    raise SchemaError(f"{what} {text!r}, not a decimal number")


HELD_ORDERS = """CREATE TABLE IF NOT EXISTS held_orders (
	held_id VARCHAR(64) NOT NULL,
	group_id VARCHAR(64) NOT NULL,
	parent_id VARCHAR(64) NOT NULL,
	role VARCHAR NOT NULL,
	instrument VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	side INTEGER NOT NULL,
	qty BIGINT NOT NULL,
	price BIGINT,
	trigger_price BIGINT,
	trail BIGINT NOT NULL,
	trail_unit VARCHAR NOT NULL,
	trail_ref VARCHAR NOT NULL,
	extreme BIGINT,
	state VARCHAR NOT NULL,
	is_open BOOLEAN NOT NULL,
	filled BIGINT NOT NULL,
	reason VARCHAR NOT NULL,
	reduce_only BOOLEAN NOT NULL,
	source VARCHAR NOT NULL,
	ts_created BIGINT NOT NULL,
	ts_last BIGINT NOT NULL,
	PRIMARY KEY (held_id)
)"""


def _held_orders(conn: sqlite3.Connection) -> None:
    """The contingent orders the engine keeps (``oms/held_records.py``): one row per held
    order and per OCO / bracket parent, with its parent, its trigger and where it stands."""
    conn.execute(HELD_ORDERS)
    conn.execute("CREATE INDEX IF NOT EXISTS ix_held_orders_group_id ON held_orders (group_id)")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "positions keep fees per currency", _fees_per_currency),
    Migration(2, "held (contingent) orders", _held_orders),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def upgrade(conn: sqlite3.Connection) -> int:
    """Bring the store to ``SCHEMA_VERSION`` (see the module's docstring). Returns the version
    found. Raises SchemaError (store unchanged) for a newer store or a failed migration."""
    found = schema_version(conn)
    _refuse_newer(found)
    if found == SCHEMA_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")  # the write lock from the start: one upgrader at a time
    try:
        found = schema_version(conn)  # another process may have upgraded while we waited
        _refuse_newer(found)
        if found < SCHEMA_VERSION:
            for statement in SCHEMA:
                conn.execute(statement)
            for migration in MIGRATIONS[found:]:
                try:
                    migration.run(conn)
                except (sqlite3.Error, SchemaError) as exc:
                    raise SchemaError(
                        f"upgrading it from schema version {found} failed at version "
                        f"{migration.version} ({migration.what}): {exc}; nothing was changed. "
                        "Keep using the tradeterm that wrote it, or move the store aside to "
                        "start a new one"
                    ) from None
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return found


def _refuse_newer(found: int) -> None:
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"it was written by a newer tradeterm (schema version {found}); this tradeterm reads "
            f"schema versions up to {SCHEMA_VERSION}. Upgrade tradeterm (pip install -U "
            "tradeterm), or point oms.database_url at another file"
        )
