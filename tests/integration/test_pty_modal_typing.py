"""Text typed fast into a modal's field while the market moves is all there, in typed order.

A replay runs in a real terminal (the project's pty harness, a pyte screen); the trader opens the
go-to box (``g``), clears it (ctrl+u, then backspaces on the empty field) and types a time, all
in one burst as the terminal sends it (once with the ``g`` in the burst too: the box is open
before the next key is read). Textual hands a printable key to the focused ``Input`` at
once but a bound key (backspace, ctrl+u) to the app's queue, behind the replay's redraws: a
backspace taken late deleted characters typed after it (``ui/typed_keys.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tradeterm.bench.pty_harness import PtySession

SHIPPED = (
    Path(__file__).resolve().parents[2] / "recordings" / "binance-spot-btcusdt-ethusdt-20240808.ttj"
)
TYPED = "23:59:58"
BURST = "\x15" + "\x7f" * 20 + TYPED  # ctrl+u, backspaces on an empty field, the time


def goto_box(lines: list[str]) -> str | None:
    """What the go-to field shows: the line below the replay's span, inside the box."""
    for k, line in enumerate(lines):
        if "Go to: HH:MM:SS" in line:
            for below in lines[k + 1 : k + 8]:
                if "▊ " in below:  # the field's tall border, beside its text
                    return below.split("▊ ", 1)[1].split("▎")[0].strip()
    return None


def test_a_burst_typed_into_the_goto_box_is_all_there(tmp_path):
    env = dict(os.environ, TRADETERM_DATA_DIR=str(tmp_path / "data"))
    argv = [sys.executable, "-m", "tradeterm", "replay", str(SHIPPED), "--paper"]
    with PtySession(argv, 120, 40, env=env) as term:
        term.wait_for(lambda lines: any("REPLAY" in ln for ln in lines), 60)
        term.drain(1.0)  # the market moves
        for g_in_the_burst in (False, True, False):
            if not g_in_the_burst:
                term.press("g")
                term.wait_for(lambda lines: goto_box(lines) is not None, 10)
            term.press(("g" if g_in_the_burst else "") + BURST)
            term.drain(1.0)
            shown = goto_box(term.lines())
            assert shown == TYPED, f"typed {TYPED!r}, the box shows {shown!r}:\n{term.text()}"
            term.press("\x1b")  # Esc: closed, the next round starts on a fresh box
            term.wait_for(lambda lines: goto_box(lines) is None, 10)
        term.close()
