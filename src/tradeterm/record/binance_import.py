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

Reading the files is ``binance_capture.py``, the book procedure ``binance_book_sync.py``, the
report ``import_report.py``.
"""

from __future__ import annotations

import heapq
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradeterm.core import topics
from tradeterm.domain.events import ConnectionState, VenueStatus
from tradeterm.domain.instruments import Instrument, PrecisionError
from tradeterm.domain.market import BookDelta, TopOfBook, Trade
from tradeterm.record.binance_book_sync import BookSync
from tradeterm.record.binance_capture import capture_messages, scan_capture
from tradeterm.record.binance_shapes import Malformed, check_event
from tradeterm.record.header import session_header
from tradeterm.record.import_report import CaptureError, ImportReport
from tradeterm.record.journal_writer import JournalWriter
from tradeterm.venues.binance_messages import BinanceDecoder, UnknownMessage, binance_instrument

BLOCK_RECORDS = 32_768
LOT = "0.00000001"  # Binance's string precision: book sizes aggregate finer than the order step
QUOTES = (
    "FDUSD",
    "USDT",
    "USDC",
    "BUSD",
    "TUSD",
    "DAI",
    "BTC",
    "ETH",
    "BNB",
    "EUR",
    "TRY",
    "BRL",
    "JPY",
    "GBP",
    "USD",
)


def split_symbol(symbol: str) -> tuple[str, str]:
    for quote in QUOTES:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)], quote
    return symbol, ""


def instrument_for(symbol: str, price_decimals: int, venue: str) -> Instrument:
    base, quote = split_symbol(symbol)
    tick = str(Decimal(1).scaleb(-price_decimals)) if price_decimals else "1"
    return binance_instrument(
        f"{base}/{quote}" if quote else base, base, quote or "?", tick, LOT, venue=venue
    )


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


def import_binance(
    captures: list[Path], output: Path, trades_only: bool = False, level: int = 19
) -> ImportReport:
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
            raise CaptureError(
                f"{scan.path} has a depth snapshot but several symbols "
                f"({', '.join(sorted(scan.symbols))}); a REST snapshot names no "
                "symbol, so capture one symbol per file"
            )
        if scan.depth and not scan.snapshots and not trades_only and scan.bad_snapshot:
            raise CaptureError(
                f"{scan.path} has no usable REST depth snapshot (malformed at "
                f"{scan.bad_snapshot}), so its depth diffs cannot give a book; fix or capture it "
                "again, or pass --trades-only to import just trades and best bid/ask"
            )
        if scan.depth and not scan.snapshots and not trades_only:
            raise CaptureError(
                f"{scan.path} has no REST depth snapshot, so its depth diffs cannot give a book "
                "(Binance diffs only update a book that starts from a snapshot). Capture again "
                "with a snapshot, or pass --trades-only to import just trades and best bid/ask"
            )
        for sym, dec in scan.symbols.items():
            # the snapshot's full book sets the price grid; without one, every price seen does
            dec = scan.snapshot_decimals if scan.snapshot_decimals >= 0 else dec
            symbols[sym] = max(symbols.get(sym, 0), dec)
    instruments = {sym: instrument_for(sym, dec, venue) for sym, dec in sorted(symbols.items())}
    file_symbol = {i: next(iter(s.symbols)) for i, s in enumerate(scans)}
    report = ImportReport(instruments=[i.id for i in instruments.values()], venue=venue)
    decoder = BinanceDecoder(list(instruments.values()))
    syncs = {sym: BookSync(inst, is_futures, report) for sym, inst in instruments.items()}
    header = session_header(
        "import",
        venue,
        list(instruments.values()),
        0,
        source={"kind": "binance-capture", "files": [p.name for p in captures]},
        trades_only=trades_only,
    )
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

    streams = [capture_messages(i, p, report) for i, p in enumerate(captures)]
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
                    check_event(snap)
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
                check_event(event)
            except UnknownMessage as exc:
                kind = str(msg.get("stream") or exc)
                report.unhandled[kind] = report.unhandled.get(kind, 0) + 1
                continue
            except Malformed as exc:
                report.malformed_line(where, str(exc))
                continue
            except (
                KeyError,
                TypeError,
                ValueError,
                IndexError,
                PrecisionError,
                AttributeError,
            ) as exc:
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
