"""The halt marker beside the store: atomic, private, and a HALT even when it is damaged."""

import json
import os
import stat

from tradeterm.core.bus import MessageBus
from tradeterm.domain.events import TradingState
from tradeterm.oms.halt_marker import HaltMarker, hold_in_store
from tradeterm.oms.store import Store
from tradeterm.risk.killswitch import KillSwitch


def test_written_atomically_private_and_read_back(tmp_path):
    marker = HaltMarker(tmp_path / "new" / "tradeterm.db")
    halt = marker.write("desk says stop")
    assert marker.path == tmp_path / "new" / "tradeterm.db.HALTED"
    assert stat.S_IMODE(os.stat(marker.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(marker.path.parent).st_mode) == 0o700
    assert os.listdir(marker.path.parent) == ["tradeterm.db.HALTED"]  # no temporary left
    assert marker.read() == halt and halt.reason == "desk says stop" and halt.source == "cli"
    assert json.loads(marker.path.read_text())["state"] == "HALTED"
    assert marker.clear() and marker.read() is None and not marker.clear()


def test_a_damaged_or_unreadable_marker_still_halts(tmp_path):
    marker = HaltMarker(tmp_path / "tradeterm.db")
    for junk in (b"", b"{", b"[1, 2]", b'{"reason": null}', b"\xff\xfe"):
        marker.path.write_bytes(junk)
        halt = marker.read()
        assert halt is not None and "halt marker" in halt.reason, junk
    marker.path.unlink()
    marker.path.mkdir()  # there, but not a file
    assert "cannot be read" in marker.read().reason


def test_in_memory_stores_have_no_marker():
    assert HaltMarker.for_url("sqlite://") is None


def test_held_in_the_store_once_and_cleared_by_a_rearm(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'tradeterm.db'}")
    marker = HaltMarker(tmp_path / "tradeterm.db")
    halt = marker.write("stop")
    for _ in range(3):  # starts while the marker stays: one audit record, not three
        hold_in_store(store, halt, 5)
    assert store.controls.load_trading_state()[:2] == (TradingState.HALTED, "stop")
    assert len(store.controls.load_audit("kill_switch.trip")) == 1
    switch = KillSwitch(MessageBus(), persist=store.controls.save_trading_state)
    switch.restore(TradingState.HALTED, "stop")
    switch.on_change.append(marker.on_trading_state)
    switch.trip("again", "key", 6)
    assert marker.read() is not None  # a trip keeps it
    assert switch.set_state(TradingState.ACTIVE, "reviewed", "key", 7) is None
    assert marker.read() is None
