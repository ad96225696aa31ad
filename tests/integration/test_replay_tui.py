"""The replay transport in the TUI: header badge, keys, go-to-time."""

from pathlib import Path

from tradeterm.config import load_settings
from tradeterm.kernel import Kernel, RunOptions
from tradeterm.ui.app import create_app
from tradeterm.ui.widgets.status_header import StatusHeader

SHIPPED = Path(__file__).resolve().parents[2] / "recordings" / \
    "binance-spot-btcusdt-ethusdt-20240808.ttj"


def header_text(app) -> str:
    return "".join(text for text, _ in app.query_one(StatusHeader).status_row())


async def test_transport_keys_drive_the_replay(tmp_path):
    kernel = Kernel(load_settings(sim={"seed": 1}),
                    RunOptions(mode="replay", replay=SHIPPED, speed=1.0, interactive=True,
                               recording=tmp_path / "review.ttj"))
    replay = kernel.replay
    replay.pause()
    app = create_app(kernel)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        text = header_text(app)
        assert "REPLAY" in text and "PAUSED" in text and "1x" in text and "23:54:13" in text
        assert replay.state.published == 0
        await pilot.press("full_stop")
        await pilot.pause(0.1)
        assert replay.state.published == 1 and replay.state.paused
        await pilot.press("plus")
        assert replay.state.speed == 2.0
        await pilot.press("minus", "minus")
        assert replay.state.speed == 0.5
        await pilot.press("n")
        await pilot.pause(0.3)
        assert replay.state.message == "found"
        await pilot.press("g")
        await pilot.pause(0.1)
        await pilot.press(*"+120s", "enter")
        for _ in range(50):
            await pilot.pause(0.1)
            if replay.state.message == "at seek target":
                break
        assert replay.state.message == "at seek target"
        assert "23:56:1" in header_text(app)
        await pilot.press("space")
        assert not replay.state.paused
        await pilot.press("q")
        await pilot.pause(0.2)
    assert kernel._stop.is_set()
    from tradeterm.record.journal import JournalReader

    with JournalReader(tmp_path / "review.ttj") as journal:  # the trader's actions are recorded
        actions = [e.action for _, _, t, e in journal.records_iter() if t == "replay.control"]
    assert actions[:2] == ["paused", "step"] and "seek" in actions and "playing" in actions
