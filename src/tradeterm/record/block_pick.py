"""Some of a journal block's records, picked by topic, without building the others' events.

A block groups its records by event type (and instrument), each group stored as its own columns
(``codec``). Picking the records of some topics (a plain replay's own trading: its commands and
order answers, a few among the market's book and trade records) reads the block's topic column,
decodes only the groups that hold a picked record and steps over the bytes of the others
(their length follows from their descriptors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradeterm.record.codec import BlockDecoder, BlockError
from tradeterm.record.columns import decode_ints, list_decoder, skip_ints


@dataclass(slots=True)
class PickedRecords:
    """The picked records of one block: their position in it, topic and event, in bus order."""

    positions: list[int]
    topics: list[str]
    events: list[Any]


def pick_records(
    decoder: BlockDecoder, compressed: bytes, wanted: Callable[[str], bool], events: bool = True
) -> PickedRecords:
    """The records of block ``compressed`` whose topic is ``wanted`` (records of a type this
    version does not know are left out, as ``decode`` leaves them); ``events`` False: only
    their positions and topics (no group is decoded). Raises BlockError."""
    try:
        return _pick(decoder, decoder.decompress(compressed), wanted, events)
    except BlockError:
        raise
    except Exception as exc:  # as in ``BlockDecoder.decode``: passed its checksum, not a block
        raise BlockError(f"block does not decode: {type(exc).__name__}: {exc}") from None


def _pick(
    decoder: BlockDecoder, payload: bytes, wanted: Callable[[str], bool], events: bool
) -> PickedRecords:
    meta, data = decoder.split(payload)
    n, code_desc, topic_desc, seq_desc, types_meta = meta
    if sum(group[1] for group in types_meta) != n:
        raise BlockError(f"block claims {n} records in groups that do not add up")
    codes, pos = decode_ints(code_desc, n, data, 0, {})
    words, topic_codes = topic_desc
    names = list_decoder(str).decode(words)
    keep = np.array([wanted(name) for name in names], dtype=bool)
    if not keep.any():
        return PickedRecords([], [], [])
    if topic_codes is None:
        picked = np.ones(n, dtype=bool)
        topic_of = np.zeros(n, dtype=np.int64)
    else:
        topic_of, pos = decode_ints(topic_codes, n, data, pos, {})
        picked = keep[topic_of]
    if not events:  # as ``decode`` would build them: not those of a type it cannot build
        lost = [k for k, group in enumerate(types_meta) if not _builds(decoder, *group[:3])]
        if lost:
            picked &= ~np.isin(codes, lost)
        positions = np.flatnonzero(picked).tolist()
        return PickedRecords(positions, [names[int(topic_of[p])] for p in positions], [])
    pos = skip_ints(seq_desc, n, pos)
    groups = set(np.unique(codes[picked]).tolist())
    found: list[tuple[np.ndarray, list[Any]]] = []
    for k, (tag, count, fields, descs, rec_desc) in enumerate(types_meta):
        if k not in groups:
            pos = _skip_group(count, descs, rec_desc, data, pos)
            continue
        built, _recs, pos = decoder.decode_group(tag, count, fields, descs, rec_desc, data, pos)
        if built is None:
            continue  # a type this version does not know
        where = np.flatnonzero(codes == k)  # the group's records, in bus order
        mine = picked[where]
        found.append((where[mine], [e for e, ok in zip(built, mine.tolist()) if ok]))
    if not found:
        return PickedRecords([], [], [])
    at = np.concatenate([where for where, _ in found])
    flat = [e for _, evs in found for e in evs]
    order = np.argsort(at, kind="stable").tolist()
    positions = at[order].tolist()
    return PickedRecords(
        positions,
        [names[int(topic_of[p])] for p in positions],
        [flat[j] for j in order],
    )


def _skip_group(
    count: int, descs: list[Any], rec_desc: list[Any], data: memoryview, pos: int
) -> int:
    """The position after a group's columns (``codec.BlockEncoder._encode_group``)."""
    for desc in descs:
        kind = desc[0]
        if kind == "i":
            pos = skip_ints(desc[1], count, pos)
        elif kind == "o":
            mask, pos = decode_ints(desc[1], count, data, pos, {})
            pos = skip_ints(desc[2], int(mask.sum()), pos)
        elif kind == "l":
            lens, pos = decode_ints(desc[1], count, data, pos, {})
            total = int(lens.sum())
            for item in desc[2]:
                pos = skip_ints(item, total, pos)
        elif kind == "c":
            if desc[2] is not None:
                pos = skip_ints(desc[2], count, pos)
        elif kind not in ("b", "j"):  # a list in the descriptor: no bytes in the data
            raise BlockError(f"unknown column kind {kind!r}")
    return skip_ints(rec_desc, count, pos)


def _builds(decoder: BlockDecoder, tag: str, _count: int, names: list[str]) -> bool:
    """Whether ``decode_group`` builds the events of a group of type ``tag`` stored with fields
    ``names``: a type this version knows, every field it lacks having a default."""
    spec = decoder.reg.by_tag.get(tag)
    return spec is not None and all(f.has_default or f.name in names for f in spec.fields)
