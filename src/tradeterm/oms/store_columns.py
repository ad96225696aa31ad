"""What each column of the store's tables holds, checked: a value read from the store is tested
against its column (in Python, and the same test in SQL for a whole table) and a bad one raises
``CorruptRow`` naming the table, the row and the column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from tradeterm.domain.events import Liquidity, TradingState
from tradeterm.domain.held import HeldKind, HeldState, TrailRef, TrailUnit
from tradeterm.domain.instruments import STEP_MAX, STEP_MIN
from tradeterm.domain.market import Side
from tradeterm.domain.orders import OrderStatus, OrderType, TimeInForce
from tradeterm.portfolio.fees import Fees

Built = TypeVar("Built")


class StoreError(Exception):
    """The store cannot be opened, read or written; phrased for the trader."""


class CorruptRow(StoreError):
    """A stored value that is not what its column holds."""

    def __init__(self, table: str, key: str, column: str, value: Any, expected: str) -> None:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        super().__init__(f"table {table}, row {key}, column {column} holds {shown}, not {expected}")
        self.table, self.key, self.column = table, key, column


# --- checked column reading --------------------------------------------------------------------
def whole(v: Any) -> int:
    if type(v) is not int:
        raise TypeError("not an integer")
    return v


def optional_whole(v: Any) -> int | None:
    return None if v is None else whole(v)


def text(v: Any) -> str:
    if type(v) is not str:
        raise TypeError("not text")
    return v


def optional_text(v: Any) -> str | None:
    return None if v is None else text(v)


def flag(v: Any) -> bool:
    if type(v) is not int or v not in (0, 1):
        raise ValueError("not 0 or 1")
    return bool(v)


# what str(Decimal) writes for a finite number (the only form the store writes): -12.5, 0E-10
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:E[+-]?[0-9]+)?\Z", re.ASCII)


def exact_decimal(v: Any) -> Decimal:
    if not _DECIMAL_TEXT.match(text(v)):
        raise ValueError("not a decimal number")
    return Decimal(v)


def step_size(v: Any) -> Decimal:
    value = exact_decimal(v)
    if not STEP_MIN <= value <= STEP_MAX:
        raise ValueError("not a tick or lot size")
    return value


def _decimal_sql(c: str) -> str:
    """The same test as ``exact_decimal`` in SQLite's own functions (no Python per row):
    an optional '-', digits with at most one inner '.', then optionally E, a sign, digits."""
    body = f"(CASE WHEN substr({c}, 1, 1) = '-' THEN substr({c}, 2) ELSE {c} END)"
    e_at = f"instr({body}, 'E')"
    mant = f"(CASE WHEN {e_at} THEN substr({body}, 1, {e_at} - 1) ELSE {body} END)"
    exp = f"substr({body}, {e_at} + 1)"
    exp_digits = (
        f"(CASE WHEN substr({exp}, 1, 1) IN ('+', '-') THEN substr({exp}, 2) ELSE {exp} END)"
    )
    return (
        f"typeof({c}) = 'text' AND {mant} != '' AND {mant} NOT GLOB '*[^0-9.]*' "
        f"AND {mant} NOT GLOB '*.*.*' AND {mant} NOT GLOB '.*' AND {mant} NOT GLOB '*.' "
        f"AND ({e_at} = 0 OR ({exp_digits} != '' AND {exp_digits} NOT GLOB '*[^0-9]*'))"
    )


def side(v: Any) -> Side:
    if whole(v) not in (1, -1):
        raise ValueError("not a side")
    return Side(v)


@dataclass(frozen=True, slots=True)
class Column:
    """What a column holds: how to read it, how to say it, and the same test in SQL (``{c}`` is
    the column) so a whole table can be checked without reading it into Python."""

    convert: Callable[[Any], Any]
    expected: str
    sql: str


WHOLE = Column(whole, "a whole number", "typeof({c}) = 'integer'")
OPTIONAL_WHOLE = Column(
    optional_whole, "a whole number or NULL", "typeof({c}) IN ('integer', 'null')"
)
TEXT = Column(text, "text", "typeof({c}) = 'text'")
OPTIONAL_TEXT = Column(optional_text, "text or NULL", "typeof({c}) IN ('text', 'null')")
FLAG = Column(flag, "0 or 1", "typeof({c}) = 'integer' AND {c} IN (0, 1)")
DECIMAL = Column(exact_decimal, "an exact decimal number as text", _decimal_sql("{c}"))
OPTIONAL_DECIMAL = Column(
    lambda v: None if text(v) == "" else exact_decimal(v),
    "an exact decimal number as text, or empty",
    "({c} = '' OR " + _decimal_sql("{c}") + ")",
)
STEP = Column(
    step_size,
    "a tick or lot size from 1E-18 to 1E+18 as text",
    _decimal_sql("{c}") + " AND CAST({c} AS REAL) BETWEEN 1e-18 AND 1e18",
)
SIDE = Column(side, "1 (buy) or -1 (sell)", "typeof({c}) = 'integer' AND {c} IN (1, -1)")


def one_of(enum: type[Enum]) -> Column:
    values = [str(m.value) for m in enum]
    listed = ", ".join("'" + v + "'" for v in values)
    return Column(
        enum, "one of " + ", ".join(values), "typeof({c}) = 'text' AND {c} IN (" + listed + ")"
    )


ORDER_COLUMNS: dict[str, Column] = {
    "client_order_id": TEXT,
    "venue": TEXT,
    "instrument": TEXT,
    "side": SIDE,
    "qty": WHOLE,
    "order_type": one_of(OrderType),
    "price": OPTIONAL_WHOLE,
    "trigger_price": OPTIONAL_WHOLE,
    "tif": one_of(TimeInForce),
    "post_only": FLAG,
    "reduce_only": FLAG,
    "display_qty": OPTIONAL_WHOLE,
    "expire_ns": OPTIONAL_WHOLE,
    "status": one_of(OrderStatus),
    "is_open": FLAG,
    "venue_order_id": OPTIONAL_TEXT,
    "filled_qty": WHOLE,
    "filled_value": WHOLE,
    "ts_created": WHOLE,
    "ts_last": WHOLE,
    "source": TEXT,
    "external": FLAG,
    "reason": TEXT,
    "session": WHOLE,
}
FILL_COLUMNS: dict[str, Column] = {
    "id": WHOLE,
    "venue": TEXT,
    "trade_id": TEXT,
    "client_order_id": TEXT,
    "venue_order_id": TEXT,
    "instrument": TEXT,
    "side": SIDE,
    "price": WHOLE,
    "qty": WHOLE,
    "fee": DECIMAL,
    "fee_currency": TEXT,
    "liquidity": one_of(Liquidity),
    "ts_event": WHOLE,
    "ts_recv": WHOLE,
    "note": TEXT,
}
FEES_PAID = Column(
    Fees.from_text,
    "fees per currency as JSON text ({currency: decimal text})",
    "typeof({c}) = 'text' AND json_valid({c})",
)
POSITION_COLUMNS: dict[str, Column] = {
    "instrument": TEXT,
    "qty": WHOLE,
    "cost": WHOLE,
    "realized": WHOLE,
    "fees": DECIMAL,
    "fills": WHOLE,
    "volume": WHOLE,
    "ts_last": WHOLE,
    "fees_paid": FEES_PAID,
}
TRADING_STATE_COLUMNS: dict[str, Column] = {
    "id": WHOLE,
    "state": one_of(TradingState),
    "reason": TEXT,
    "source": TEXT,
    "ts": WHOLE,
}
PNL_DAY_COLUMNS: dict[str, Column] = {
    "day": WHOLE,
    "start_equity": DECIMAL,
    "peak_equity": DECIMAL,
    "last_equity": OPTIONAL_DECIMAL,
    "ts": WHOLE,
}
INSTRUMENT_COLUMNS: dict[str, Column] = {
    "id": TEXT,
    "venue": TEXT,
    "symbol": TEXT,
    "base": TEXT,
    "quote": TEXT,
    "tick_size": STEP,
    "lot_size": STEP,
}
AUDIT_COLUMNS: dict[str, Column] = {
    "id": WHOLE,
    "ts": WHOLE,
    "kind": TEXT,
    "source": TEXT,
    "detail": TEXT,
}
HELD_COLUMNS: dict[str, Column] = {
    "held_id": TEXT,
    "group_id": TEXT,
    "parent_id": TEXT,
    "role": TEXT,
    "instrument": TEXT,
    "kind": one_of(HeldKind),
    "side": SIDE,
    "qty": WHOLE,
    "price": OPTIONAL_WHOLE,
    "trigger_price": OPTIONAL_WHOLE,
    "trail": WHOLE,
    "trail_unit": one_of(TrailUnit),
    "trail_ref": one_of(TrailRef),
    "extreme": OPTIONAL_WHOLE,
    "state": one_of(HeldState),
    "is_open": FLAG,
    "filled": WHOLE,
    "reason": TEXT,
    "reduce_only": FLAG,
    "source": TEXT,
    "ts_created": WHOLE,
    "ts_last": WHOLE,
}
#: table -> (the column that names a row, its columns)
TABLES: dict[str, tuple[str, dict[str, Column]]] = {
    "orders": ("client_order_id", ORDER_COLUMNS),
    "fills": ("id", FILL_COLUMNS),
    "positions": ("instrument", POSITION_COLUMNS),
    "trading_state": ("id", TRADING_STATE_COLUMNS),
    "pnl_days": ("day", PNL_DAY_COLUMNS),
    "instruments": ("id", INSTRUMENT_COLUMNS),
    "audit": ("id", AUDIT_COLUMNS),
    "held_orders": ("held_id", HELD_COLUMNS),
}


class RowReader:
    """Reads one row column by column; a bad value raises CorruptRow naming where it is."""

    def __init__(self, table: str, row: Any) -> None:
        self.table, self.row = table, row
        key_column, self.columns = TABLES[table]
        self.key = f"{key_column}={getattr(row, key_column, '?')!r}"

    def __call__(self, column: str) -> Any:
        kind = self.columns[column]
        value = getattr(self.row, column)
        try:
            return kind.convert(value)
        except (ValueError, TypeError, ArithmeticError):
            raise CorruptRow(self.table, self.key, column, value, kind.expected) from None

    def check_all(self) -> None:
        """Every column the row has (a store older than a column lacks it until migrated)."""
        for column in self.columns:
            if hasattr(self.row, column):
                self(column)

    def build(self, make: Callable[[], Built]) -> Built:
        """``make()``, with a value the domain type refuses reported as this row's fault."""
        try:
            return make()
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise CorruptRow(
                self.table, self.key, "(the row as a whole)", str(exc), "a consistent row"
            ) from None
