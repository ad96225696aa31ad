import pytest
import textual.app
import textual.pilot
from textual.message_pump import MessagePump

from tests.tui_settle import DISPATCHES, settled


@pytest.fixture(autouse=True)
def _keys_wait_until_handled(monkeypatch):
    """Pilot presses and pauses wait until the app has handled its messages, not for an idle
    process that a running session never is (tests/tui_settle.py)."""
    monkeypatch.setattr(textual.app, "wait_for_idle", settled)
    monkeypatch.setattr(textual.pilot, "wait_for_idle", settled)
    monkeypatch.setattr(MessagePump, "_dispatch_message", DISPATCHES.wrapped())
