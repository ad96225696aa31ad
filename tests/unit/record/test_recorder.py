"""The recorder: the journal is the bus, message for message; seeded runs give the same bytes;
live sessions reach the file within 250 ms; a write failure does not stop the session."""

import asyncio
import logging

from tests.helpers import fast_kernel
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import LiveClock
from tradeterm.domain.events import LogLine
from tradeterm.record.journal import JournalReader
from tradeterm.record.recorder import Recorder


def recorded_run(seed=11):
    kernel = fast_kernel(seed=seed, seconds=15, record=True)  # into <data dir>/recordings
    seen = []
    kernel.bus.subscribe("*", lambda m: seen.append((kernel.bus.seq, kernel.bus.topic, m)))
    asyncio.run(kernel.run())
    path = kernel.recorder.path
    return path, seen


def test_the_journal_holds_every_bus_message_in_order(tmp_path):
    path, seen = recorded_run()
    with JournalReader(path) as reader:
        assert reader.clean and reader.header["mode"] == "paper"
        assert reader.header["seed"] == 11 and reader.header["instruments"]
        got = [(s, t, e) for s, _, t, e in reader.records_iter()]
    assert len(seen) > 20_000
    assert got == seen


def test_same_seed_same_journal_bytes(tmp_path):
    a, _ = recorded_run()
    b, _ = recorded_run()
    assert a != b and a.read_bytes() == b.read_bytes()


def test_live_session_reaches_the_file_within_250ms(tmp_path):
    async def scenario():
        bus, clock = MessageBus(), LiveClock()
        rec = Recorder(bus, clock, tmp_path / "live.ttj", fsync_seconds=0)
        rec.start({"mode": "test"})
        now = clock.timestamp_ns()
        bus.publish("log", LogLine(now, now, "INFO", "t", "hello"))
        await asyncio.sleep(0.4)
        with JournalReader(tmp_path / "live.ttj") as reader:  # still open for writing
            assert reader.records == 1 and not reader.clean
        rec.close()

    asyncio.run(scenario())


def test_a_write_failure_is_logged_once_and_the_session_goes_on(tmp_path, caplog):
    bus, clock = MessageBus(), LiveClock()
    rec = Recorder(bus, clock, tmp_path / "x.ttj", fsync_seconds=0)
    rec.start({"mode": "test"})

    class Full:
        def write(self, data):
            raise OSError(28, "No space left on device")

        def flush(self):
            pass

    rec.writer._fh = Full()
    with caplog.at_level(logging.ERROR):
        for i in range(3):
            bus.publish("log", LogLine(i, i, "INFO", "t", "x"))
            rec.flush()
    assert rec.failed and "No space left on device" in rec.failed
    assert sum("recording stopped" in r.message for r in caplog.records) == 1
