"""The store's tables (sqlmodel). Integer ticks and lots as BIGINT; money as exact decimal text.

One schema for SQLite and PostgreSQL: nothing here is dialect-specific.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel


class OrderRecord(SQLModel, table=True):
    __tablename__ = "orders"

    client_order_id: str = Field(primary_key=True, max_length=64)
    venue: str
    instrument: str = Field(index=True)
    side: int  # +1 buy, -1 sell
    qty: int = Field(sa_type=BigInteger)
    order_type: str
    price: int | None = Field(default=None, sa_type=BigInteger)
    trigger_price: int | None = Field(default=None, sa_type=BigInteger)
    tif: str
    post_only: bool = False
    reduce_only: bool = False
    display_qty: int | None = Field(default=None, sa_type=BigInteger)
    expire_ns: int | None = Field(default=None, sa_type=BigInteger)
    status: str = Field(index=True)
    is_open: bool = Field(default=True, index=True)  # not terminal: loaded at restart
    venue_order_id: str | None = None
    filled_qty: int = Field(default=0, sa_type=BigInteger)
    filled_value: int = Field(default=0, sa_type=BigInteger)  # sum(price ticks * lots)
    ts_created: int = Field(sa_type=BigInteger)
    ts_last: int = Field(default=0, sa_type=BigInteger)
    source: str = "manual"
    external: bool = False
    reason: str = ""
    session: int = 0


class FillRecord(SQLModel, table=True):
    __tablename__ = "fills"
    # trade ids are per instrument on most venues (Binance): the instrument is part of the key
    __table_args__ = (UniqueConstraint("venue", "instrument", "trade_id",
                                       name="uq_fills_venue_instrument_trade"),)

    id: int | None = Field(default=None, primary_key=True)
    venue: str
    trade_id: str
    client_order_id: str = Field(index=True)
    venue_order_id: str
    instrument: str = Field(index=True)
    side: int
    price: int = Field(sa_type=BigInteger)
    qty: int = Field(sa_type=BigInteger)
    fee: str  # exact decimal
    fee_currency: str
    liquidity: str
    ts_event: int = Field(sa_type=BigInteger, index=True)
    ts_recv: int = Field(sa_type=BigInteger)
    note: str = ""


class PositionRecord(SQLModel, table=True):
    __tablename__ = "positions"

    instrument: str = Field(primary_key=True)
    qty: int = Field(default=0, sa_type=BigInteger)
    cost: int = Field(default=0, sa_type=BigInteger)  # tick-lots
    realized: int = Field(default=0, sa_type=BigInteger)  # tick-lots
    fees: str = "0"
    fills: int = Field(default=0, sa_type=BigInteger)
    volume: int = Field(default=0, sa_type=BigInteger)
    ts_last: int = Field(default=0, sa_type=BigInteger)


class TradingStateRecord(SQLModel, table=True):
    __tablename__ = "trading_state"

    id: int = Field(default=1, primary_key=True)
    state: str
    reason: str = ""
    source: str = ""
    ts: int = Field(default=0, sa_type=BigInteger)


class AuditRecord(SQLModel, table=True):
    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    ts: int = Field(sa_type=BigInteger, index=True)
    kind: str  # kill_switch.trip, kill_switch.rearm, reconciliation, order.closed, ...
    source: str = ""
    detail: str = ""


class DayRecord(SQLModel, table=True):
    """Reference points of one UTC trading day, for the daily loss and drawdown limits."""

    __tablename__ = "pnl_days"

    day: int = Field(primary_key=True)  # days since the epoch
    start_equity: str
    peak_equity: str
    last_equity: str = ""
    ts: int = Field(default=0, sa_type=BigInteger)


class InstrumentRecord(SQLModel, table=True):
    """Instrument increments, so the store can be read (``tradeterm status``) without a venue."""

    __tablename__ = "instruments"

    id: str = Field(primary_key=True)
    venue: str
    symbol: str
    base: str
    quote: str
    tick_size: str
    lot_size: str


class MetaRecord(SQLModel, table=True):
    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str
