"""The halt marker: a small file beside the store that holds a HALT from ``tradeterm kill``.

``tradeterm kill`` writes it before anything else, whether or not a session runs and whether or
not the store can be read (a damaged store cannot take the HALTED state, a file beside it can).
Every session reads it first, before it opens the store; with the marker present the session is
HALTED with the marker's reason, whatever the store says. Only a re-arm removes it (``tradeterm
rearm``, or a re-arm inside the running session). It is written atomically (a temporary file,
fsync, rename, fsync of the directory), mode 0600, as JSON a human can read.

An unreadable marker (cut short, edited into nonsense) still means HALTED: its presence is what
counts, the contents only explain it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradeterm.core.files import private_dir, remove_durably, write_atomic

SUFFIX = ".HALTED"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Halt:
    """What the marker says: why, who, when (ns since the epoch)."""

    reason: str
    source: str
    ts: int


class HaltMarker:
    """The marker of the store at ``database`` (``<database>.HALTED``)."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + SUFFIX)

    @classmethod
    def for_url(cls, url: str) -> HaltMarker | None:
        """The marker of a ``sqlite://`` store; None for an in-memory store (no file to be
        beside: a simulation, which a second shell cannot reach anyway)."""
        from tradeterm.oms.store_file import sqlite_path

        path = sqlite_path(url)
        return None if path is None else cls(Path(path))

    def write(self, reason: str, source: str = "cli") -> Halt:
        """Hold a HALT durably (the directory is created 0700 if missing)."""
        halt = Halt(reason, source, time.time_ns())
        private_dir(self.path.parent)
        body = {
            "state": "HALTED",
            "reason": reason,
            "source": source,
            "ts": halt.ts,
            "pid": os.getpid(),
            "note": "written by `tradeterm kill`; `tradeterm rearm --reason ...` clears it",
        }
        write_atomic(self.path, (json.dumps(body, indent=1) + "\n").encode())
        return halt

    def read(self) -> Halt | None:
        """The HALT it holds, or None when there is no marker."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:  # there but unreadable: still a HALT
            return Halt(f"halt marker {self.path} cannot be read ({exc.strerror or exc})", "cli", 0)
        try:
            body = json.loads(text)
            if not isinstance(body["reason"], str):
                raise TypeError("the reason is not text")
            return Halt(body["reason"], str(body.get("source") or "cli"), int(body.get("ts") or 0))
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return Halt(
                f"halt marker {self.path} is damaged; it still holds trading HALTED", "cli", 0
            )

    def clear(self) -> bool:
        """Remove the marker (a re-arm); True if there was one."""
        return remove_durably(self.path)

    def on_trading_state(self, event: Any) -> None:
        """The kill switch's ``on_change`` hook: a re-arm (leaving HALTED, in the session or
        from `tradeterm rearm`) ends the HALT the marker held."""
        if event.state.value == "HALTED":
            return
        try:
            if self.clear():
                log.warning("halt marker %s cleared by the re-arm", self.path)
        except OSError as exc:  # it stays: the next start comes back HALTED (fail safe)
            log.error("could not clear the halt marker %s: %s", self.path, exc)


def hold_in_store(store: Any, halt: Halt, now: int) -> None:
    """Before a session loads its state: the store says HALTED with the marker's reason (one
    audit record, not one per start while the marker stays)."""
    from tradeterm.domain.events import TradingState

    saved = store.controls.load_trading_state()
    if saved is None or saved[0] is not TradingState.HALTED or saved[1] != halt.reason:
        store.controls.save_trading_state(
            TradingState.HALTED, halt.reason, halt.source, now, "kill_switch.trip"
        )
