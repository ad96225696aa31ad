"""Rows of a table (``record/tables.py``) -> Arrow record batches, one row group at a time.

A price or size field ``x`` becomes two columns: ``x`` as float64 (the exact value correctly
rounded, so DuckDB and Polars compute ``price * size`` directly) and ``x_ticks`` / ``x_lots``,
the exact integer. Every table with prices or sizes ends with the instrument's ``tick`` and
``lot`` as ``decimal(18, 12)``, so ``price_ticks * size_lots * tick * lot`` is the exact
notional (a ``decimal(38, 24)`` in DuckDB: no overflow, unlike a product of two
``decimal(38, 18)``). A money field (a fee, the PnL) is float64 plus ``x_exact`` as
``decimal(38, 18)``. Times are ns integers plus a UTC ``time`` column.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pyarrow as pa

from tradeterm.domain.instruments import Instrument
from tradeterm.record.tables import Fields, Row

STEP = pa.decimal128(18, 12)  # the tick and lot columns
MONEY = pa.decimal128(38, 18)
_STEP_QUANTUM = Decimal(1).scaleb(-12)
_MONEY_QUANTUM = Decimal(1).scaleb(-18)
_EXACT_FLOAT = 1 << 53  # integers below this are exact in float64
_PLAIN = {"int": pa.int64(), "str": pa.string(), "bool": pa.bool_()}


class StepTooFine(ValueError):
    """An instrument's tick or lot that ``decimal(18, 12)`` cannot hold exactly."""


class Step:
    """One tick or lot size: its exact decimal and the fraction num/den it is."""

    __slots__ = ("value", "num", "den")

    def __init__(self, value: Decimal, what: str) -> None:
        if value != value.quantize(_STEP_QUANTUM) or value >= 10**6:
            raise StepTooFine(
                f"{what} {value} does not fit the export's decimal(18, 12) {what} column"
            )
        self.value = value
        self.num, self.den = value.as_integer_ratio()


_ONE = Step(Decimal(1), "tick")


def schema(fields: Fields, partitioned: bool) -> pa.Schema:
    """The Arrow schema of a table's files (``partitioned``: the instrument is in the path)."""
    cols = [pa.field("time", pa.timestamp("ns", tz="UTC"))]
    steps = False
    for name, kind in fields:
        if name == "instrument" and partitioned:
            continue
        if kind in _PLAIN:
            cols.append(pa.field(name, _PLAIN[kind]))
        elif kind == "money":
            cols += [pa.field(name, pa.float64()), pa.field(f"{name}_exact", MONEY)]
        else:
            suffix = "ticks" if kind == "price" else "lots"
            cols += [pa.field(name, pa.float64()), pa.field(f"{name}_{suffix}", pa.int64())]
            steps = True
    if steps:
        cols += [pa.field("tick", STEP), pa.field("lot", STEP)]
    return pa.schema(cols)


class BatchBuilder:
    """Turns lists of rows of one table into record batches of ``schema(fields, ...)``."""

    def __init__(
        self, fields: Fields, instruments: dict[str, Instrument], partitioned: bool
    ) -> None:
        self.fields = fields
        self.schema = schema(fields, partitioned)
        self.partitioned = partitioned
        self._names = [name for name, _ in fields]
        self._instrument = self._names.index("instrument")
        ts = "ts_recv" if "ts_recv" in self._names else "ts"
        self._ts = self._names.index(ts)
        self._ticks: dict[str, Step] = {}
        self._lots: dict[str, Step] = {}
        for iid, inst in instruments.items():
            self._ticks[iid] = Step(inst.tick_size, f"{iid} tick")
            self._lots[iid] = Step(inst.lot_size, f"{iid} lot")

    def batch(self, rows: Sequence[Row]) -> pa.RecordBatch:
        cols = list(zip(*rows)) if rows else [() for _ in self.fields]
        ids = cols[self._instrument]
        ticks = [self._ticks.get(i, _ONE) for i in ids]
        lots = [self._lots.get(i, _ONE) for i in ids]
        ts = pa.array(cols[self._ts], pa.int64())
        arrays: list[pa.Array] = [ts.cast(pa.timestamp("ns", tz="UTC"))]
        for (name, kind), col in zip(self.fields, cols):
            if name == "instrument" and self.partitioned:
                continue
            if kind in _PLAIN:
                arrays.append(pa.array(col, _PLAIN[kind]))
            elif kind == "money":
                arrays += [pa.array([_float(v) for v in col], pa.float64()), _money(col)]
            else:
                arrays += list(_scaled(col, ticks if kind == "price" else lots))
        if len(arrays) < len(self.schema):
            arrays += [_steps(ticks), _steps(lots)]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


def _float(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def _money(col: Sequence[Decimal | None]) -> pa.Array:
    """Exact to 18 places (finer digits, which no money here has, are rounded half to even)."""
    return pa.array(
        [
            v
            if v is None or -v.as_tuple().exponent <= 18  # type: ignore[operator]
            else v.quantize(_MONEY_QUANTUM, ROUND_HALF_EVEN)
            for v in col
        ],
        MONEY,
    )


def _steps(steps: list[Step]) -> pa.Array:
    """The decimal column of each row's step (built once per distinct step, then taken)."""
    index: dict[int, int] = {}
    distinct: list[Decimal] = []
    codes = []
    for s in steps:
        code = index.get(id(s))
        if code is None:
            code = index[id(s)] = len(distinct)
            distinct.append(s.value)
        codes.append(code)
    return pa.array(distinct, STEP).take(pa.array(codes, pa.int32()))


def _scaled(col: Sequence[int | None], steps: list[Step]) -> tuple[pa.Array, pa.Array]:
    """(float64 value, int64 count of steps): the float is ``n * num / den`` correctly rounded."""
    ints = pa.array(col, pa.int64())
    n = np.asarray(ints.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    num = np.fromiter((s.num for s in steps), dtype=np.float64, count=len(steps))
    den = np.fromiter((s.den for s in steps), dtype=np.float64, count=len(steps))
    top = float(np.abs(n).max()) * float(num.max()) if n.size else 0.0
    if top < _EXACT_FLOAT and (den.size == 0 or den.max() < _EXACT_FLOAT):
        # n * num is an exact float64 and den too: one IEEE division rounds correctly
        values = n.astype(np.float64) * num / den
    else:  # Python's int / int is correctly rounded at any size
        values = np.array([int(v) * s.num / s.den for v, s in zip(n, steps)], dtype=np.float64)
    mask = ints.is_null().to_numpy(zero_copy_only=False) if ints.null_count else None
    return pa.array(values, pa.float64(), mask=mask), ints
