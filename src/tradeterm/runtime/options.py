"""What a session is asked to do: the mode, the clock, the bounds, recording and replay, the
quoter (``RunOptions``; the CLI fills it from the command line, tests and benches directly)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RunOptions:
    mode: str = "paper"
    fast: bool = False  # SimClock, as fast as possible
    seconds: float | None = None  # bound the run (simulated seconds when fast)
    record: bool = True  # journal every bus message (settings.record.enabled must agree)
    recording: Path | None = None  # journal path (default: <recordings dir>/<start>-<mode>-...)
    replay: Path | None = None  # replay this recording: the data client
    speed: float | None = None  # replay speed; None = as fast as possible
    interactive: bool = False  # a trader is watching (TUI): flush the journal by wall time too
    quoter: str | None = None  # "on" ([quoter] model), "glft", "avellaneda_stoikov", "placeholder"
    paper: bool = False  # with replay: market data only, the session's orders filled on paper
    skip_damaged: bool = False  # with replay: skip damaged blocks of the recording
    signals: bool = False  # handle SIGHUP (session.on_hangup) on the loop; set by the CLI
