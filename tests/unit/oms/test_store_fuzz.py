"""Fuzzing the store's rows (issue 12 "store rows"): any value of any SQLite type in any column
of any table. Opening the store checked either refuses it with a CorruptStore naming the table,
row and column, or every read then succeeds; an unchecked store's reads raise CorruptStore or
succeed; `tradeterm status` gives a result or one clear UsageError. Never another exception."""

import shutil
import sqlite3
import tempfile
from argparse import Namespace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.store_samples import write_store
from tradeterm.cli.errors import UsageError
from tradeterm.oms.store import CorruptStore, Store
from tradeterm.oms.store_columns import TABLES

SAMPLE_DIR = Path(tempfile.mkdtemp(prefix="tt-store-sample-"))
SAMPLE = write_store(SAMPLE_DIR / "tradeterm.db")
COLUMNS = sorted((table, column) for table, (_, cols) in TABLES.items() for column in cols)
COLUMNS.append(("meta", "value"))

values = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.binary(max_size=12),
    st.booleans(),
    st.sampled_from(
        [
            "1",
            "-1",
            "0",
            "NaN",
            "Infinity",
            "1E+999999",
            "ACTIVE",
            "HALTED",
            "FILLED",
            "MAKER",
            "LIMIT",
            "GTC",
            "",
            " 1",
            "1_0",
            "\u0663",
        ]
    ),
)


def damaged_copy(tmp: Path, table: str, column: str, value) -> Path:
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    db = data / "tradeterm.db"
    shutil.copy(SAMPLE, db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous=OFF")  # a test copy: no fsync per example
    try:
        conn.execute(
            f'UPDATE {table} SET "{column}" = ? WHERE rowid = (SELECT min(rowid) FROM {table})',
            (value,),
        )
        conn.commit()
    except (sqlite3.IntegrityError, OverflowError):
        assume(False)  # NOT NULL / UNIQUE refuse it: not a value a store can hold
    finally:
        conn.close()
    return db


def reads(store: Store) -> None:
    store.controls.load_trading_state()
    store.load_positions()
    store.load_open_orders()
    store.load_orders()
    store.load_fills()
    store.fill_rows()
    store.load_instruments()
    store.controls.load_day(1_767_225_600 // 86_400)
    store.known_trade_ids("sim", 0)
    store.fill_sums()
    store.next_session()


def check_row(tmp: Path, table: str, column: str, value, monkeypatch=None) -> None:
    db = damaged_copy(tmp, table, column, value)
    url = f"sqlite:///{db}"
    try:
        checked = Store(url, "OFF", verify=True)
    except CorruptStore as exc:
        text = str(exc)
        assert "\n" not in text and "is damaged" in text
        if table != "meta":
            assert f"table {table}" in text and f"column {column}" in text, text
    else:
        reads(checked)  # a store that passed the check reads without surprise
        checked.close()
    try:
        reads(Store(url, "OFF"))
    except CorruptStore as exc:
        assert "\n" not in str(exc)
    from tradeterm.cli import status as cli_status

    try:
        cli_status.collect(Namespace(config=None, fills=True, json=True))
    except UsageError as exc:
        assert "\n" not in str(exc)


FUZZ = dict(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@settings(max_examples=200, **FUZZ)
@given(where=st.sampled_from(COLUMNS), value=values)
def test_garbage_in_any_column_is_a_clear_error_or_reads_fine(monkeypatch, where, value):
    with tempfile.TemporaryDirectory() as tmp:
        monkeypatch.setenv("TRADETERM_DATA_DIR", str(Path(tmp) / "data"))
        check_row(Path(tmp), *where, value)


@pytest.mark.slow
@settings(max_examples=4000, **FUZZ)
@given(where=st.sampled_from(COLUMNS), value=values)
def test_garbage_in_any_column_many(monkeypatch, where, value):
    with tempfile.TemporaryDirectory() as tmp:
        monkeypatch.setenv("TRADETERM_DATA_DIR", str(Path(tmp) / "data"))
        check_row(Path(tmp), *where, value)


def test_a_store_older_than_a_column_is_checked_on_what_it_has(tmp_path):
    """Before a migration adds a column, the check does not call the store damaged."""
    db = tmp_path / "old.db"
    shutil.copy(SAMPLE, db)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE positions DROP COLUMN volume")
    conn.execute("ALTER TABLE fills DROP COLUMN note")
    conn.commit()
    conn.close()
    Store(f"sqlite:///{db}", "OFF", verify=True).close()
