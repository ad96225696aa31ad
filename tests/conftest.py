import decimal
import os

import pytest

from tradeterm.core.decimals import engine_context


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: half again as many workers as cores. Much of the suite waits on real
    seconds (the soaks, the loopback's sessions, subprocesses, the TUI key by key), so a third
    worker on two cores keeps them busy: 5 min 32-37 s against 6 min 54-57 s with two, the
    same tests passing."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) * 3 // 2)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test writes to the real XDG data dir."""
    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def _fresh_decimal_context():
    """Each test starts in the engine's Decimal context, as a new process would: a test that
    calls ccxt itself (the loopback conformance suite) leaves ROUND_HALF_UP and an Underflow trap
    in its thread's context (ccxt's decimal_to_precision), which the next test in the same worker
    would otherwise inherit. The engine's own calls into ccxt are fenced (venues/ccxt_fence.py)."""
    decimal.setcontext(engine_context())
    yield
    decimal.setcontext(engine_context())
