"""The store's tables at schema version 0: SQLite DDL. Integer ticks and lots as BIGINT; money
as exact decimal text.

The statements are, character for character, the ones the earlier SQLAlchemy/sqlmodel store
emitted (SQLite keeps a table's CREATE text in ``sqlite_master``, minus ``IF NOT EXISTS``), so a
database written by that code opens with this one; ``tests/unit/oms/test_store_compat.py``
checks both the text and the data against a store that code wrote. Creating them is idempotent.
Later versions are these tables changed by ``migrations.py`` (never edit them here: a new store
is built as version 0 and migrated, so it equals an upgraded one).
"""

from __future__ import annotations


def _table(name: str, *parts: str) -> str:
    return f"CREATE TABLE IF NOT EXISTS {name} (\n\t" + ", \n\t".join(parts) + "\n)"


def _index(table: str, column: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS ix_{table}_{column} ON {table} ({column})"


ORDERS = _table(
    "orders",
    "client_order_id VARCHAR(64) NOT NULL",
    "venue VARCHAR NOT NULL",
    "instrument VARCHAR NOT NULL",
    "side INTEGER NOT NULL",  # side: +1 buy, -1 sell
    "qty BIGINT NOT NULL",
    "order_type VARCHAR NOT NULL",
    "price BIGINT",
    "trigger_price BIGINT",
    "tif VARCHAR NOT NULL",
    "post_only BOOLEAN NOT NULL",
    "reduce_only BOOLEAN NOT NULL",
    "display_qty BIGINT",
    "expire_ns BIGINT",
    "status VARCHAR NOT NULL",
    "is_open BOOLEAN NOT NULL",  # not terminal: loaded at restart
    "venue_order_id VARCHAR",
    "filled_qty BIGINT NOT NULL",
    "filled_value BIGINT NOT NULL",  # sum(price ticks * lots)
    "ts_created BIGINT NOT NULL",
    "ts_last BIGINT NOT NULL",
    "source VARCHAR NOT NULL",
    "external BOOLEAN NOT NULL",
    "reason VARCHAR NOT NULL",
    "session INTEGER NOT NULL",
    "PRIMARY KEY (client_order_id)",
)

# trade ids are per instrument on most venues (Binance): the instrument is part of the key
FILLS = _table(
    "fills",
    "id INTEGER NOT NULL",
    "venue VARCHAR NOT NULL",
    "trade_id VARCHAR NOT NULL",
    "client_order_id VARCHAR NOT NULL",
    "venue_order_id VARCHAR NOT NULL",
    "instrument VARCHAR NOT NULL",
    "side INTEGER NOT NULL",
    "price BIGINT NOT NULL",
    "qty BIGINT NOT NULL",
    "fee VARCHAR NOT NULL",  # fee: exact decimal text
    "fee_currency VARCHAR NOT NULL",
    "liquidity VARCHAR NOT NULL",
    "ts_event BIGINT NOT NULL",
    "ts_recv BIGINT NOT NULL",
    "note VARCHAR NOT NULL",
    "PRIMARY KEY (id)",
    "CONSTRAINT uq_fills_venue_instrument_trade UNIQUE (venue, instrument, trade_id)",
)

POSITIONS = _table(
    "positions",
    "instrument VARCHAR NOT NULL",
    "qty BIGINT NOT NULL",
    "cost BIGINT NOT NULL",
    "realized BIGINT NOT NULL",  # tick-lots
    "fees VARCHAR NOT NULL",
    "fills BIGINT NOT NULL",
    "volume BIGINT NOT NULL",
    "ts_last BIGINT NOT NULL",
    "PRIMARY KEY (instrument)",
)
# version 1 adds fees_paid (migrations.py): every fee per currency, JSON of exact decimal text

TRADING_STATE = _table(
    "trading_state",
    "id INTEGER NOT NULL",
    "state VARCHAR NOT NULL",
    "reason VARCHAR NOT NULL",
    "source VARCHAR NOT NULL",
    "ts BIGINT NOT NULL",
    "PRIMARY KEY (id)",
)

# kind: kill_switch.trip, kill_switch.rearm, reconciliation, order.closed, ...
AUDIT = _table(
    "audit",
    "id INTEGER NOT NULL",
    "ts BIGINT NOT NULL",
    "kind VARCHAR NOT NULL",
    "source VARCHAR NOT NULL",
    "detail VARCHAR NOT NULL",
    "PRIMARY KEY (id)",
)

# reference points of one UTC trading day (days since the epoch), for the daily loss and
# drawdown limits
PNL_DAYS = _table(
    "pnl_days",
    "day INTEGER NOT NULL",
    "start_equity VARCHAR NOT NULL",
    "peak_equity VARCHAR NOT NULL",
    "last_equity VARCHAR NOT NULL",
    "ts BIGINT NOT NULL",
    "PRIMARY KEY (day)",
)

# instrument increments, so the store can be read (``tradeterm status``) without a venue
INSTRUMENTS = _table(
    "instruments",
    "id VARCHAR NOT NULL",
    "venue VARCHAR NOT NULL",
    "symbol VARCHAR NOT NULL",
    "base VARCHAR NOT NULL",
    "quote VARCHAR NOT NULL",
    "tick_size VARCHAR NOT NULL",
    "lot_size VARCHAR NOT NULL",
    "PRIMARY KEY (id)",
)

META = _table("meta", '"key" VARCHAR NOT NULL', "value VARCHAR NOT NULL", 'PRIMARY KEY ("key")')

SCHEMA: tuple[str, ...] = (
    ORDERS,
    _index("orders", "instrument"),
    _index("orders", "status"),
    _index("orders", "is_open"),
    FILLS,
    _index("fills", "ts_event"),
    _index("fills", "instrument"),
    _index("fills", "client_order_id"),
    POSITIONS,
    TRADING_STATE,
    AUDIT,
    _index("audit", "ts"),
    PNL_DAYS,
    INSTRUMENTS,
    META,
)
