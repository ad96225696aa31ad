"""A store written by the earlier SQLAlchemy/sqlmodel code (schema version 0) opens with the
sqlite3 store: it is upgraded in one transaction to the current schema version, which is then
exactly the schema of a new store, and the same data reads back. A store from a newer tradeterm
is refused with one clear message and left as it was."""

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tradeterm.domain.events import Liquidity, OrderFilled, TradingState
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import Side
from tradeterm.domain.orders import Order, OrderStatus, OrderType, TimeInForce
from tradeterm.oms.migrations import SCHEMA_VERSION
from tradeterm.oms.store import Store, StoreError
from tradeterm.portfolio.fees import Fees
from tradeterm.portfolio.position import apply_fill

FIXTURE = Path(__file__).parent / "fixtures" / "store_sqlalchemy_v1.sql"
BTCUSDT = Instrument("sim", "BTCUSDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"))


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


def version(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_the_old_store_is_version_0_and_opening_upgrades_it_to_a_new_stores_schema(
    tmp_path, old_store
):
    assert version(old_store) == 0
    Store(f"sqlite:///{tmp_path / 'new.db'}").close()
    Store(f"sqlite:///{old_store}").close()
    assert version(old_store) == version(tmp_path / "new.db") == SCHEMA_VERSION >= 1
    assert schema(old_store) == schema(tmp_path / "new.db")


def test_opening_an_upgraded_store_again_writes_nothing(old_store):
    Store(f"sqlite:///{old_store}").close()
    before = (schema(old_store), dump(old_store), old_store.stat().st_mtime_ns)
    Store(f"sqlite:///{old_store}").close()
    Store(f"sqlite:///{old_store}").close()
    assert (schema(old_store), dump(old_store), old_store.stat().st_mtime_ns) == before


def test_an_old_store_reads_back_orders_fills_positions_and_state(old_store):
    store = Store(f"sqlite:///{old_store}", verify=True)  # and passes the damage check
    orders = {o.client_order_id: (o, venue) for o, venue in store.load_orders()}
    assert set(orders) == {"TT1-1", "TT1-2", "TT1-3"}
    partly, venue = orders["TT1-1"]
    assert venue == "sim"
    assert (partly.status, partly.filled_qty, partly.filled_value, partly.venue_order_id) == (
        OrderStatus.PARTIALLY_FILLED,
        4,
        20_000_000,
        "V1",
    )
    stop = store.load_order("TT1-2")
    assert (stop.side, stop.qty, stop.order_type, stop.price, stop.trigger_price, stop.tif) == (
        Side.SELL,
        3,
        OrderType.STOP_LIMIT,
        5_100_000,
        5_090_000,
        TimeInForce.GTC,
    )
    assert stop.reduce_only is True and stop.post_only is False and stop.external is False
    assert (stop.display_qty, stop.source) == (1, "quoter")
    canceled = store.load_order("TT1-3")
    assert (canceled.status, canceled.reason, canceled.ts_last) == (
        OrderStatus.CANCELED,
        "user",
        170,
    )
    assert [o.client_order_id for o, _ in store.load_open_orders()] == ["TT1-1", "TT1-2"]

    [fill] = store.load_fills()
    assert fill == OrderFilled(
        200,
        201,
        "TT1-1",
        "sim:BTCUSDT",
        "V1",
        "T-9",
        Side.BUY,
        5_000_000,
        4,
        Liquidity.MAKER,
        Decimal("0.000012345"),
        "USDT",
        0,
        "first",
    )
    assert store.has_fill("sim", "sim:BTCUSDT", "T-9")
    assert store.known_trade_ids("sim", 0) == {"sim:BTCUSDT|T-9"}
    assert store.last_fill_ts("sim") == 200 and store.last_fill_ts("other") is None
    assert store.fill_sums() == {"sim:BTCUSDT": 4}

    [pos] = store.load_positions()
    assert (pos.instrument, pos.qty, pos.cost, pos.realized, pos.fees, pos.fills, pos.volume) == (
        "sim:BTCUSDT",
        4,
        20_000_000,
        0,
        Decimal("0.000012345"),
        1,
        4,
    )
    assert pos.paid == Fees({"USDT": Decimal("0.000012345")})  # from its fill
    assert store.controls.load_trading_state() == (TradingState.HALTED, "daily loss", "risk", 300)
    assert [(a.kind, a.detail) for a in store.controls.load_audit()] == [
        ("kill_switch.trip", "HALTED: daily loss"),
        ("reconciliation", "reconciliation clean"),
    ]
    assert store.controls.load_day(20_000) == (
        Decimal("1000.50"),
        Decimal("1010.25"),
        Decimal("999.125"),
        400,
    )
    inst = store.load_instruments()["sim:BTCUSDT"]
    assert (inst.tick_size, inst.lot_size) == (Decimal("0.01"), Decimal("0.00001"))
    store.close()


def test_an_old_store_takes_new_writes_with_its_unique_keys(old_store):
    store = Store(f"sqlite:///{old_store}")
    assert store.next_session() == 2  # the old counter goes on
    order = store.load_order("TT1-1")
    order.apply_fill(5_000_000, 6)
    again = OrderFilled(
        300,
        301,
        "TT1-1",
        "sim:BTCUSDT",
        "V1",
        "T-9",
        Side.BUY,
        5_000_000,
        6,
        Liquidity.TAKER,
        Decimal("0.1"),
        "USDT",
        0,
    )
    new = OrderFilled(
        300,
        301,
        "TT1-1",
        "sim:BTCUSDT",
        "V1",
        "T-10",
        Side.BUY,
        5_000_000,
        6,
        Liquidity.TAKER,
        Decimal("0.1"),
        "USDT",
        0,
    )
    pos = apply_fill(store.load_positions()[0], BTCUSDT, new)
    assert not store.record_fill("sim", again, order, pos)  # the old row's key holds
    assert store.record_fill("sim", new, order, pos)
    store.insert_order(Order("TT2-1", "sim:BTCUSDT", Side.BUY, 1, price=1), "sim", 2)
    store.close()
    reopened = Store(f"sqlite:///{old_store}")
    assert reopened.load_order("TT1-1").status is OrderStatus.FILLED
    assert reopened.fill_sums() == {"sim:BTCUSDT": 10}
    assert [p.fees for p in reopened.load_positions()] == [Decimal("0.100012345")]
    assert reopened.load_positions()[0].paid == Fees({"USDT": Decimal("0.100012345")})
    assert reopened.load_order("TT2-1") is not None
    reopened.close()


def add_old_fill(
    path: Path, trade: str, side: int, price: int, qty: int, fee: str, currency: str
) -> None:
    """A fill and its position as the version-0 code wrote them: a fee not in the quote
    currency was left out of the position."""
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO fills (venue, trade_id, client_order_id, venue_order_id, instrument,"
        " side, price, qty, fee, fee_currency, liquidity, ts_event, ts_recv, note) "
        "VALUES ('sim', ?, 'TT1-1', 'V1', 'sim:BTCUSDT', ?, ?, ?, ?, ?, 'TAKER', 500, 500,"
        " '')",
        (trade, side, price, qty, fee, currency),
    )
    counted = Decimal(fee) if currency in ("", "USDT") else Decimal(0)
    (fees,) = con.execute("SELECT fees FROM positions").fetchone()
    con.execute(
        "UPDATE positions SET qty = qty + ?, fills = fills + 1, volume = volume + ?, "
        "cost = cost + ?, fees = ?",
        (side * qty, qty, side * price * qty, str(Decimal(fees) + counted)),
    )
    con.commit()
    con.close()


def test_the_upgrade_recovers_the_fees_version_0_dropped_from_the_fills(old_store):
    add_old_fill(old_store, "T-10", 1, 5_000_000, 2, "0.00000002", "BTC")  # base-asset fee
    add_old_fill(old_store, "T-11", 1, 5_000_000, 1, "0.0003", "BNB")  # a third currency
    add_old_fill(old_store, "T-12", 1, 5_000_000, 1, "0.5", "")  # unnamed = the quote currency
    store = Store(f"sqlite:///{old_store}")
    [pos] = store.load_positions()
    assert pos.paid == Fees(
        {"USDT": Decimal("0.500012345"), "BTC": Decimal("0.00000002"), "BNB": Decimal("0.0003")}
    )
    # the BTC fee at its fill's price (50,000.00) joins the quote-currency fees; BNB waits
    assert pos.fees == Decimal("0.500012345") + Decimal("0.00000002") * 50_000
    assert pos.qty == 8 and pos.balance(BTCUSDT) == Decimal("0.00008") - Decimal("0.00000002")
    store.close()


def test_a_store_from_a_newer_tradeterm_is_refused_and_left_as_it_was(old_store):
    Store(f"sqlite:///{old_store}").close()
    con = sqlite3.connect(old_store)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = (dump(old_store), version(old_store))
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{old_store}")
    message = str(err.value)
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert f"up to {SCHEMA_VERSION}" in message and "Upgrade tradeterm" in message
    assert "\n" not in message
    assert (dump(old_store), version(old_store)) == before


def test_a_failed_upgrade_changes_nothing_and_says_which_row(old_store):
    add_old_fill(old_store, "T-10", 1, 5_000_000, 2, "not a number", "BTC")
    before = (schema(old_store), dump(old_store))
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{old_store}")
    assert "fill 2 has the fee 'not a number'" in str(err.value)
    assert "nothing was changed" in str(err.value)
    assert (schema(old_store), dump(old_store), version(old_store)) == (*before, 0)


def test_status_on_a_newer_store_says_so_in_one_line(tmp_path):
    import subprocess
    import sys

    store = tmp_path / "tradeterm.db"
    Store(f"sqlite:///{store}").close()
    con = sqlite3.connect(store)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    con.commit()
    con.close()
    out = subprocess.run(
        [sys.executable, "-m", "tradeterm", "status"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "TRADETERM_DATA_DIR": str(tmp_path)},
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    [line] = out.stderr.strip().splitlines()
    assert f"schema version {SCHEMA_VERSION + 7}" in line and "newer tradeterm" in line


def test_an_unreadable_number_in_an_old_store_fails_the_upgrade_cleanly(old_store):
    add_old_fill(old_store, "T-10", 1, 5_000_000, 2, "0.00000002", "BTC")
    con = sqlite3.connect(old_store)
    con.execute("UPDATE positions SET fees = 'lots'")
    con.commit()
    con.close()
    with pytest.raises(
        StoreError, match="position sim:BTCUSDT has the fees 'lots', not a decimal number"
    ):
        Store(f"sqlite:///{old_store}")
    assert version(old_store) == 0
