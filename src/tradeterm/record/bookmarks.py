"""A recording's bookmarks: named moments of a replay, kept in a side file next to the recording
(``<name>.ttb``, JSON), never in the recording itself.

A bookmark is the replay's position when it was set (the next record to play) and its clock, so
going to it puts the replay exactly where it was. The side file is rewritten whole and atomically
at every change (``core.files.write_atomic``: a crash leaves the old list or the new one), and
read again when the recording is replayed. A side file that names another recording (the
recording was replaced), or cannot be read, is left alone and not used (``problem`` says why);
the first change then writes a new one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tradeterm.core.files import write_atomic

if TYPE_CHECKING:  # a replay has it loaded; a paper session never needs it
    from tradeterm.record.journal import JournalReader

log = logging.getLogger(__name__)

SIDE_SUFFIX = ".ttb"
FORMAT = 1


def bookmarks_path(recording: Path) -> Path:
    return recording.with_name(recording.name + SIDE_SUFFIX)


@dataclass(frozen=True)
class Bookmark:
    name: str
    record: int  # the replay's position: the next record to play (file order, 0-based)
    ts: int  # the replay clock there (ns)


class Bookmarks:
    """The bookmarks of one recording, in time order."""

    def __init__(self, reader: JournalReader) -> None:
        self.path = bookmarks_path(reader.path)
        self.identity = {"of": reader.path.name, "of_records": reader.records}
        self.marks: list[Bookmark] = []
        self.problem = ""  # why an existing side file is not used
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.problem = f"{self.path.name}: not read ({exc})"
        else:
            if any(data.get(k) != v for k, v in self.identity.items()):
                self.problem = f"{self.path.name} belongs to another recording: not used"
            else:
                try:
                    self.marks = sorted(
                        (
                            Bookmark(str(m["name"]), int(m["record"]), int(m["ts"]))
                            for m in data["bookmarks"]
                        ),
                        key=lambda m: (m.record, m.ts),
                    )
                except (KeyError, TypeError, ValueError) as exc:
                    self.problem = f"{self.path.name}: not read (bad entry: {exc})"
        if self.problem:
            log.warning("%s", self.problem)

    def _save(self) -> None:
        body = {
            "format": FORMAT,
            **self.identity,
            "bookmarks": [{"name": m.name, "record": m.record, "ts": m.ts} for m in self.marks],
        }
        write_atomic(self.path, (json.dumps(body, indent=1) + "\n").encode())

    def default_name(self) -> str:
        taken = {m.name for m in self.marks}
        n = len(self.marks) + 1
        while f"bookmark {n}" in taken:
            n += 1
        return f"bookmark {n}"

    def add(self, name: str, record: int, ts: int) -> Bookmark:
        mark = Bookmark(name.strip() or self.default_name(), record, ts)
        self.marks = sorted([*self.marks, mark], key=lambda m: (m.record, m.ts))
        self._save()
        return mark

    def rename(self, mark: Bookmark, name: str) -> Bookmark:
        renamed = Bookmark(name.strip() or mark.name, mark.record, mark.ts)
        self.marks = [renamed if m is mark else m for m in self.marks]
        self._save()
        return renamed

    def delete(self, mark: Bookmark) -> None:
        self.marks = [m for m in self.marks if m is not mark]
        self._save()

    def next_after(self, record: int) -> Bookmark | None:
        return next((m for m in self.marks if m.record > record), None)

    def prev_before(self, record: int) -> Bookmark | None:
        return next((m for m in reversed(self.marks) if m.record < record), None)
