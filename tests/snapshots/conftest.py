import pytest

from tests.helpers import run_fast
from tradeterm.ui.app import create_app


@pytest.fixture
def seeded_app():
    """The workstation over a seeded simulated market, advanced 30 simulated seconds and then
    frozen: the engine does not run during the snapshot, so every frame is the same."""

    def make(seed: int = 7, seconds: float = 30.0):
        kernel = run_fast(seed=seed, seconds=seconds)
        return create_app(kernel, run_engine=False)

    return make
