"""The alerts set from the command line, kept in ``<data_dir>/alerts.toml`` (0600, replaced
whole and atomically) and set again at the next start. A one-shot alert that fired is kept as
fired (it does not fire again after a restart) until the trader cancels it. A rule that names
an instrument this session does not have is kept in the file as it was."""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tradeterm.core.files import private_dir, write_atomic

log = logging.getLogger("tradeterm.alerts")

FILE_NAME = "alerts.toml"
HEADER = "# tradeterm alerts set with `alert ...` on the command line (kept between sessions)\n"


@dataclass(frozen=True, slots=True)
class KeptAlert:
    rule: str  # as the grammar writes it
    fired: int = 0


class AlertFile:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def load(self) -> list[KeptAlert]:
        """The kept alerts; a file that cannot be read is logged and read as empty (it is
        replaced at the next change)."""
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
            return [
                KeptAlert(str(entry["rule"]), max(0, int(entry.get("fired", 0))))
                for entry in data.get("alert", [])
            ]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("alerts not restored: %s is unreadable (%s)", self.path, exc)
            return []

    def save(self, alerts: Iterable[KeptAlert]) -> None:
        """Replace the file with ``alerts``. Raises OSError."""
        lines = [HEADER]
        for kept in alerts:  # a JSON string is a TOML basic string
            lines.append(f"\n[[alert]]\nrule = {json.dumps(kept.rule)}\nfired = {kept.fired}\n")
        private_dir(self.path.parent)
        write_atomic(self.path, "".join(lines).encode("utf-8"))
