"""The UI figures from a real pty (quick sizes): their shape, never their timings."""

import sys

import pytest

from tradeterm.bench import ui_bench
from tradeterm.bench.pty_harness import PtySession, PtyTimeout


def test_quick_figures_have_their_shape():
    figures = [ui_bench.key_to_screen(True), ui_bench.bytes_per_s(True), ui_bench.first_frame(True)]
    assert [f.name for f in figures] == [
        "ui.key_to_screen_p99",
        "ui.bytes_per_s",
        "startup.first_frame",
    ]
    for fig, unit in zip(figures, ("ms", "B/s", "s")):
        assert fig.unit == unit and not fig.higher_is_better
        assert fig.value > 0 and fig.reference_value and fig.reference_value > 0
        assert (
            fig.reference
            and fig.target
            and fig.ratio == pytest.approx(fig.reference_value / fig.value)
        )
    busy, calm, starts = ui_bench.sessions(True)
    assert len(busy.latencies_ms) == len(calm.latencies_ms) == 3  # a miss counts as the timeout
    assert len(starts.paper_s) == len(starts.minimal_s) == 2  # the session's own + one more


def test_screen_predicates():
    ladder = [
        "header",
        "╭─ Ladder  SIM-ETH/USD ──╮",
        *[f"│   2649.{i:02d}  1.5 │" for i in range(6)],
    ]
    assert ui_bench.ladder_symbol(ladder) == "SIM-ETH/USD"
    assert ui_bench.ladder_has_prices(ladder)
    assert not ui_bench.ladder_has_prices(ladder[:4])
    assert ui_bench.ladder_symbol(["no ladder here"]) is None


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert ui_bench.percentile(values, 99) == 99.0
    assert ui_bench.percentile(values, 50) == 50.0
    assert ui_bench.percentile([5.0], 99) == 5.0


def test_harness_sees_what_a_program_prints_and_its_exit():
    code = (
        "import sys; sys.stdout.write('\\x1b[2;5Hhello'); sys.stdout.flush(); input(); "
        "sys.stdout.write('\\x1b[3;1Hworld'); sys.stdout.flush(); input()"
    )
    with PtySession([sys.executable, "-c", code], cols=40, rows=5) as term:
        term.wait_for(lambda lines: lines[1][4:9] == "hello", 10)
        assert term.bytes_read > 0
        term.press("\r")
        # with a hint, the screen is parsed when a chunk carries it (here: the same chunk)
        term.wait_for(lambda lines: lines[2].startswith("world"), 10, hint=b"world")
        assert term.lines()[1][4:9] == "hello"
        term.press("\r")
        with pytest.raises(PtyTimeout, match="exited"):
            term.wait_for(lambda lines: False, 10)


def test_profile_splits_bytes_by_screen_area():
    from tradeterm.bench.ui_profile import split

    raw = (
        b"\x1b[1;1Hhead\x1b[10;2H\x1b[31mladder\x1b[0m\x1b[10;60Horder\x1b[35;60Htrade"
        b"\x1b[40;1Hkeys"
    )
    by = split(raw)
    assert by["header"] == len(b"\x1b[1;1Hhead")
    assert by["ladder"] == len(b"\x1b[10;2H\x1b[31mladder\x1b[0m")
    assert by["orders"] == len(b"\x1b[10;60Horder") and by["tape+log"] == len(b"\x1b[35;60Htrade")
    assert by["footer"] == len(b"\x1b[40;1Hkeys")
