"""A store written by the earlier SQLAlchemy/sqlmodel code opens with the sqlite3 store: same
tables, same column types, same data read back; and a store this code creates has exactly the
schema that code created (so going back a version still opens it)."""

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tradeterm.domain.events import Liquidity, OrderFilled, TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from tradeterm.oms.store import Store
from tradeterm.portfolio.position import Position

FIXTURE = Path(__file__).parent / "fixtures" / "store_sqlalchemy_v1.sql"


@pytest.fixture
def old_store(tmp_path) -> Path:
    path = tmp_path / "tradeterm.db"
    con = sqlite3.connect(path)
    con.executescript(FIXTURE.read_text())
    con.close()
    return path


def schema(path: Path) -> set[tuple[str, str, str, str | None]]:
    con = sqlite3.connect(path)
    try:
        return set(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        con.close()


def test_a_new_store_has_the_schema_the_sqlalchemy_code_created(tmp_path, old_store):
    Store(f"sqlite:///{tmp_path / 'new.db'}").close()
    assert schema(tmp_path / "new.db") == schema(old_store)


def test_opening_an_old_store_changes_nothing_in_its_schema(old_store):
    before = schema(old_store)
    Store(f"sqlite:///{old_store}").close()  # CREATE ... IF NOT EXISTS: idempotent
    Store(f"sqlite:///{old_store}").close()
    assert schema(old_store) == before


def test_an_old_store_reads_back_orders_fills_positions_and_state(old_store):
    store = Store(f"sqlite:///{old_store}", verify=True)  # and passes the damage check
    orders = {o.client_order_id: (o, venue) for o, venue in store.load_orders()}
    assert set(orders) == {"TT1-1", "TT1-2", "TT1-3"}
    partly, venue = orders["TT1-1"]
    assert venue == "sim"
    assert (partly.status, partly.filled_qty, partly.filled_value, partly.venue_order_id) == (
        OrderStatus.PARTIALLY_FILLED, 4, 20_000_000, "V1")
    stop = store.load_order("TT1-2")
    assert (stop.side, stop.qty, stop.order_type, stop.price, stop.trigger_price, stop.tif) == (
        Side.SELL, 3, OrderType.STOP_LIMIT, 5_100_000, 5_090_000, TimeInForce.GTC)
    assert stop.reduce_only is True and stop.post_only is False and stop.external is False
    assert (stop.display_qty, stop.source) == (1, "quoter")
    canceled = store.load_order("TT1-3")
    assert (canceled.status, canceled.reason, canceled.ts_last) == (
        OrderStatus.CANCELED, "user", 170)
    assert [o.client_order_id for o, _ in store.load_open_orders()] == ["TT1-1", "TT1-2"]

    [fill] = store.load_fills()
    assert fill == OrderFilled(200, 201, "TT1-1", "sim:BTCUSDT", "V1", "T-9", Side.BUY,
                               5_000_000, 4, Liquidity.MAKER, Decimal("0.000012345"), "USDT", 0,
                               "first")
    assert store.has_fill("sim", "sim:BTCUSDT", "T-9")
    assert store.known_trade_ids("sim", 0) == {"sim:BTCUSDT|T-9"}
    assert store.last_fill_ts("sim") == 200 and store.last_fill_ts("other") is None
    assert store.fill_sums() == {"sim:BTCUSDT": 4}

    [pos] = store.load_positions()
    assert (pos.instrument, pos.qty, pos.cost, pos.realized, pos.fees, pos.fills, pos.volume) == (
        "sim:BTCUSDT", 4, 20_000_000, 0, Decimal("0.000012345"), 1, 4)
    assert store.load_trading_state() == (TradingState.HALTED, "daily loss", "risk", 300)
    assert [(a.kind, a.detail) for a in store.load_audit()] == [
        ("kill_switch.trip", "HALTED: daily loss"), ("reconciliation", "reconciliation clean")]
    assert store.load_day(20_000) == (Decimal("1000.50"), Decimal("1010.25"),
                                      Decimal("999.125"), 400)
    inst = store.load_instruments()["sim:BTCUSDT"]
    assert (inst.tick_size, inst.lot_size) == (Decimal("0.01"), Decimal("0.00001"))
    store.close()


def test_an_old_store_takes_new_writes_with_its_unique_keys(old_store):
    store = Store(f"sqlite:///{old_store}")
    assert store.next_session() == 2  # the old counter goes on
    order = store.load_order("TT1-1")
    order.apply_fill(5_000_000, 6)
    pos = store.load_positions()[0].with_fill(1, 5_000_000, 6, Decimal("0.1"))
    again = OrderFilled(300, 301, "TT1-1", "sim:BTCUSDT", "V1", "T-9", Side.BUY, 5_000_000, 6,
                        Liquidity.TAKER, Decimal("0.1"), "USDT", 0)
    assert not store.record_fill("sim", again, order, pos)  # the old row's key holds
    new = OrderFilled(300, 301, "TT1-1", "sim:BTCUSDT", "V1", "T-10", Side.BUY, 5_000_000, 6,
                      Liquidity.TAKER, Decimal("0.1"), "USDT", 0)
    assert store.record_fill("sim", new, order, pos)
    store.insert_order(Order("TT2-1", "sim:BTCUSDT", Side.BUY, 1, price=1), "sim", 2)
    store.close()
    reopened = Store(f"sqlite:///{old_store}")
    assert reopened.load_order("TT1-1").status is OrderStatus.FILLED
    assert reopened.fill_sums() == {"sim:BTCUSDT": 10}
    assert [p.fees for p in reopened.load_positions()] == [Decimal("0.100012345")]
    assert reopened.load_order("TT2-1") is not None
    reopened.close()
