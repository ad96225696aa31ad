"""Keyframes for a recording made without them (an older file, an import): ``tradeterm index``
plays the recording's market once and writes its keyframes to a side file next to it
(``<name>.ttk``), never touching the recording itself.

The side file is a journal (``frames.py``) holding only keyframe frames; its header names the
recording it belongs to (file name, size, records), and a side file that does not match its
recording (the recording was replaced) is ignored with a warning.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from tradeterm.book.keeper import MarketDataKeeper
from tradeterm.core.bus import MessageBus
from tradeterm.core.views import EngineViews, StatusView
from tradeterm.record.header import instrument_from_dict
from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.journal_writer import JournalWriter
from tradeterm.record.keyframe_delta import FULL_EVERY, KeyframeEncoder
from tradeterm.record.keyframes import market_handlers

log = logging.getLogger(__name__)

SIDE_SUFFIX = ".ttk"
KIND = "keyframes"
NS = 1_000_000_000


def side_path(recording: Path) -> Path:
    return recording.with_name(recording.name + SIDE_SUFFIX)


def market_for(reader: JournalReader) -> MarketDataKeeper:
    """An empty market of the recording's instruments, on a bus of its own."""
    instruments = [instrument_from_dict(d) for d in reader.instruments]
    return MarketDataKeeper(MessageBus(), EngineViews(StatusView("INDEX", "")), instruments)


def _identity(reader: JournalReader) -> dict[str, object]:
    return {"of": reader.path.name, "of_size": reader.size, "of_records": reader.records}


def side_keyframes(reader: JournalReader) -> JournalReader | None:
    """The side file's reader when it belongs to ``reader``'s recording, else None."""
    path = side_path(reader.path)
    if not path.exists():
        return None
    try:
        side = JournalReader(path)
    except JournalError as exc:
        log.warning("%s: not used (%s)", path.name, exc)
        return None
    header = side.header
    if header.get("kind") != KIND or any(header.get(k) != v for k, v in _identity(reader).items()):
        side.close()
        log.warning(
            "%s does not belong to %s as it is now (run tradeterm index again)",
            path.name,
            reader.path.name,
        )
        return None
    return side


def build_side_file(
    reader: JournalReader, interval_s: float, full_every: int = FULL_EVERY
) -> tuple[Path, int]:
    """Play the market of ``reader``'s recording and write a keyframe every ``interval_s``
    of its record times (a full one every ``full_every``, deltas of it between); -> (side
    file, keyframes written). Replaces an older side file."""
    path = side_path(reader.path)
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    market = market_for(reader)
    route = market_handlers(market)
    step = max(1, int(interval_s * NS))
    latest = reader.start_ns or 0
    due = (latest // step + 1) * step
    writer = JournalWriter(tmp, {"kind": KIND, **_identity(reader)})
    keyframes = KeyframeEncoder(full_every)
    try:
        for i in range(len(reader.index)):
            block = reader.readable_block(i)
            if block is None:
                continue
            base = int(reader.index.first_record[i])
            handlers = {t: route(t) for t in set(block.topics)}
            for k, (ts, topic, event) in enumerate(zip(block.times, block.topics, block.events)):
                handler = handlers[topic]
                if handler is not None:
                    handler(event)
                latest = max(latest, ts)
                if latest >= due:
                    payload = keyframes.encode(market, base + k + 1, latest)
                    writer.append_keyframe(payload, latest)
                    due = (latest // step + 1) * step
        count = writer.keyframes
        writer.close({"keyframes": count})
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path, count
