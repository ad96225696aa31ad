"""One journal block <-> a run of bus records (sequence number, time, topic, event).

A block stores its records column by column: the record-level columns (type, topic, sequence
number) for the whole block, then per event type one column per field (``schema.FieldSpec``)
plus the record time ``_rec``. Blocks are self-describing (they carry their field names), so a
journal written before a field or type was added still decodes: missing fields take their
defaults, unknown types are counted and skipped.

The column bytes are compressed together with zstd.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np
import zstandard

from tradeterm.record.columns import (
    REL,
    decode_cat,
    decode_ints,
    encode_cat,
    encode_ints,
    list_decoder,
)
from tradeterm.record.schema import (
    KIND_CAT,
    KIND_INT,
    KIND_LEVELS,
    KIND_OPTINT,
    FieldSpec,
    Registry,
    TypeSpec,
    registry,
)

_META_LEN = struct.Struct("<I")
MAX_BLOCK_RECORDS = 1 << 22  # far above any writer's block size: more is a damaged count
_EMPTY = np.empty(0, dtype=np.int64)


class BlockError(ValueError):
    """A block that does not decode (corrupt data or an incompatible schema)."""


@dataclass(slots=True)
class DecodedBlock:
    """The records of one block, in bus order."""

    times: list[int]
    topics: list[str]
    events: list[Any]
    seq: np.ndarray
    skipped: dict[str, int] = field(default_factory=dict)  # unknown type tag -> records

    def __len__(self) -> int:
        return len(self.events)


class BlockEncoder:
    def __init__(self, reg: Registry | None = None, level: int = 3) -> None:
        self.reg = reg or registry()
        self._msgpack = msgspec.msgpack.Encoder()
        self._zstd = zstandard.ZstdCompressor(level=level)
        self.unrecordable: dict[str, int] = {}  # type name -> messages left out

    def encode(
        self, seqs: list[int], recs: list[int], topics: list[str], msgs: list[Any]
    ) -> tuple[bytes, int]:
        """-> (compressed block, records stored). Messages of no recordable type are counted in
        ``unrecordable`` and left out (the recorder logs them)."""
        reg = self.reg
        class_arr = np.empty(len(msgs), dtype=object)
        class_arr[:] = list(map(type, msgs))
        classes = set(class_arr.tolist())
        distinct: list[Any] = list(classes)
        codes = np.zeros(len(msgs), dtype=np.int64)
        if len(classes) > 1:  # codes in order of first appearance: the same input, same bytes
            masks = {cls: class_arr == cls for cls in classes}
            distinct = sorted(classes, key=lambda cls: int(masks[cls].argmax()))
            for k, cls in enumerate(distinct):
                codes[masks[cls]] = k
        code_of = {cls: k for k, cls in enumerate(distinct)}
        specs: list[TypeSpec | None] = []
        keep = None
        for cls, code in code_of.items():
            spec = reg.by_cls.get(cls)
            if (
                spec is None
                and isinstance(cls, type)
                and issubclass(cls, msgspec.Struct)
                and isinstance(cls.__struct_config__.tag, str)
            ):
                spec = reg.add(cls)  # a tagged Struct defined outside domain/ (a plug-in)
            if spec is None:
                name = f"{cls.__module__}.{cls.__qualname__}"
                dropped = int((codes == code).sum())
                self.unrecordable[name] = self.unrecordable.get(name, 0) + dropped
                keep = codes != code if keep is None else keep & (codes != code)
            specs.append(spec)
        if keep is not None:
            idx = np.flatnonzero(keep)
            seqs = [seqs[i] for i in idx]
            recs = [recs[i] for i in idx]
            topics = [topics[i] for i in idx]
            msgs = [msgs[i] for i in idx]
            codes = codes[idx]
            present = [k for k, s in enumerate(specs) if s is not None]
            remap = np.zeros(len(specs), dtype=np.int64)
            remap[present] = np.arange(len(present))
            codes = remap[codes]
        kept = [s for s in specs if s is not None]
        n = len(msgs)
        obj = np.empty(n, dtype=object)
        obj[:] = msgs
        rec_arr = np.array(recs, dtype=np.int64)
        # one group per type and instrument: columns of one instrument's prices delta well
        groups: list[tuple[Any, np.ndarray]] = []
        for k, spec in enumerate(kept):
            idx = np.flatnonzero(codes == k) if len(kept) > 1 else np.arange(n)
            if "instrument" in spec.field_names and idx.size > 1:
                names = np.empty(idx.size, dtype=object)
                names[:] = list(map(_instrument, obj[idx].tolist()))
                table = sorted(set(names.tolist()), key=str)
                if len(table) > 1:
                    groups.extend((spec, idx[names == _as_object(name)]) for name in table)
                    continue
            groups.append((spec, idx))
        group_codes = np.empty(n, dtype=np.int64)
        for g, (_, idx) in enumerate(groups):
            group_codes[idx] = g
        out: list[bytes] = []
        meta: list[Any] = [
            n,
            encode_ints(group_codes, (), out),
            encode_cat(topics, out, self._msgpack),
            encode_ints(np.array(seqs, dtype=np.int64), (), out),
        ]
        types_meta = []
        for spec, idx in groups:
            group = obj[idx].tolist() if len(groups) > 1 else msgs
            types_meta.append(self._encode_group(spec.tag, spec.fields, group, rec_arr[idx], out))
        meta.append(types_meta)
        head = self._msgpack.encode(meta)
        payload = b"".join([_META_LEN.pack(len(head)), head, *out])
        return self._zstd.compress(payload), n

    def _encode_group(
        self, tag: str, fields: tuple[FieldSpec, ...], group: list[Any], recs: Any, out: list[bytes]
    ) -> list[Any]:
        ints: dict[str, list[tuple[int, np.ndarray]]] = {}  # group -> (field index, column)
        descs = []
        for i, f in enumerate(fields):
            values = list(map(attrgetter(f.name), group))
            descs.append(self._encode_field(i, f, values, ints, out))
        rec = np.asarray(recs, dtype=np.int64)
        rec_desc = encode_ints(rec, ints.get("ts", ()), out)
        return [tag, len(group), [f.name for f in fields], descs, rec_desc]

    def _encode_field(
        self,
        i: int,
        f: FieldSpec,
        values: list[Any],
        ints: dict[str, list[tuple[int, np.ndarray]]],
        out: list[bytes],
    ) -> list[Any]:
        kind = f.kind
        mark = len(out)
        try:
            if kind == KIND_INT:
                x = np.array(values, dtype=np.int64)
                desc = encode_ints(x, ints.get(f.group, ()), out)
                ints.setdefault(f.group, []).append((i, x))
                return ["i", desc]
            if kind == KIND_OPTINT:
                mask = np.array([v is not None for v in values], dtype=np.int64)
                present = np.array([v for v in values if v is not None], dtype=np.int64)
                return ["o", encode_ints(mask, (), out), encode_ints(present, (), out)]
            if kind == KIND_LEVELS:
                lens = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
                flat = np.array(list(chain.from_iterable(values)), dtype=np.int64)
                flat = flat.reshape(-1, f.width) if f.width > 1 else flat.reshape(-1, 1)
                lens_desc = encode_ints(lens, (), out)
                items = [
                    encode_ints(np.ascontiguousarray(flat[:, k]), (), out)
                    for k in range(flat.shape[1])
                ]
                return ["l", lens_desc, items]
            if kind == KIND_CAT:
                return ["c", *encode_cat(values, out, self._msgpack)]
        except (OverflowError, TypeError, ValueError):
            del out[mark:]  # e.g. an integer beyond 64 bits: store the values as a list
        try:
            return ["b", self._msgpack.encode(values)]
        except OverflowError:
            return ["j", msgspec.json.encode(values)]  # JSON has no integer size limit


class BlockDecoder:
    def __init__(self, reg: Registry | None = None) -> None:
        self.reg = reg or registry()
        self._zstd = zstandard.ZstdDecompressor()
        self._meta = msgspec.msgpack.Decoder()

    def decompress(self, compressed: bytes) -> bytes:
        try:
            return self._zstd.decompress(compressed)
        except zstandard.ZstdError as exc:
            raise BlockError(f"block does not decompress: {exc}") from None

    def decode(self, compressed: bytes) -> DecodedBlock:
        try:
            return self._decode(self.decompress(compressed))
        except BlockError:
            raise
        except Exception as exc:  # the bytes passed their checksum yet are not a block: any
            # failure of the column decoders (struct, numpy, msgspec, a huge count) means that
            raise BlockError(f"block does not decode: {type(exc).__name__}: {exc}") from None

    def topics(self, compressed: bytes) -> list[str]:
        """Only the topic of each record (no event is built): for finding records by topic."""
        try:
            meta, data = self.split(self.decompress(compressed))
            n, code_desc, topic_desc = meta[0], meta[1], meta[2]
            _codes, pos = decode_ints(code_desc, n, data, 0, {})
            topics, _ = decode_cat(topic_desc, n, data, pos, str)
        except BlockError:
            raise
        except Exception as exc:  # as in ``decode``: passed its checksum, yet not a block
            raise BlockError(f"block does not decode: {type(exc).__name__}: {exc}") from None
        return [topics[1]] * n if isinstance(topics, tuple) else topics

    def split(self, payload: bytes) -> tuple[Any, memoryview]:
        """A decompressed block's head (record count, column descriptors) and column data."""
        (head_len,) = _META_LEN.unpack_from(payload, 0)
        view = memoryview(payload)
        return self._meta.decode(view[4 : 4 + head_len]), view[4 + head_len :]

    def _decode(self, payload: bytes) -> DecodedBlock:
        meta, data = self.split(payload)
        n, code_desc, topic_desc, seq_desc, types_meta = meta
        if not 0 <= n <= MAX_BLOCK_RECORDS or sum(group[1] for group in types_meta) != n:
            raise BlockError(f"block claims {n} records in groups that do not add up")
        pos = 0
        codes, pos = decode_ints(code_desc, n, data, pos, {})
        topics, pos = decode_cat(topic_desc, n, data, pos, str)
        seq, pos = decode_ints(seq_desc, n, data, pos, {})
        if isinstance(topics, tuple):
            topics = [topics[1]] * n
        skipped: dict[str, int] = {}
        parts = []
        for k, (tag, count, names, descs, rec_desc) in enumerate(types_meta):
            events, recs, pos = self.decode_group(tag, count, names, descs, rec_desc, data, pos)
            if events is None:
                skipped[tag] = skipped.get(tag, 0) + count
            parts.append((k, events, recs))
        if len(parts) == 1:
            _, events, recs = parts[0]
            if events is not None:
                return DecodedBlock(recs.tolist(), topics, events, seq, skipped)
        keep = np.ones(n, dtype=bool)
        ev_arr = np.empty(n, dtype=object)
        times = np.empty(n, dtype=np.int64)
        for k, events, recs in parts:
            mask = codes == k
            if events is None:
                keep &= ~mask
                continue
            ev_arr[mask] = events
            times[mask] = recs
        if not keep.all():
            ev_arr, times, seq = ev_arr[keep], times[keep], seq[keep]
            topics = [t for t, ok in zip(topics, keep.tolist()) if ok]
        return DecodedBlock(times.tolist(), topics, ev_arr.tolist(), seq, skipped)

    def decode_group(
        self,
        tag: str,
        count: int,
        names: list[str],
        descs: list[Any],
        rec_desc: list[Any],
        data: memoryview,
        pos: int,
    ) -> tuple[list[Any] | None, np.ndarray, int]:
        spec = self.reg.by_tag.get(tag)
        annotations = {f.name: f for f in spec.fields} if spec is not None else {}
        ints: dict[int, np.ndarray] = {}
        columns: dict[str, Any] = {}
        lists: dict[int, list[Any]] = {}  # id(array) -> its list: identical columns share one

        def as_list(arr: np.ndarray) -> list[Any]:
            got = lists.get(id(arr))
            if got is None:
                got = lists[id(arr)] = arr.tolist()
            return got

        for i, (name, desc) in enumerate(zip(names, descs)):
            kind = desc[0]
            f = annotations.get(name)
            if kind == "i":
                arr, pos = _decode_int_column(desc[1], count, data, pos, ints)
                ints[i] = arr
                columns[name] = arr
            elif kind == "o":
                mask, pos = decode_ints(desc[1], count, data, pos, {})
                present, pos = decode_ints(desc[2], int(mask.sum()), data, pos, {})
                col = np.full(count, None, dtype=object)
                col[mask.astype(bool)] = present.tolist()
                columns[name] = col.tolist()
            elif kind == "l":
                lens, pos = decode_ints(desc[1], count, data, pos, {})
                total = int(lens.sum())
                items = []
                for item_desc in desc[2]:
                    col, pos = decode_ints(item_desc, total, data, pos, {})
                    items.append(col.tolist())
                flat = items[0] if len(items) == 1 else list(zip(*items))
                ends = np.cumsum(lens).tolist()
                starts = [0, *ends[:-1]]
                columns[name] = [flat[a:b] for a, b in zip(starts, ends)]
            elif kind == "c":
                ann = f.annotation if f is not None else Any
                values, pos = decode_cat(desc[1:], count, data, pos, ann)
                columns[name] = values
            elif kind == "b":
                ann = f.annotation if f is not None else Any
                columns[name] = list_decoder(ann).decode(desc[1])
            elif kind == "j":
                ann = f.annotation if f is not None else Any
                columns[name] = msgspec.json.decode(desc[1], type=list[ann])  # type: ignore[valid-type]
            else:
                raise BlockError(f"unknown column kind {kind!r}")
        recs, pos = _decode_int_column(rec_desc, count, data, pos, ints)
        if spec is None:
            return None, recs, pos
        args: list[Any] = []
        for f in spec.fields:
            column = columns.get(f.name)
            if column is None:
                if not f.has_default:
                    return None, recs, pos  # written by an incompatible version: skip the type
                args.append(repeat(f.default, count))
            elif isinstance(column, np.ndarray):
                args.append(as_list(column))
            elif isinstance(column, tuple):
                args.append(repeat(column[1], count))
            else:
                args.append(column)
        return list(map(spec.cls, *args)), recs, pos


_instrument = attrgetter("instrument")


def _as_object(value: Any) -> np.ndarray:
    """``value`` as a 0-d object array, so comparing an object array with it compares Python
    objects: numpy would turn a plain str into ``np.str_``, which drops trailing NULs (and an
    instrument "X\\0" would then match nothing and its records vanish from the block)."""
    box = np.empty((), dtype=object)
    box[()] = value
    return box


def _decode_int_column(
    desc: list[Any], count: int, data: memoryview, pos: int, ints: dict[int, np.ndarray]
) -> tuple[np.ndarray, int]:
    tf, ref_idx, _first, base, _g, width = desc
    if tf == REL and width == 0 and base == 0:
        return ints[ref_idx], pos  # identical to its reference column: share it
    return decode_ints(desc, count, data, pos, ints)
