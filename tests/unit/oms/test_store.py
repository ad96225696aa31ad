"""The store: WAL + synchronous=FULL on SQLite, atomic deduplicated fills."""

from decimal import Decimal

import pytest

from tradeterm.domain.events import Liquidity, OrderFilled, TradingState
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.oms.store import Store, StoreError
from tradeterm.portfolio.position import Position


def fill(trade_id: str, qty: int = 5) -> OrderFilled:
    return OrderFilled(
        1,
        1,
        "c1",
        "sim:X",
        "v1",
        trade_id,
        Side.BUY,
        100,
        qty,
        Liquidity.MAKER,
        Decimal("0.000012345"),
        "USD",
        0,
    )


@pytest.mark.parametrize(("mode", "level"), [("FULL", 2), ("NORMAL", 1)])
def test_sqlite_file_is_wal_with_the_configured_sync(tmp_path, mode, level):
    store = Store(f"sqlite:///{tmp_path / 'd' / 'db.sqlite'}", mode)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == level
    store.close()


def test_fill_order_and_position_are_one_transaction_and_deduplicated(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    order = Order("c1", "sim:X", Side.BUY, 10, price=100)
    store.insert_order(order, "sim", 1)
    order.status = OrderStatus.ACCEPTED
    order.apply_fill(100, 5)
    pos = Position("sim:X").with_fill(1, 100, 5, Decimal("0.000012345"))
    assert store.record_fill("sim", fill("t1"), order, pos)
    assert not store.record_fill("sim", fill("t1"), order, pos.with_fill(1, 100, 5))
    store.close()
    again = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert [p.qty for p in again.load_positions()] == [5]
    assert again.load_positions()[0].fees == Decimal("0.000012345")
    assert again.load_order("c1").status is OrderStatus.PARTIALLY_FILLED
    assert again.load_order("c1").filled_qty == 5
    assert again.fill_sums() == {"sim:X": 5}
    assert again.has_fill("sim", "sim:X", "t1")
    assert not again.has_fill("other", "sim:X", "t1") and not again.has_fill("sim", "sim:Y", "t1")


def test_status_updates_are_buffered_until_the_next_commit(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url)
    order = Order("c1", "sim:X", Side.BUY, 10, price=100)
    store.insert_order(order, "sim", 1)
    order.status = OrderStatus.ACCEPTED
    store.note_order(order)
    reader = Store(url)
    assert reader.load_order("c1").status is OrderStatus.INITIALIZED  # not written yet
    store.insert_order(Order("c2", "sim:X", Side.SELL, 1, price=101), "sim", 1)
    assert reader.load_order("c1").status is OrderStatus.ACCEPTED  # rode along
    assert {o.client_order_id for o, _ in reader.load_open_orders()} == {"c1", "c2"}


def test_trading_state_and_audit_in_one_write(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.controls.save_trading_state(TradingState.HALTED, "why", "cli", 5, "kill_switch.trip")
    assert store.controls.load_trading_state() == (TradingState.HALTED, "why", "cli", 5)
    assert [(a.kind, a.detail) for a in store.controls.load_audit()] == [
        ("kill_switch.trip", "HALTED: why")
    ]


def test_session_numbers_never_repeat(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    numbers = []
    for _ in range(3):
        store = Store(url)
        numbers.append(store.next_session())
        store.close()
    assert numbers == [1, 2, 3]


def test_an_unusable_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(f"sqlite:///{blocker / 'sub' / 'db.sqlite'}")


def test_only_sqlite_urls_are_accepted_with_a_clear_message():
    with pytest.raises(StoreError, match=r"only SQLite is supported.*sqlite:///") as err:
        Store("postgresql+psycopg://trader:secret@db/tradeterm")
    assert "secret" not in str(err.value)


def test_an_in_memory_store_is_private_and_works():
    store = Store("sqlite://")
    store.insert_order(Order("c1", "sim:X", Side.BUY, 10, price=100), "sim", 1)
    assert [o.client_order_id for o, _ in store.load_open_orders()] == ["c1"]
    assert Store("sqlite:///:memory:").load_orders() == []


def test_a_failed_write_leaves_nothing_half_written(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    order = Order("c1", "sim:X", Side.BUY, 10, price=100)
    store.insert_order(order, "sim", 1)
    order.status = OrderStatus.ACCEPTED
    store.note_order(order)  # rides along with the next insert, which fails
    with pytest.raises(Exception, match="UNIQUE"):
        store.insert_order(Order("c1", "sim:X", Side.BUY, 1, price=1), "sim", 1)
    assert store.load_order("c1").qty == 10
    reader = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert reader.load_order("c1").status is OrderStatus.INITIALIZED
    assert store.writes == 1
    store.close()  # the buffered ack is still buffered and is written here
    assert reader.load_order("c1").status is OrderStatus.ACCEPTED


def test_audit_prefix_is_exact():
    store = Store("sqlite://")
    store.controls.audit(1, "kill_switch.trip", "cli", "a")
    store.controls.audit(2, "killXswitch", "cli", "b")
    assert [a.detail for a in store.controls.load_audit("kill_switch")] == ["a"]


def test_positions_update_in_place_with_exact_fees():
    store = Store("sqlite://")
    pos = Position("sim:X").with_fill(1, 100, 5, Decimal("0.5"))
    assert store.record_fill("sim", fill("t1"), None, pos)
    pos = pos.with_fill(-1, 110, 2, Decimal("0.000000001"))
    assert store.record_fill("sim", fill("t2", 2), None, pos)
    [row] = store.conn.execute("SELECT qty, cost, realized, fees FROM positions").fetchall()
    assert tuple(row) == (3, 300, 20, "0.500000001")
    assert store.load_positions()[0].fees == Decimal("0.500000001")
