"""Reading a session as it happened on the bus, replayed market data included.

A replay's journal holds its own messages and ``ReplaySpan`` records that stand for runs of the
source recording's records (see ``records.py``). ``session_records`` expands the spans from the
source, applying the same topic rules the replayer applied, so the reader sees every bus message
of the session in sequence order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tradeterm.record.journal import JournalError, JournalReader
from tradeterm.record.records import ReplaySpan
from tradeterm.record.replay_topics import replayed_topic

Record = tuple[int, int, str, Any]  # seq, time, topic, event


def source_reader(reader: JournalReader, source: Path | None = None) -> JournalReader | None:
    """The recording a replay journal replayed, or None if it is not a replay journal."""
    info = reader.header.get("source")
    if not isinstance(info, dict) or "path" not in info:
        return None
    path = Path(source) if source is not None else Path(info["path"])
    if not path.exists():
        raise JournalError(
            f"{reader.path.name} is a replay of {info['path']}, which is not "
            "there any more; pass the source recording's new path"
        )
    src = JournalReader(path, skip_damaged=reader.skip_damaged)
    if src.records != info.get("records"):
        src.close()
        raise JournalError(
            f"{path} is not the recording {reader.path.name} replayed "
            f"({src.records} records, expected {info.get('records')})"
        )
    return src


def session_records(reader: JournalReader, source: Path | None = None) -> Iterator[Record]:
    """Every bus message of the session, replay spans expanded."""
    src = source_reader(reader, source)
    market_only = bool(src is not None and reader.header["source"].get("filter") == "market")
    last: dict[int, Any] = {}  # the source block read last: consecutive spans share blocks
    try:
        for seq, ts, topic, event in reader.records_iter():
            if type(event) is ReplaySpan:
                if src is None:
                    continue
                yield from _expand(src, event, seq, market_only, last)
            else:
                yield seq, ts, topic, event
    finally:
        if src is not None:
            reader.lost.extend(src.lost)  # the source's skipped blocks are the session's loss
            src.close()


def _expand(
    src: JournalReader, span: ReplaySpan, seq: int, market_only: bool, last: dict[int, Any]
) -> Iterator[Record]:
    block_i, pos = src.locate(span.first)
    remaining = span.count
    published = 0
    while remaining > 0 and block_i < len(src.index):
        block = last.get(block_i)
        if block is None:
            block = src.readable_block(block_i)
            last.clear()
            if block is not None:
                last[block_i] = block
        if block is None:  # damaged and skipped: its records are lost
            remaining -= min(remaining, int(src.index.records[block_i]) - pos)
            block_i, pos = block_i + 1, 0
            continue
        end = min(len(block), pos + remaining)
        for k in range(pos, end):
            topic = replayed_topic(block.topics[k], market_only)
            if topic is None:
                continue
            yield seq + published, block.times[k], topic, block.events[k]
            published += 1
        remaining -= end - pos
        block_i, pos = block_i + 1, 0
