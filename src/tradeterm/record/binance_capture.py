"""Reading Binance capture files: ``<receive time ns> <JSON>`` lines from gzip or plain text,
a first pass that finds the symbols, price grids, snapshots and market (spot or futures), and
the stream of parsed messages the importer merges. Unreadable lines, and lines not shaped as
Binance documents (``binance_shapes.py``), are counted with their line numbers in the import
report, never dropped silently and never passed on.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from tradeterm.record.binance_shapes import (
    Malformed,
    check_message,
    is_decimal,
    receive_time,
)
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
    bad_snapshot: str = ""  # the first malformed snapshot line: "line N: why"


def _open_text(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        return (
            gzip.open(path, "rt", encoding="utf-8", errors="replace")
            if gz
            else open(path, encoding="utf-8", errors="replace")
        )
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
            report.truncated.append(
                f"{path.name}: unreadable after line {n:,} ({exc}); "
                "the lines before it were imported"
            )


_json = msgspec.json.Decoder()


def _parse(line: str) -> tuple[int, dict[str, Any]]:
    """(receive ns, JSON object) of a line; raises Malformed. The message is not checked."""
    recv, sep, payload = line.partition(" ")
    if not sep:
        raise Malformed("expected '<receive ns> <json>'")
    try:
        msg = _json.decode(payload)
    except msgspec.DecodeError as exc:
        raise Malformed(str(exc)) from None
    if not isinstance(msg, dict):
        raise Malformed("the JSON is not an object")
    return receive_time(recv), msg


def _decimals(text: str) -> int:
    _, _, frac = text.partition(".")
    return len(frac.rstrip("0"))


def scan_capture(path: Path) -> CaptureScan:
    """The first pass. It looks only at what it needs (a snapshot is checked whole; of a stream
    message the symbol and a few prices that are decimal strings), so a malformed line cannot
    make the price grid finer than the market's; the import pass checks every line."""
    scan = CaptureScan(path)
    for n, line in _lines(path, None):
        try:
            _, msg = _parse(line)
            if "lastUpdateId" in msg:
                check_message(msg)
        except Malformed as exc:
            if not scan.bad_snapshot and '"lastUpdateId"' in line:
                scan.bad_snapshot = f"line {n:,}: {exc}"
            continue
        if "lastUpdateId" in msg:
            scan.snapshots += 1
            for p, _ in msg["bids"] + msg["asks"]:
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
            levels = [
                lv
                for side in (data.get("b"), data.get("a"))
                if isinstance(side, list)
                for lv in side[:5]
            ]
            prices = [lv[0] for lv in levels if isinstance(lv, list) and lv]
        elif kind == "trade":
            prices = [data.get("p")]
        else:
            prices = [data.get("b"), data.get("a")]
        sym = symbol.upper()
        scan.symbols.setdefault(sym, 0)
        for p in prices:
            if is_decimal(p):
                scan.symbols[sym] = max(scan.symbols[sym], _decimals(p))
    return scan


def capture_messages(
    file_idx: int, path: Path, report: ImportReport
) -> Iterator[tuple[int, int, str, dict[str, Any]]]:
    for n, line in _lines(path, report):
        report.lines += 1
        if not line.strip():
            continue
        try:
            recv, msg = _parse(line)
            check_message(msg)
        except Malformed as exc:
            report.malformed_line(f"{path.name}:{n}", str(exc))
            continue
        yield recv, file_idx, f"{path.name}:{n}", msg
