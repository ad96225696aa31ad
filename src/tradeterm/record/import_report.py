"""What an import of captures found, phrased for the trader (``tradeterm record import``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXAMPLES = 5


class CaptureError(Exception):
    """A capture that cannot be imported as asked, phrased for the trader."""


@dataclass
class ImportReport:
    lines: int = 0
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # event type -> records
    malformed: int = 0
    malformed_examples: list[str] = field(default_factory=list)
    unhandled: dict[str, int] = field(default_factory=dict)  # stream/message kind -> lines
    gaps: list[str] = field(default_factory=list)
    stale_diffs: int = 0  # covered by a snapshot: dropped as documented
    unapplied_diffs: int = 0  # buffered when the capture ended without a (later) snapshot
    skipped_depth: int = 0  # --trades-only
    truncated: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    venue: str = ""

    def malformed_line(self, where: str, why: str) -> None:
        self.malformed += 1
        if len(self.malformed_examples) < EXAMPLES:
            self.malformed_examples.append(f"{where}: {why}")

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))
