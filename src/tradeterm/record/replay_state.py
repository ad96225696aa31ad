"""The replay's transport state as the UI shows it (``ReplayState``, an engine view) and the
speeds it plays at; ``replay_transport.py`` changes it."""

from __future__ import annotations

from dataclasses import dataclass

SPEEDS: tuple[float | None, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, None)
MIN_SPEED, MAX_SPEED = 0.1, 100.0
REPLAY_PREFIX = "replay."


def speed_label(speed: float | None) -> str:
    if speed is None:
        return "max"
    return f"{speed:g}x"


@dataclass
class ReplayState:
    """The transport as the UI shows it (an engine view: ``version`` bumps on every change)."""

    source: str
    start_ns: int
    end_ns: int
    total: int
    speed: float | None = None
    paused: bool = False
    done: bool = False
    published: int = 0  # records read from the recording so far (published or filtered)
    lost: int = 0  # records in damaged blocks skipped (``--skip-damaged``)
    clock_ns: int = 0
    message: str = ""
    version: int = 0

    def touch(self) -> None:
        self.version += 1

    @property
    def progress(self) -> float:
        return (self.published + self.lost) / self.total if self.total else 1.0
