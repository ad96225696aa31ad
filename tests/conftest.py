import decimal

import pytest

from tradeterm.core.decimals import engine_context


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
