"""Crash safety: a quoting paper session is SIGKILLed at random moments and restarted.

After every kill the store must hold every fill the session had acknowledged (logged after
its durable commit) exactly once, every position must equal the signed sum of its fills, and
the restart must reconcile cleanly: the orders the in-process venue lost are closed, the
account is intact, trading resumes ACTIVE.
"""

import random
import re
import signal
import sqlite3
import time
from contextlib import closing

import pytest

from tests.integration.sessions import start_session, status, wait_for_fills, wait_until_trading
from tradeterm.oms.store import Store

# ``fill S1-1036 SELL 0.0099 SIM-BTC/USD @ 61799.5, fee 0.03 USD (order …)``
FILL_LINE = re.compile(r"tradeterm\.oms\.manager: fill (\S+) (?:BUY|SELL) \S+ (\S+) @ ")


def acknowledged_fills(data_dir) -> list[tuple[str, str]]:
    """(trade id, symbol) of every fill the session logged after its durable commit."""
    log = data_dir / "logs" / "tradeterm.log"
    return FILL_LINE.findall(log.read_text()) if log.exists() else []


def check_store(data_dir) -> tuple[int, set[str]]:
    store = Store(f"sqlite:///{data_dir / 'tradeterm.db'}")
    try:
        rows = store.fill_rows()
        keys = [(r.venue, r.instrument, r.trade_id) for r in rows]  # trade ids: per instrument
        assert len(keys) == len(set(keys)), "a fill was recorded twice"
        stored = {(r.trade_id, r.instrument.split(":", 1)[1]) for r in rows}
        logged = set(acknowledged_fills(data_dir))
        missing = logged - stored
        assert not missing, f"acknowledged fills lost: {sorted(missing)[:5]}"
        positions = {p.instrument: p.qty for p in store.load_positions() if p.fills}
        assert positions == store.fill_sums(), "a position differs from the sum of its fills"
        reconciliations = [a.detail for a in store.controls.load_audit("reconciliation")]
        assert reconciliations and all("reconciliation clean" in d for d in reconciliations), (
            reconciliations
        )
        return len(rows), stored
    finally:
        store.close()


def wait_for_open_order(data_dir, session, timeout: float = 30) -> None:
    """Until the running session's store holds an open order (read-only, beside it)."""
    deadline = time.monotonic() + timeout
    uri = f"file:{data_dir / 'tradeterm.db'}?mode=ro"
    while time.monotonic() < deadline:
        assert session.poll() is None, f"session exited with {session.returncode}"
        with closing(sqlite3.connect(uri, uri=True, timeout=5)) as db:
            if db.execute("SELECT 1 FROM orders WHERE is_open = 1 LIMIT 1").fetchone():
                return
        time.sleep(0.02)
    raise AssertionError("the session never had an order working")


def crash_and_restart(data_dir, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    fills = 0
    for n in range(kills):
        session = start_session(
            data_dir, "--quoter", "placeholder", "--activity", "busy", "--seconds", "120"
        )
        try:
            wait_until_trading(data_dir, session)
            session_before = fills
            if n == 0:  # a loaded machine may not trade before the first kill: make sure it does
                wait_for_fills(data_dir, session)
                # and that one kill leaves a working order for the restart to reconcile: the
                # random moments met none in about one run in four (the placeholder's quotes
                # fill fast on a busy market, or are replaced within 500 ms)
                wait_for_open_order(data_dir, session)
            else:
                time.sleep(rng.uniform(0.3, 2.5))
            session.send_signal(signal.SIGKILL)
            session.wait(timeout=10)
        finally:
            session.kill()
        fills, _ = check_store(data_dir)
        assert fills >= session_before
    assert fills > 0 and acknowledged_fills(data_dir), "never traded: the test proves nothing"
    # a last, clean session: it reconciles what the last kill left and ends with no orders
    final = start_session(data_dir, "--seconds", "1.5")
    assert final.wait(timeout=60) == 0, (data_dir / "session.err").read_text()[-2000:]
    check_store(data_dir)
    report = status(data_dir)
    assert report["trading_state"] == "ACTIVE" and report["working_orders"] == []
    assert len(report["fills"]) == fills
    store = Store(f"sqlite:///{data_dir / 'tradeterm.db'}")
    try:
        closed = [o for o, _ in store.load_orders() if o.reason in ("VENUE_LOST", "NOT_RECEIVED")]
        assert closed, "no kill ever left a working order behind to reconcile"
        assert not store.load_open_orders()
    finally:
        store.close()


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path):
    crash_and_restart(tmp_path / "data", kills=3, seed=1)


@pytest.mark.slow
def test_sigkill_soak(tmp_path):
    crash_and_restart(tmp_path / "data", kills=30, seed=2)
