"""A small durable store with a row in every table, and ways to damage it, for tests of how
tradeterm meets a damaged store (issue 12.8)."""

from __future__ import annotations

import hashlib
import sqlite3
from decimal import Decimal
from pathlib import Path

from tradeterm.domain.events import Liquidity, OrderFilled, TradingState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.oms.store import Store
from tradeterm.portfolio.position import Position

IID = "sim:SIM-BTC/USD"
T0 = 1_767_225_600_000_000_000


def write_store(path: Path) -> Path:
    """``path`` (a .db file) with an instrument, a filled and a working order, two fills, a
    position, the trading state, an audit record, a PnL day and the session counter."""
    store = Store(f"sqlite:///{path}")
    store.next_session()
    store.save_instruments(
        [Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))]
    )
    filled = Order("TT000001-00000001", IID, Side.BUY, 10, price=360_000, ts_created=T0)
    store.insert_order(filled, "sim", 1)
    filled.status = OrderStatus.ACCEPTED
    position = Position(IID)
    for k, lots in enumerate((4, 6)):
        filled.apply_fill(360_000, lots, T0 + k)
        position = position.with_fill(1, 360_000, lots, Decimal("0.0144"), T0 + k)
        fill = OrderFilled(
            T0 + k,
            T0 + k,
            filled.client_order_id,
            IID,
            "v1",
            f"t{k}",
            Side.BUY,
            360_000,
            lots,
            Liquidity.MAKER,
            Decimal("0.0144"),
            "USD",
            0,
        )
        store.record_fill("sim", fill, filled, position)
    working = Order("TT000001-00000002", IID, Side.SELL, 3, price=361_000, ts_created=T0 + 5)
    store.insert_order(working, "sim", 1)
    working.status = OrderStatus.ACCEPTED
    store.note_order(working)
    store.flush()
    store.controls.save_trading_state(TradingState.ACTIVE, "", "", T0, "trading_state.change")
    store.controls.save_day(
        T0 // (86_400 * 10**9), Decimal("100000"), Decimal("100000"), Decimal("99999.9712"), T0
    )
    store.close()
    return path


def damage(path: Path, sql: str) -> None:
    """Change the store behind tradeterm's back (what a bad disk or a bad edit does)."""
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def flip_bytes(path: Path, count: int = 200, seed: int = 1) -> None:
    """Invert ``count`` bytes of the file past its first 100 (SQLite's header)."""
    import random

    data = bytearray(path.read_bytes())
    rnd = random.Random(seed)
    for _ in range(count):
        data[rnd.randrange(100, len(data))] ^= 0xFF
    path.write_bytes(bytes(data))


def fingerprint(directory: Path, name: str = "tradeterm.db") -> dict[str, str]:
    """Hashes of the store's files (db, -wal, -shm), to prove nothing wrote to them."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.glob(name + "*"))
        if not p.name.endswith(".HALTED")
    }
