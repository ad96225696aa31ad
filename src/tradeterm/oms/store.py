"""The durable store: orders, fills, positions, the trading state, an audit log.

SQLModel tables (``tables.py``) over any SQLAlchemy URL; the default is a SQLite file
``<data_dir>/tradeterm.db`` in WAL mode with ``synchronous=FULL``:

* **WAL** lets ``tradeterm status`` (another process) read while the session writes, and makes
  a commit one sequential append to the log.
* **synchronous=FULL** fsyncs the log on every commit, so an order or fill the store has
  accepted survives a power cut, not only a crash of the process. ``oms.synchronous = "NORMAL"``
  trades that for speed (a crash of the process still loses nothing).

Which writes wait for the disk, and why:

* a new order is committed **before** it is sent (track-before-send): after a crash the OMS
  knows every order it may have sent, and asks the venue about it;
* a fill is committed, together with its order and the instrument's position, in **one
  transaction before** anyone hears of it: a fill is never lost, doubled (``UNIQUE(venue,
  trade_id)``) or half-applied;
* a trip or re-arm of the kill switch is committed with its audit record before it is announced;
* status-only changes (an ack, a cancel, a reject) are buffered and written at the next durable
  commit or within ``flush_interval``: losing one in a crash is harmless, because restart
  reconciliation asks the venue about every order the store still holds as working.

Market data never touches the store. Every method runs on the engine's loop and returns when
its write is durable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from tradeterm.domain.events import Liquidity, OrderFilled, TradingState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import TERMINAL, Order, OrderStatus, OrderType, TimeInForce
from tradeterm.oms.prepared import prefixed, prepared_insert, prepared_update
from tradeterm.oms.tables import (
    AuditRecord, DayRecord, FillRecord, InstrumentRecord, MetaRecord, OrderRecord,
    PositionRecord, TradingStateRecord,
)
from tradeterm.portfolio.position import Position

log = logging.getLogger(__name__)

ORDERS = OrderRecord.__table__  # type: ignore[attr-defined]
FILLS = FillRecord.__table__  # type: ignore[attr-defined]
POSITIONS = PositionRecord.__table__  # type: ignore[attr-defined]
STATE = TradingStateRecord.__table__  # type: ignore[attr-defined]
AUDIT = AuditRecord.__table__  # type: ignore[attr-defined]
DAYS = DayRecord.__table__  # type: ignore[attr-defined]
INSTRUMENTS = InstrumentRecord.__table__  # type: ignore[attr-defined]
META = MetaRecord.__table__  # type: ignore[attr-defined]
TERMINAL_VALUES = [s.value for s in TERMINAL]


class StoreError(Exception):
    """The store cannot be opened or written; phrased for the trader."""


def make_engine(url: str, synchronous: str = "FULL") -> Engine:
    """An engine with the pragmas this module documents (SQLite) or plain (others)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        memory = not path or path == ":memory:"
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               poolclass=StaticPool if memory else None)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


ORDER_KEYS = ("client_order_id", "venue", "instrument", "side", "qty", "order_type", "price",
              "trigger_price", "tif", "post_only", "reduce_only", "display_qty", "expire_ns",
              "status", "is_open", "venue_order_id", "filled_qty", "filled_value", "ts_created",
              "ts_last", "source", "external", "reason", "session")


def order_row(order: Order, venue: str, session: int) -> dict[str, Any]:
    return {
        "client_order_id": order.client_order_id, "venue": venue,
        "instrument": order.instrument, "side": int(order.side), "qty": order.qty,
        "order_type": order.order_type.value, "price": order.price,
        "trigger_price": order.trigger_price, "tif": order.tif.value,
        "post_only": order.post_only, "reduce_only": order.reduce_only,
        "display_qty": order.display_qty, "expire_ns": order.expire_ns,
        "status": order.status.value, "is_open": not order.is_terminal,
        "venue_order_id": order.venue_order_id, "filled_qty": order.filled_qty,
        "filled_value": order.filled_value, "ts_created": order.ts_created,
        "ts_last": order.ts_last, "source": order.source, "external": order.external,
        "reason": order.reason, "session": session,
    }


ORDER_UPDATE_KEYS = ("status", "is_open", "venue_order_id", "filled_qty", "filled_value",
                     "ts_last", "reason", "qty", "price")
FILL_KEYS = ("venue", "trade_id", "client_order_id", "venue_order_id", "instrument", "side",
             "price", "qty", "fee", "fee_currency", "liquidity", "ts_event", "ts_recv", "note")
POSITION_KEYS = ("instrument", "qty", "cost", "realized", "fees", "fills", "volume", "ts_last")


def _order_update(order: Order) -> dict[str, Any]:
    return {
        "k": order.client_order_id, "p_status": order.status.value,
        "p_is_open": not order.is_terminal, "p_venue_order_id": order.venue_order_id,
        "p_filled_qty": order.filled_qty, "p_filled_value": order.filled_value,
        "p_ts_last": order.ts_last, "p_reason": order.reason, "p_qty": order.qty,
        "p_price": order.price,
    }


def order_from_row(row: Any) -> Order:
    order = Order(row.client_order_id, row.instrument, Side(row.side), row.qty,
                  OrderType(row.order_type), row.price, row.trigger_price,
                  TimeInForce(row.tif), row.post_only, row.reduce_only, row.display_qty,
                  row.expire_ns, row.ts_created, OrderStatus(row.status), row.venue_order_id,
                  row.filled_qty, row.filled_value, row.ts_last)
    order.source = row.source
    order.external = row.external
    order.reason = row.reason
    return order


def fill_from_row(row: Any) -> OrderFilled:
    return OrderFilled(row.ts_event, row.ts_recv, row.client_order_id, row.instrument,
                       row.venue_order_id, row.trade_id, Side(row.side), row.price, row.qty,
                       Liquidity(row.liquidity), Decimal(row.fee), row.fee_currency, 0, row.note)


def position_row(pos: Position) -> dict[str, Any]:
    return {"instrument": pos.instrument, "qty": pos.qty, "cost": pos.cost,
            "realized": pos.realized, "fees": str(pos.fees), "fills": pos.fills,
            "volume": pos.volume, "ts_last": pos.ts_last}


class Store:
    def __init__(self, url: str, synchronous: str = "FULL") -> None:
        self.url = url
        try:
            self.engine = make_engine(url, synchronous)
            SQLModel.metadata.create_all(self.engine, tables=[
                ORDERS, FILLS, POSITIONS, STATE, AUDIT, DAYS, INSTRUMENTS, META])
            self.conn: Connection = self.engine.connect()
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"cannot open the store {_safe_url(url)}: {exc}") from None
        self._dirty: dict[str, dict[str, Any]] = {}  # buffered order status updates
        # the hot writes run on the DBAPI connection with statements compiled once
        dialect = self.engine.dialect
        self._dbapi = self.conn.connection.dbapi_connection
        if getattr(self._dbapi, "isolation_level", "") is None:
            raise StoreError("the store's connection is in autocommit mode; a fill and its "
                             "position must commit together")
        self._cur = self._dbapi.cursor()  # type: ignore[union-attr]
        self._integrity_error = dialect.loaded_dbapi.IntegrityError
        self._update_order = prepared_update(ORDERS, "client_order_id", ORDER_UPDATE_KEYS,
                                             dialect)
        self._insert_order = prepared_insert(ORDERS, ORDER_KEYS, dialect)
        self._insert_fill = prepared_insert(FILLS, FILL_KEYS, dialect)
        self._update_position = prepared_update(POSITIONS, "instrument", POSITION_KEYS[1:],
                                                dialect)
        self._insert_position = prepared_insert(POSITIONS, POSITION_KEYS, dialect)
        self.writes = 0  # durable commits

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.conn.close()
            self.engine.dispose()

    # --- transactions ----------------------------------------------------------------------
    def _commit(self) -> None:
        """Commit everything on the connection (SQLAlchemy's and the hot writes')."""
        self.conn.commit()
        self._dbapi.commit()  # type: ignore[union-attr]
        self.writes += 1

    def _rollback(self) -> None:
        self._dbapi.rollback()  # type: ignore[union-attr]
        self.conn.rollback()

    def _write_dirty(self) -> None:
        if self._dirty:
            self._update_order.run_many(self._cur, self._dirty.values())

    def flush(self) -> None:
        """Write the buffered status updates now."""
        if not self._dirty:
            return
        try:
            self._write_dirty()
            self._commit()
            self._dirty.clear()
        except Exception:
            self._rollback()
            raise

    # --- session ---------------------------------------------------------------------------
    def next_session(self) -> int:
        """A number never handed out before by this store (client order ids embed it)."""
        row = self.conn.execute(select(META.c.value).where(META.c.key == "session")).first()
        number = int(row.value) + 1 if row else 1
        if row:
            self.conn.execute(update(META).where(META.c.key == "session").values(value=str(number)))
        else:
            self.conn.execute(insert(META).values(key="session", value=str(number)))
        self._commit()
        return number

    def save_instruments(self, instruments: Iterable[Instrument]) -> None:
        for inst in instruments:
            values = {"venue": inst.venue, "symbol": inst.symbol, "base": inst.base,
                      "quote": inst.quote, "tick_size": str(inst.tick_size),
                      "lot_size": str(inst.lot_size)}
            if not self.conn.execute(update(INSTRUMENTS).where(INSTRUMENTS.c.id == inst.id)
                                     .values(**values)).rowcount:
                self.conn.execute(insert(INSTRUMENTS).values(id=inst.id, **values))
        self._commit()

    # --- orders ----------------------------------------------------------------------------
    def insert_order(self, order: Order, venue: str, session: int) -> None:
        """Durably record a new order (call before sending it)."""
        try:
            self._write_dirty()
            self._insert_order.run(self._cur, order_row(order, venue, session))
            self._commit()
            self._dirty.clear()
        except Exception:
            self._rollback()
            raise

    def note_order(self, order: Order) -> None:
        """Buffer a status-only change; written at the next commit or ``flush``."""
        self._dirty[order.client_order_id] = _order_update(order)

    def save_order(self, order: Order) -> None:
        """Write an order's current state durably now (reconciliation decisions)."""
        self.note_order(order)
        self.flush()

    def has_order(self, client_order_id: str) -> bool:
        return self.conn.execute(select(ORDERS.c.client_order_id).where(
            ORDERS.c.client_order_id == client_order_id)).first() is not None

    def load_order(self, client_order_id: str) -> Order | None:
        row = self.conn.execute(select(ORDERS).where(
            ORDERS.c.client_order_id == client_order_id)).first()
        return None if row is None else order_from_row(row)

    def load_open_orders(self) -> list[tuple[Order, str]]:
        """(order, venue) for every order not in a terminal state, oldest first."""
        rows = self.conn.execute(select(ORDERS).where(ORDERS.c.is_open.is_(True))
                                 .order_by(ORDERS.c.ts_created, ORDERS.c.client_order_id))
        return [(order_from_row(r), r.venue) for r in rows]

    def load_orders(self, limit: int | None = None) -> list[tuple[Order, str]]:
        stmt = select(ORDERS).order_by(ORDERS.c.ts_created.desc(), ORDERS.c.client_order_id.desc())
        if limit:
            stmt = stmt.limit(limit)
        return [(order_from_row(r), r.venue) for r in self.conn.execute(stmt)]

    # --- fills and positions ---------------------------------------------------------------
    def record_fill(self, venue: str, fill: OrderFilled, order: Order | None,
                    position: Position) -> bool:
        """Fill + its order + the position, in one durable transaction. False (and nothing
        written) if this venue's trade id is already recorded."""
        try:
            self._insert_fill.run(self._cur, {
                "venue": venue, "trade_id": fill.trade_id,
                "client_order_id": fill.client_order_id, "venue_order_id": fill.venue_order_id,
                "instrument": fill.instrument, "side": int(fill.side), "price": fill.price,
                "qty": fill.qty, "fee": str(fill.fee), "fee_currency": fill.fee_currency,
                "liquidity": fill.liquidity.value, "ts_event": fill.ts_event,
                "ts_recv": fill.ts_recv, "note": fill.note})
        except self._integrity_error:
            self._rollback()
            return False
        try:
            if order is not None:
                self.note_order(order)
            self._write_dirty()
            values = position_row(position)
            if not self._update_position.run(self._cur, prefixed(values, position.instrument)):
                self._insert_position.run(self._cur, values)
            self._commit()
            self._dirty.clear()
        except Exception:
            self._rollback()
            raise
        return True

    def has_fill(self, venue: str, instrument: str, trade_id: str) -> bool:
        return self.conn.execute(select(FILLS.c.id).where(
            FILLS.c.venue == venue, FILLS.c.instrument == instrument,
            FILLS.c.trade_id == trade_id)).first() is not None

    def known_trade_ids(self, venue: str, since_ns: int) -> set[str]:
        """Fill keys (``fill_key``) of the venue's fills since ``since_ns``."""
        rows = self.conn.execute(select(FILLS.c.instrument, FILLS.c.trade_id).where(
            FILLS.c.venue == venue, FILLS.c.ts_event >= since_ns))
        return {fill_key(r.instrument, r.trade_id) for r in rows}

    def last_fill_ts(self, venue: str) -> int | None:
        return self.conn.execute(select(func.max(FILLS.c.ts_event)).where(
            FILLS.c.venue == venue)).scalar()

    def load_fills(self, since_ns: int = 0, instrument: str | None = None) -> list[OrderFilled]:
        stmt = select(FILLS).where(FILLS.c.ts_event >= since_ns)
        if instrument:
            stmt = stmt.where(FILLS.c.instrument == instrument)
        return [fill_from_row(r) for r in self.conn.execute(stmt.order_by(FILLS.c.id))]

    def fill_rows(self) -> list[Any]:
        return list(self.conn.execute(select(FILLS).order_by(FILLS.c.id)))

    def fill_sums(self) -> dict[str, int]:
        """Per instrument, the signed sum of every recorded fill (lots)."""
        rows = self.conn.execute(select(FILLS.c.instrument, func.sum(FILLS.c.side * FILLS.c.qty))
                                 .group_by(FILLS.c.instrument))
        return {r[0]: int(r[1]) for r in rows}

    def load_positions(self) -> list[Position]:
        return [Position(r.instrument, r.qty, r.cost, r.realized, Decimal(r.fees), r.fills,
                         r.volume, r.ts_last)
                for r in self.conn.execute(select(POSITIONS).order_by(POSITIONS.c.instrument))]

    def load_instruments(self) -> dict[str, Instrument]:
        return {r.id: Instrument(r.venue, r.symbol, r.base, r.quote, Decimal(r.tick_size),
                                 Decimal(r.lot_size))
                for r in self.conn.execute(select(INSTRUMENTS))}

    # --- trading state and audit -----------------------------------------------------------
    def save_trading_state(self, state: TradingState, reason: str, source: str, ts: int,
                           kind: str) -> None:
        """The kill switch's state and its audit record, in one durable transaction."""
        try:
            values = {"state": state.value, "reason": reason, "source": source, "ts": ts}
            changed = self.conn.execute(update(STATE).where(STATE.c.id == 1).values(**values))
            if not changed.rowcount:
                self.conn.execute(insert(STATE).values(id=1, **values))
            self.conn.execute(insert(AUDIT).values(ts=ts, kind=kind, source=source,
                                                   detail=f"{state.value}: {reason}"))
            self._commit()
        except SQLAlchemyError:
            self.conn.rollback()
            raise

    def load_trading_state(self) -> tuple[TradingState, str, str, int] | None:
        row = self.conn.execute(select(STATE).where(STATE.c.id == 1)).first()
        return None if row is None else (TradingState(row.state), row.reason, row.source, row.ts)

    def audit(self, ts: int, kind: str, source: str, detail: str) -> None:
        try:
            self.conn.execute(insert(AUDIT).values(ts=ts, kind=kind, source=source, detail=detail))
            self._commit()
        except SQLAlchemyError:
            self.conn.rollback()
            raise

    def load_audit(self, kind_prefix: str = "") -> list[Any]:
        stmt = select(AUDIT).order_by(AUDIT.c.id)
        if kind_prefix:
            stmt = stmt.where(AUDIT.c.kind.startswith(kind_prefix))
        return list(self.conn.execute(stmt))

    # --- trading day -----------------------------------------------------------------------
    def save_day(self, day: int, start_equity: Decimal, peak_equity: Decimal,
                 last_equity: Decimal, ts: int) -> None:
        values = {"start_equity": str(start_equity), "peak_equity": str(peak_equity),
                  "last_equity": str(last_equity), "ts": ts}
        try:
            changed = self.conn.execute(update(DAYS).where(DAYS.c.day == day).values(**values))
            if not changed.rowcount:
                self.conn.execute(insert(DAYS).values(day=day, **values))
            self._commit()
        except SQLAlchemyError:
            self.conn.rollback()
            raise

    def load_day(self, day: int) -> tuple[Decimal, Decimal, Decimal | None, int] | None:
        """(start equity, peak equity, last equity, ts) of ``day``."""
        row = self.conn.execute(select(DAYS).where(DAYS.c.day == day)).first()
        if row is None:
            return None
        return (Decimal(row.start_equity), Decimal(row.peak_equity),
                Decimal(row.last_equity) if row.last_equity else None, row.ts)


def _safe_url(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def fill_key(instrument: str, trade_id: str) -> str:
    """A fill's identity at its venue: trade ids are unique per instrument, not per venue."""
    return f"{instrument}|{trade_id}"
