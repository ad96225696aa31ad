"""A damaged store from the command line (issue 12.8): `status` and `paper` refuse it in one
line that names the table, row and column and says what to do; `kill` still leaves the next
session HALTED (the halt marker); nothing writes to the damaged file."""

import json

import pytest

from tests.integration.sessions import tradeterm
from tests.store_samples import damage, fingerprint, flip_bytes, write_store

DAMAGE = {
    "unknown order status": (
        "UPDATE orders SET status = 'BOGUS' WHERE client_order_id = 'TT000001-00000002'",
        "table orders, row client_order_id='TT000001-00000002', column status holds 'BOGUS'",
    ),
    "unknown trading state": (
        "UPDATE trading_state SET state = 'WEIRD'",
        "table trading_state, row id=1, column state holds 'WEIRD'",
    ),
    "non-numeric session": (
        "UPDATE meta SET value = 'abc' WHERE \"key\" = 'session'",
        "table meta, row key='session', column value holds 'abc'",
    ),
    "non-decimal position fee": (
        "UPDATE positions SET fees = 'x1'",
        ("table positions, row instrument='sim:SIM-BTC/USD', column fees holds 'x1'"),
    ),
    "non-decimal fill fee": (
        "UPDATE fills SET fee = '1,5' WHERE trade_id = 't1'",
        "table fills, row id=2, column fee holds '1,5'",
    ),
    "text in a price": (
        ("UPDATE orders SET price = 'cheap' WHERE client_order_id = 'TT000001-00000001'"),
        "column price holds 'cheap'",
    ),
    "a side that is neither": (
        "UPDATE fills SET side = 0 WHERE trade_id = 't0'",
        "table fills, row id=1, column side holds 0",
    ),
}


def refused(out, *phrases):
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


@pytest.fixture()
def data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_store(data / "tradeterm.db")
    return data


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_status_paper_and_kill_meet_a_damaged_row(data, case):
    sql, where = DAMAGE[case]
    damage(data / "tradeterm.db", sql)
    before = fingerprint(data)
    refused(
        tradeterm(data, "status"), where, "Restore it from a backup", "never changes or deletes"
    )
    refused(tradeterm(data, "paper", "--headless", "--seconds", "1", "--no-record"), where)
    out = tradeterm(data, "kill", "--reason", "store looks wrong")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "the next session starts HALTED" in out.stdout
    assert "the store was not written" in out.stderr
    assert (data / "tradeterm.db.HALTED").exists()
    assert fingerprint(data) == before  # tradeterm wrote nothing into the damaged store


def test_flipped_bytes_are_a_clear_refusal_and_kill_still_holds(data):
    damage(data / "tradeterm.db", "")  # everything in the main file, no WAL
    flip_bytes(data / "tradeterm.db")
    before = fingerprint(data)
    refused(tradeterm(data, "status"), "is damaged", "SQLite")
    refused(tradeterm(data, "paper", "--headless", "--seconds", "1", "--no-record"), "is damaged")
    out = tradeterm(data, "kill")
    assert out.returncode == 0 and "HALTED" in out.stdout, out.stderr
    refused(tradeterm(data, "rearm", "--reason", "restored"), "is damaged")
    assert (data / "tradeterm.db.HALTED").exists()  # a refused re-arm leaves the HALT held
    assert fingerprint(data) == before


def test_kill_without_a_session_holds_the_next_start_halted_until_rearm(data):
    out = tradeterm(data, "kill", "--reason", "risk desk says stop")
    assert out.returncode == 0, out.stderr
    marker = data / "tradeterm.db.HALTED"
    assert json.loads(marker.read_text())["reason"] == "risk desk says stop"
    # the store says ACTIVE behind the marker's back: the marker still wins
    damage(data / "tradeterm.db", "UPDATE trading_state SET state = 'ACTIVE', reason = ''")
    report = json.loads(tradeterm(data, "status", "--json").stdout)
    assert report["trading_state"] == "HALTED" and report["halt_marker"] == str(marker)
    run = tradeterm(data, "paper", "--headless", "--seconds", "1", "--json", "--no-record")
    assert run.returncode == 0, run.stderr
    trading = json.loads(run.stdout)["trading"]
    assert trading["trading_state"] == "HALTED"
    assert trading["trading_state_reason"] == "risk desk says stop"
    out = tradeterm(data, "rearm", "--reason", "reviewed")
    assert out.returncode == 0, out.stderr
    assert f"the halt marker {marker} is cleared" in out.stdout
    assert not marker.exists()
    run = tradeterm(data, "paper", "--headless", "--seconds", "1", "--json", "--no-record")
    assert json.loads(run.stdout)["trading"]["trading_state"] == "ACTIVE"


def test_a_damaged_marker_still_holds_trading_halted(data):
    (data / "tradeterm.db.HALTED").write_text("{not json")
    run = tradeterm(data, "paper", "--headless", "--seconds", "1", "--json", "--no-record")
    assert run.returncode == 0, run.stderr
    trading = json.loads(run.stdout)["trading"]
    assert trading["trading_state"] == "HALTED" and "halt marker" in trading["trading_state_reason"]
