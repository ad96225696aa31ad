"""The journal and replay benchmarks run (quick sizes) and report a value beside a reference.
Speeds are measured by ``tradeterm bench``, never asserted here."""

import tempfile

import pytest

from tradeterm.bench import MODULES
from tradeterm.bench.registry import REGISTRY
from tradeterm.bench import record_bench as bench

pytestmark = pytest.mark.skipif(bench.capture_path() is None, reason="shared market data missing")


def test_registered_and_listed():
    assert "tradeterm.bench.record_bench" in MODULES
    for name in (
        "journal.write",
        "journal.bytes_per_event",
        "journal.decode",
        "journal.seek",
        "replay.end_to_end",
    ):
        assert name in REGISTRY


@pytest.mark.parametrize(
    "fn",
    [
        bench.bytes_per_event,
        bench.journal_write,
        bench.journal_decode,
        bench.journal_seek,
        bench.replay_end_to_end,
    ],
)
def test_quick_figures(fn, tmp_path, monkeypatch):
    """Each figure leaves nothing behind: not in the temp dir, not in a data dir, not beside
    the shipped recording."""
    temp, home = tmp_path / "tmp", tmp_path / "home"
    temp.mkdir()
    home.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("TRADETERM_DATA_DIR", raising=False)
    shipped = sorted(bench.SHIPPED.parent.iterdir())
    figure = fn(True)
    assert list(temp.iterdir()) == [] and list(home.iterdir()) == []
    assert sorted(bench.SHIPPED.parent.iterdir()) == shipped
    assert figure.value > 0 and figure.reference_value and figure.reference_value > 0
    assert figure.ratio and figure.ratio > 0 and figure.reference
    out = figure.to_json()
    assert out["name"] == figure.name and "higher_is_better" not in out


def test_bytes_per_event_beats_gzip_of_the_capture():
    figure = bench.bytes_per_event(True)
    assert figure.value < figure.reference_value  # a size, not a speed: deterministic


def test_replay_states_market_updates_per_second():
    figure = bench.replay_end_to_end(True)
    # the shipped recording: 230,875 delta levels + 4,000 snapshot levels + 15,863 trades
    assert "250,738 of them" in figure.note
    rate = float(
        figure.note.split(" book level updates + trades/s")[0].rsplit("; ", 1)[1].replace(",", "")
    )
    assert rate == pytest.approx(figure.value * 250_738 / 74_864, rel=1e-3)
