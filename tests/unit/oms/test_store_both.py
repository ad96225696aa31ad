"""The store's answers within one process, from both stores: SQLite in memory
(``Store("sqlite://")``) and the simulation's store in dicts (``MemoryStore``). A scripted
session with every kind of write is run on both and every read compared."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tradeterm.domain.events import Liquidity, OrderFilled, TradingState
from tradeterm.domain.held import HeldKind, HeldOrder, HeldState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus
from tradeterm.oms.store import Store
from tradeterm.oms.store_memory import MemoryStore, open_store
from tradeterm.portfolio.position import Position

X, Y = "sim:X", "sim:Y"


def fill(trade_id: str, qty: int = 5, inst: str = X, cid: str = "c1", ts: int = 1) -> OrderFilled:
    return OrderFilled(
        ts, ts, cid, inst, "v1", trade_id, Side.BUY, 100, qty,
        Liquidity.MAKER, Decimal("0.000012345"), "USD", 0,
    )  # fmt: skip


@pytest.fixture(params=["sqlite", "memory"])
def store(request):
    made = Store("sqlite://") if request.param == "sqlite" else MemoryStore()
    yield made
    made.close()


def test_fills_are_deduplicated_per_venue_and_instrument(store):
    order = Order("c1", X, Side.BUY, 10, price=100)
    store.insert_order(order, "sim", 1)
    order.status = OrderStatus.ACCEPTED
    order.apply_fill(100, 5)
    pos = Position(X).with_fill(1, 100, 5, Decimal("0.000012345"))
    assert store.record_fill("sim", fill("t1"), order, pos)
    assert not store.record_fill("sim", fill("t1"), order, pos.with_fill(1, 100, 5))
    assert store.record_fill("other", fill("t1"), None, pos)
    assert [p.qty for p in store.load_positions()] == [5]
    assert store.load_positions()[0].fees == Decimal("0.000012345")
    assert store.load_order("c1").status is OrderStatus.PARTIALLY_FILLED
    assert store.load_order("c1").filled_qty == 5
    assert store.fill_sums() == {X: 10}
    assert store.has_fill("sim", X, "t1")
    assert not store.has_fill("sim", Y, "t1") and not store.has_fill("x", X, "t1")


def test_a_duplicate_order_id_is_refused_and_the_first_order_kept(store):
    store.insert_order(Order("c1", X, Side.BUY, 10, price=100), "sim", 1)
    with pytest.raises(Exception, match="UNIQUE"):
        store.insert_order(Order("c1", X, Side.BUY, 1, price=1), "sim", 1)
    assert store.load_order("c1").qty == 10
    assert store.load_order("c2") is None and not store.has_order("c2")


def test_trading_state_audit_and_days(store):
    assert store.controls.load_trading_state() is None
    store.controls.save_trading_state(TradingState.HALTED, "why", "cli", 5, "kill_switch.trip")
    assert store.controls.load_trading_state() == (TradingState.HALTED, "why", "cli", 5)
    store.controls.audit(6, "killXswitch", "cli", "b")
    assert [(a.kind, a.detail) for a in store.controls.load_audit("kill_switch")] == [
        ("kill_switch.trip", "HALTED: why")
    ]
    assert [a.id for a in store.controls.load_audit()] == [1, 2]
    store.controls.save_day(3, Decimal("10"), Decimal("12.5"), Decimal("11"), 7)
    store.controls.save_day(3, Decimal("10"), Decimal("13"), Decimal("12"), 8)
    assert store.controls.load_day(3) == (Decimal("10"), Decimal("13"), Decimal("12"), 8)
    assert store.controls.load_day(4) is None


def test_session_numbers_count_up(store):
    assert [store.next_session() for _ in range(3)] == [1, 2, 3]


def test_open_store_without_a_url_is_in_dicts(tmp_path):
    assert isinstance(open_store(None, "FULL", False), MemoryStore)
    on_file = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}", "FULL", False)
    assert isinstance(on_file, Store) and on_file.buffers_writes
    on_file.close()


def _session(store) -> None:
    """Every kind of write, in an order a session could make them."""
    store.save_instruments([Instrument("sim", "X", "B", "Q", Decimal("0.5"), Decimal("0.01"))])
    store.next_session()
    a = Order("a", X, Side.BUY, 10, price=100, ts_created=5, post_only=True)
    b = Order("b", Y, Side.SELL, 4, price=90, ts_created=3)
    c = Order("c", X, Side.SELL, 2, price=120, ts_created=5)
    for order in (a, b, c):
        store.insert_order(order, "sim", 1)
    a.status = b.status = c.status = OrderStatus.ACCEPTED
    store.note_order(b)
    pos_x, pos_y = Position(X), Position(Y)
    for k, lots in enumerate((4, 6)):
        a.apply_fill(100, lots, 10 + k)
        pos_x = pos_x.with_fill(1, 100, lots, Decimal("0.25"), 10 + k)
        store.record_fill("sim", fill(f"t{k}", lots, X, "a", 10 + k), a, pos_x)
    b.apply_fill(90, 1, 20)
    pos_y = pos_y.with_fill(-1, 90, 1, Decimal("1E-9"), 20)
    store.record_fill("sim", fill("t0", 1, Y, "b", 20), b, pos_y)
    c.status = OrderStatus.CANCELED
    store.note_order(c)
    b.venue_order_id, b.qty, b.price, b.trigger_price = "vb", 5, 91, 89  # every column an
    b.reason, b.ts_last = "amended", 25  # update sets, the others kept (a's post_only...)
    store.note_order(b)
    store.note_order(Order("ghost", X, Side.BUY, 1, price=1))  # never inserted
    held = HeldOrder("h1", X, HeldKind.TRAIL, Side.SELL, 3, trigger_price=95, ts_created=2)
    leg = HeldOrder("h2", X, HeldKind.STOP, Side.SELL, 3, trigger_price=90, parent_id="o1")
    done = HeldOrder("h3", Y, HeldKind.STOP, Side.BUY, 1, trigger_price=99, state=HeldState.DONE)
    store.held.save([held, leg, done])
    store.held.note(replace(held, trigger_price=97, extreme=102, ts_last=30))
    store.held.note(HeldOrder("h9", X, HeldKind.STOP, Side.BUY, 1))  # never saved
    store.held.save([replace(leg, state=HeldState.CANCELED, reason="sibling", ts_created=99)])
    store.flush()


def _reads(store) -> list:
    return [
        store.load_instruments(),
        store.load_open_orders(),
        store.load_orders(),
        store.load_orders(limit=2),
        [store.load_order(k) for k in ("a", "b", "c", "ghost")],
        store.load_fills(),
        store.load_fills(11),
        store.load_fills(0, Y),
        store.order_fills("a"),
        [tuple(r) for r in store.fill_rows()],
        store.fill_sums(),
        store.load_positions(),
        store.known_trade_ids("sim", 11),
        store.last_fill_ts("sim"),
        store.last_fill_ts("other"),
        store.held.load_open_groups(),
        [store.held.load(k) for k in ("h1", "h2", "h3", "h9")],
    ]


def _typed(rows) -> list:
    return [[(type(v), v) for v in r] for r in rows]


def test_both_stores_answer_a_session_alike():
    sqlite, memory = Store("sqlite://"), MemoryStore()
    _session(sqlite)
    _session(memory)
    assert _reads(memory) == _reads(sqlite)
    rows = sqlite.db.rows("SELECT * FROM orders ORDER BY client_order_id")
    kept = sorted(memory._orders.values())
    assert _typed(kept) == _typed(rows)  # the values SQLite gives back, of its types
    assert _typed(memory.fill_rows()) == _typed(sqlite.fill_rows())
    assert [o.client_order_id for o, _ in memory.load_open_orders()] == ["b"]  # a filled
    assert memory.held.load("h1").trigger_price == 97
    assert memory.held.load("h2").ts_created == 0  # an update keeps the created time
    for one in (sqlite, memory):
        one.forget_trading()
    assert _reads(memory) == _reads(sqlite)
    assert memory.load_orders() == [] and memory.fill_sums() == {}


def test_replace_all_keeps_only_the_held_orders_given(store):
    """A ``--paper`` replay going back (``OrderEmulator.rewind``)."""
    old = HeldOrder("h1", X, HeldKind.STOP, Side.SELL, 5, trigger_price=90, ts_created=1)
    store.held.save([old, replace(old, held_id="h2", ts_created=2)])
    store.held.replace_all([replace(old, trigger_price=95)])
    assert [(h.held_id, h.trigger_price) for h in store.held.load_open_groups()] == [("h1", 95)]
    assert store.held.load("h2") is None
