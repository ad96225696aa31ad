"""Wiring helpers the kernel uses to add recording and replay to a session's graph."""

from __future__ import annotations

import logging
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.config import Settings
from tradeterm.core.bus import MessageBus
from tradeterm.core.clock import Clock
from tradeterm.core.views import EngineViews
from tradeterm.domain.events import ConnectionState
from tradeterm.domain.instruments import Instrument
from tradeterm.record.header import recording_path, session_header
from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.paper_branch import SourceMarker
from tradeterm.record.recorder import Recorder
from tradeterm.record.replay_navigation import ReplayNavigator
from tradeterm.record.replayer import ReplayVenue

log = logging.getLogger(__name__)


def open_source(path: Path, skip_damaged: bool = False) -> JournalReader:
    """Open a recording to replay. Raises JournalError with a reason the trader can act on."""
    reader = JournalReader(path, skip_damaged=skip_damaged)
    if reader.damaged_at is not None:
        log.warning(
            "%s: %s; replaying the %d records before it", path.name, reader.damage, reader.records
        )
    try:
        replayable(reader)
    except JournalError:
        reader.close()
        raise
    return reader


def replayable(reader: JournalReader) -> None:
    """Raise JournalError unless the recording has records and names its instruments."""
    if not reader.records:
        raise JournalError(f"{reader.path} holds no records to replay")
    if not reader.instruments:
        raise JournalError(f"{reader.path} names no instruments in its header")


def source_info(reader: JournalReader, market_only: bool) -> dict[str, Any]:
    return {
        "path": str(reader.path.resolve()),
        "records": reader.records,
        "start_ns": reader.start_ns,
        "end_ns": reader.end_ns,
        "size": reader.size,
        "filter": "market" if market_only else "all",
    }


def build_recorder(
    bus: MessageBus,
    clock: Clock,
    cfg: Any,
    directory: Path,
    mode: str,
    venue: str,
    path: Path | None,
    wall_flush: bool,
    market: Any = None,
) -> Recorder:
    """``market``: the session's ``MarketDataKeeper``, for keyframes (None in a replay: its
    source holds the market, and its own journal only what the session added)."""
    start = clock.timestamp_ns()
    target = path or recording_path(directory, mode, venue, start)
    return Recorder(
        bus,
        clock,
        target,
        flush_ns=cfg.flush_ms * 1_000_000,
        block_records=cfg.block_records,
        level=cfg.compression_level,
        wall_flush=wall_flush,
        fsync_seconds=cfg.fsync_seconds,
        market=market,
        keyframe_ns=int(cfg.keyframe_interval_s * 1_000_000_000),
    )


def start_recording(
    recorder: Recorder,
    mode: str,
    venue: str,
    instruments: list[Instrument],
    start_ns: int,
    config: dict[str, Any],
    seed: int | None,
    replay: ReplayVenue | None,
) -> bool:
    """Write the header; on failure say why and go on without a journal."""
    extra: dict[str, Any] = {}
    if replay is not None:
        extra["source"] = source_info(replay.reader, replay.market_only)
    header = session_header(mode, venue, instruments, start_ns, config, seed, **extra)
    try:
        recorder.start(header)
    except (OSError, FileExistsError) as exc:
        recorder.failed = f"not recording: cannot create {recorder.path}: {exc}"
        log.error(recorder.failed)
        return False
    log.debug("recording to %s", recorder.path)  # not on the bus: the path differs per run
    return True


def wire_replay(
    replay: ReplayVenue,
    recorder: Recorder | None,
    market: MarketDataKeeper,
    views: EngineViews,
    bus: MessageBus,
    large_trade: Decimal = Decimal("1"),
) -> None:
    """A replay in a session: its own journal's recorder, the keeper it seeks with (back and
    forth, from keyframes), its navigation (fills, orders, large trades of at least
    ``large_trade`` base units, bookmarks), the recorded log lines into the log view, and
    (``--paper``) the count of working orders that ``o`` waits on."""
    # told each source record published (``standing``): the recorder, else a stand-in
    replay.recorder = recorder if recorder is not None else SourceMarker()
    replay.recorder.source_index = -1  # nothing played yet
    replay.attach_market(market)
    # a recording is always there to read: connected from the start, whether its first records
    # (the recorded venue's own CONNECTED) are played or a seek jumps past them; recorded
    # changes of the connection still show as they are played
    views.status.connection = ConnectionState.CONNECTED
    lots = {i.id: _lots_at_least(i, large_trade) for i in replay.instruments()}
    replay.navigator = ReplayNavigator(replay, lots)
    bus.subscribe("replay.log", views.log.append, essential=False)
    orders = views.orders
    replay.working_orders = lambda: sum(not o.is_terminal for o in orders.orders.values())


def _lots_at_least(instrument: Instrument, qty: Decimal) -> int:
    return max(1, int((qty / instrument.lot_size).to_integral_value(ROUND_CEILING)))


def session_recording(
    settings: Settings,
    bus: MessageBus,
    clock: Clock,
    market: MarketDataKeeper,
    views: EngineViews,
    mode: str,
    venue: str,
    replay: ReplayVenue | None,
    path: Path | None,
    interactive: bool,
    record: bool = True,
) -> Recorder | None:
    """The session's recorder (None when ``[record]`` is off), subscribed after the keeper so a
    keyframe sees the message just recorded applied; a replay's wiring (``wire_replay``). On
    the wall clock, or in a TUI, the journal is flushed on wall time too. ``record`` False: no
    recorder (``--no-record``), a replay still wired."""
    recorder = None
    if record and settings.record.enabled:
        recorder = build_recorder(
            bus,
            clock,
            settings.record,
            settings.recordings_dir(),
            mode,
            venue,
            path,
            wall_flush=interactive or not clock.is_simulated,
            market=market if replay is None else None,
        )
    if replay is not None:
        wire_replay(replay, recorder, market, views, bus, settings.replay.large_trade)
    return recorder
