import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test writes to the real XDG data dir."""
    monkeypatch.setenv("TRADETERM_DATA_DIR", str(tmp_path / "data"))
