"""Binance combined-stream captures -> a recording.

A capture is one message a line, ``<receive time ns> <JSON>``, gzip or plain text: combined
stream frames (``{"stream": ..., "data": ...}``: depth diffs, trades, bookTicker) and REST depth
snapshots (``{"lastUpdateId": ...}``), spot or USD-M futures. Several captures (one per symbol)
merge into one recording in receive-time order.

The book is synced exactly as Binance documents it ("How to manage a local order book
correctly"), and the recording holds what a live venue following that procedure publishes:

* diffs are buffered until a snapshot; diffs the snapshot already covers are dropped
  (spot ``u <= lastUpdateId``, futures ``u < lastUpdateId``); the first applied diff straddles
  the snapshot (spot ``U <= lastUpdateId + 1 <= u``, futures ``U <= lastUpdateId <= u``);
* after that every diff continues the previous one (spot ``U == previous u + 1``, futures
  ``pu == previous u``). A break is a gap: it is reported, the breaking diff is recorded (so
  the replayed book marks itself unsynced), the venue status turns RESYNCING, and diffs are
  buffered again until a later snapshot.

Lines that do not parse are counted and reported with their line numbers, never dropped
silently. Exchange update ids stay on every book event.
"""

from __future__ import annotations

import gzip
import heapq
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from tradeterm.core import topics
from tradeterm.domain.events import ConnectionState, VenueStatus
from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.domain.market import BookDelta, BookSnapshot, TopOfBook, Trade
from tradeterm.record.header import session_header
from tradeterm.record.journal import JournalWriter
from tradeterm.venues.binance_messages import BinanceDecoder, UnknownMessage, binance_instrument

BLOCK_RECORDS = 32_768
LOT = "0.00000001"  # Binance's string precision: book sizes aggregate finer than the order step
QUOTES = ("FDUSD", "USDT", "USDC", "BUSD", "TUSD", "DAI", "BTC", "ETH", "BNB", "EUR", "TRY",
          "BRL", "JPY", "GBP", "USD")
EXAMPLES = 5


class CaptureError(Exception):
    """A capture that cannot be imported as asked, phrased for the trader."""


@dataclass
class CaptureScan:
    """What a first pass over one capture found."""

    path: Path
    symbols: dict[str, int] = field(default_factory=dict)  # symbol -> price decimals seen
    snapshot_decimals: int = -1  # price decimals in the REST snapshot(s): the book's own grid
    snapshots: int = 0
    futures: bool = False
    depth: int = 0


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


def split_symbol(symbol: str) -> tuple[str, str]:
    for quote in QUOTES:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)], quote
    return symbol, ""


def instrument_for(symbol: str, price_decimals: int, venue: str) -> Instrument:
    base, quote = split_symbol(symbol)
    tick = str(Decimal(1).scaleb(-price_decimals)) if price_decimals else "1"
    return binance_instrument(f"{base}/{quote}" if quote else base, base, quote or "?", tick, LOT,
                              venue=venue)


class BookSync:
    """The documented snapshot + diff procedure for one symbol. Says what to publish."""

    def __init__(self, inst: Instrument, futures: bool, report: ImportReport) -> None:
        self.inst = inst
        self.futures = futures
        self.report = report
        self.synced = False
        self.fresh = False  # synced from a snapshot, no diff applied yet
        self.last_u = -1
        self.buffer: list[BookDelta] = []
        self.ever_synced = False

    def _stale(self, delta: BookDelta, last: int) -> bool:
        return delta.last_update_id < last if self.futures else delta.last_update_id <= last

    def _straddles(self, delta: BookDelta, last: int) -> bool:
        if self.futures:
            return delta.first_update_id <= last <= delta.last_update_id
        return delta.first_update_id <= last + 1 <= delta.last_update_id

    def _continues(self, delta: BookDelta, last: int) -> bool:
        if self.futures:
            return delta.prev_update_id == last
        return delta.first_update_id == last + 1

    def _gap(self, why: str) -> None:
        self.report.gaps.append(f"{self.inst.symbol}: {why}; book unsynced until a later snapshot")
        self.synced = False
        self.fresh = False
        self.buffer = []

    def on_diff(self, delta: BookDelta) -> list[BookDelta]:
        if not self.synced:
            self.buffer.append(delta)
            return []
        last = self.last_u
        if self.fresh:
            if self._stale(delta, last):
                self.report.stale_diffs += 1
                return []
            ok = self._straddles(delta, last)
        else:
            ok = self._continues(delta, last)
        if ok:
            self.fresh = False
            self.last_u = delta.last_update_id
            return [delta]
        expected = f"pu={last}" if self.futures and not self.fresh else f"U={last + 1}"
        got = f"pu={delta.prev_update_id}" if self.futures and not self.fresh else \
            f"U={delta.first_update_id}"
        self._gap(f"gap in update ids at receive time {delta.ts_recv} "
                  f"(expected {expected}, got {got})")
        return [delta]  # recorded so that the replayed book sees the gap itself

    def on_snapshot(self, snap: BookSnapshot) -> list[BookDelta] | None:
        """The diffs to publish right after the snapshot, or None if the snapshot does not
        connect to the diff stream (then it is not published either)."""
        last = snap.update_id
        if self.synced:  # a further snapshot while in sync: restart from it
            self.last_u, self.fresh = last, True
            return []
        kept: list[BookDelta] = []
        for delta in self.buffer:
            if self._stale(delta, last):
                self.report.stale_diffs += 1
                continue
            if not (self._straddles(delta, last) if not kept
                    else self._continues(delta, kept[-1].last_update_id)):
                where = "first" if not kept else f"after update {kept[-1].last_update_id} the"
                self.report.gaps.append(
                    f"{self.inst.symbol}: the snapshot at update {last} does not connect to the "
                    f"buffered diffs ({where} diff has U={delta.first_update_id}); waiting for "
                    "a later snapshot")
                self.buffer = [d for d in self.buffer if not self._stale(d, last)]
                return None
            kept.append(delta)
        self.buffer = []
        self.synced = True
        self.ever_synced = True
        self.fresh = not kept
        self.last_u = kept[-1].last_update_id if kept else last
        return kept


class _Out:
    """Buffers records into blocks of the journal."""

    def __init__(self, writer: JournalWriter, report: ImportReport) -> None:
        self.writer = writer
        self.report = report
        self.seqs: list[int] = []
        self.recs: list[int] = []
        self.topics: list[str] = []
        self.msgs: list[Any] = []
        self.seq = 0

    def add(self, rec: int, topic: str, msg: Any) -> None:
        self.seq += 1
        self.seqs.append(self.seq)
        self.recs.append(rec)
        self.topics.append(topic)
        self.msgs.append(msg)
        name = type(msg).__name__
        self.report.counts[name] = self.report.counts.get(name, 0) + 1
        if len(self.msgs) >= BLOCK_RECORDS:
            self.flush()

    def flush(self) -> None:
        self.writer.write_block(self.seqs, self.recs, self.topics, self.msgs)
        self.seqs, self.recs, self.topics, self.msgs = [], [], [], []


def import_binance(captures: list[Path], output: Path, trades_only: bool = False,
                   level: int = 19) -> ImportReport:
    """Import ``captures`` into a new recording at ``output``. Raises CaptureError."""
    scans = [scan_capture(p) for p in captures]
    futures = {s.futures for s in scans if s.depth}
    if len(futures) > 1:
        raise CaptureError("the captures mix spot and USD-M futures; import them separately")
    is_futures = futures == {True}
    venue = "binanceusdm" if is_futures else "binance"
    symbols: dict[str, int] = {}
    for scan in scans:
        if not scan.symbols:
            raise CaptureError(f"{scan.path} holds no Binance stream messages")
        if scan.snapshots and len(scan.symbols) > 1:
            raise CaptureError(f"{scan.path} has a depth snapshot but several symbols "
                               f"({', '.join(sorted(scan.symbols))}); a REST snapshot names no "
                               "symbol, so capture one symbol per file")
        if scan.depth and not scan.snapshots and not trades_only:
            raise CaptureError(
                f"{scan.path} has no REST depth snapshot, so its depth diffs cannot give a book "
                "(Binance diffs only update a book that starts from a snapshot). Capture again "
                "with a snapshot, or pass --trades-only to import just trades and best bid/ask")
        for sym, dec in scan.symbols.items():
            # the snapshot's full book sets the price grid; without one, every price seen does
            dec = scan.snapshot_decimals if scan.snapshot_decimals >= 0 else dec
            symbols[sym] = max(symbols.get(sym, 0), dec)
    instruments = {sym: instrument_for(sym, dec, venue) for sym, dec in sorted(symbols.items())}
    file_symbol = {i: next(iter(s.symbols)) for i, s in enumerate(scans)}
    report = ImportReport(instruments=[i.id for i in instruments.values()], venue=venue)
    decoder = BinanceDecoder(list(instruments.values()))
    syncs = {sym: BookSync(inst, is_futures, report) for sym, inst in instruments.items()}
    header = session_header("import", venue, list(instruments.values()), 0,
                            source={"kind": "binance-capture",
                                    "files": [p.name for p in captures]},
                            trades_only=trades_only)
    try:
        writer = JournalWriter(output, header, level=level)
    except FileExistsError:
        raise CaptureError(f"{output} already exists; choose another name or remove it") from None
    except OSError as exc:
        raise CaptureError(f"cannot write {output}: {exc.strerror or exc}") from None
    out = _Out(writer, report)
    status_topic = topics.venue_status(venue)
    started = False

    def status(rec: int, state: ConnectionState, detail: str) -> None:
        out.add(rec, status_topic, VenueStatus(rec, rec, venue, state, detail))

    streams = [_messages(i, p, report) for i, p in enumerate(captures)]
    try:
        for recv, file_idx, where, msg in heapq.merge(*streams):
            if not started:
                status(recv, ConnectionState.CONNECTED, "imported Binance capture")
                started = True
            try:
                if "lastUpdateId" in msg:
                    if trades_only:
                        continue
                    sym = file_symbol[file_idx]
                    sync = syncs[sym]
                    snap = decoder.snapshot(instruments[sym], msg, recv)
                    was_synced, resync = sync.ever_synced, not sync.synced
                    kept = sync.on_snapshot(snap)
                    if kept is not None:
                        out.add(recv, topics.book(snap.instrument), snap)
                        for delta in kept:
                            out.add(recv, topics.book(delta.instrument), delta)
                        if was_synced and resync:
                            status(recv, ConnectionState.CONNECTED, f"{sym} resynced")
                    continue
                data = msg.get("data", msg)
                event = decoder.decode(data, recv)
            except UnknownMessage as exc:
                kind = str(msg.get("stream") or exc)
                report.unhandled[kind] = report.unhandled.get(kind, 0) + 1
                continue
            except (KeyError, TypeError, ValueError, IndexError, PrecisionError,
                    AttributeError) as exc:
                report.malformed_line(where, f"{type(exc).__name__}: {exc}")
                continue
            if isinstance(event, BookDelta):
                if trades_only:
                    report.skipped_depth += 1
                    continue
                sync = syncs[event.instrument.split(":", 1)[1].replace("/", "")]
                was_synced = sync.synced
                for delta in sync.on_diff(event):
                    out.add(recv, topics.book(delta.instrument), delta)
                if was_synced and not sync.synced:
                    status(recv, ConnectionState.RESYNCING, sync.report.gaps[-1])
            elif isinstance(event, Trade):
                out.add(recv, topics.trade(event.instrument), event)
            elif isinstance(event, TopOfBook):
                out.add(recv, topics.quote(event.instrument), event)
    finally:
        for sync in syncs.values():
            report.unapplied_diffs += len(sync.buffer)
        out.flush()
        report.records = out.seq
        writer.close({"import": report.to_json()})
    return report


def _messages(file_idx: int, path: Path,
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
