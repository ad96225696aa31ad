"""Reading Binance capture files: ``<receive time ns> <JSON>`` lines from gzip or plain text,
a first pass that finds the symbols, price grids, snapshots and market (spot or futures), and
the stream of parsed messages the importer merges. Unreadable lines are counted with their line
numbers in the import report, never dropped silently.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from tradeterm.record.import_report import CaptureError, ImportReport


@dataclass
class CaptureScan:
    """What a first pass over one capture found."""

    path: Path
    symbols: dict[str, int] = field(default_factory=dict)  # symbol -> price decimals seen
    snapshot_decimals: int = -1  # price decimals in the REST snapshot(s): the book's own grid
    snapshots: int = 0
    futures: bool = False
    depth: int = 0


def _open_text(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        return gzip.open(path, "rt", encoding="utf-8", errors="replace") if gz else open(
            path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise CaptureError(f"capture {path} does not exist") from None
    except IsADirectoryError:
        raise CaptureError(f"{path} is a directory, not a capture") from None
    except OSError as exc:
        raise CaptureError(f"cannot read {path}: {exc.strerror or exc}") from None


def _lines(path: Path, report: ImportReport | None) -> Iterator[tuple[int, str]]:
    fh = _open_text(path)
    n = 0
    try:
        with fh:
            for n, line in enumerate(fh, 1):  # noqa: B007
                yield n, line
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        if report is not None:
            report.truncated.append(f"{path.name}: unreadable after line {n:,} ({exc}); "
                                    "the lines before it were imported")


_json = msgspec.json.Decoder()


def _parse(line: str) -> tuple[int, dict[str, Any]]:
    recv, sep, payload = line.partition(" ")
    if not sep:
        raise ValueError("expected '<receive ns> <json>'")
    msg = _json.decode(payload)
    if not isinstance(msg, dict):
        raise ValueError("the JSON is not an object")
    return int(recv), msg


def _decimals(text: str) -> int:
    _, _, frac = text.partition(".")
    return len(frac.rstrip("0"))


def scan_capture(path: Path) -> CaptureScan:
    scan = CaptureScan(path)
    for _, line in _lines(path, None):
        try:
            _, msg = _parse(line)
        except (ValueError, msgspec.DecodeError):
            continue
        if "lastUpdateId" in msg:
            scan.snapshots += 1
            for p, _ in (msg.get("bids") or []) + (msg.get("asks") or []):
                if isinstance(p, str):
                    scan.snapshot_decimals = max(scan.snapshot_decimals, _decimals(p))
            continue
        data = msg.get("data", msg)
        symbol = data.get("s") if isinstance(data, dict) else None
        if not isinstance(symbol, str):
            continue
        kind = data.get("e")
        if kind == "depthUpdate":
            scan.depth += 1
            scan.futures = scan.futures or "pu" in data
            prices = [p for p, _ in (data.get("b") or [])[:5] + (data.get("a") or [])[:5]]
        elif kind == "trade":
            prices = [data.get("p", "")]
        else:
            prices = [data.get("b", ""), data.get("a", "")]
        sym = symbol.upper()
        scan.symbols.setdefault(sym, 0)
        for p in prices:
            if isinstance(p, str):
                scan.symbols[sym] = max(scan.symbols[sym], _decimals(p))
    return scan


def capture_messages(file_idx: int, path: Path,
                     report: ImportReport) -> Iterator[tuple[int, int, str, dict[str, Any]]]:
    for n, line in _lines(path, report):
        report.lines += 1
        if not line.strip():
            continue
        try:
            recv, msg = _parse(line)
        except (ValueError, msgspec.DecodeError) as exc:
            report.malformed_line(f"{path.name}:{n}", str(exc))
            continue
        yield recv, file_idx, f"{path.name}:{n}", msg
