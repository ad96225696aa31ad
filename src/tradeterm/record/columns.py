"""Column encodings of a journal block: integers, dictionaries and fallback lists.

Integers are what market data is made of (prices in ticks, sizes in lots, update ids, ns
timestamps). Each integer column is stored as the cheapest of a few transforms, chosen per block
by the spread of the values each would store (fewest bits wins, the first on a tie):

* ``raw`` the values; ``delta`` the differences between neighbours;
* ``rel`` the difference to an earlier column of the same group (ask price minus bid price,
  event time minus receive time), and ``reld`` the neighbour differences of that.

The transformed values are then made non-negative by subtracting their minimum, divided by their
greatest common divisor (millisecond timestamps in ns become small), packed in the narrowest of
1/2/4/8 bytes and byte-shuffled (all first bytes, then all second bytes...), so the general
compressor applied to the whole block sees long runs of zeros. A column whose values are all
equal takes no bytes at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np

RAW, DELTA, REL, RELD = 0, 1, 2, 3
_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _width(top: int) -> int:
    if top == 0:
        return 0
    if top < 1 << 8:
        return 1
    if top < 1 << 16:
        return 2
    if top < 1 << 32:
        return 4
    return 8


def _spread_bits(y: np.ndarray) -> int:
    """Bits needed for ``y`` once its minimum is subtracted: the cost of a candidate."""
    if y.size == 0:
        return 0
    return (int(y.max()) - int(y.min())).bit_length()


def encode_ints(
    x: np.ndarray, refs: Sequence[tuple[int, np.ndarray]], out: list[bytes]
) -> list[Any]:
    """Append the stored bytes of int64 column ``x`` to ``out``; return its descriptor.

    ``refs`` are (index, column) of earlier columns of the same group and length.
    """
    n = x.size
    if n == 0:
        return [RAW, -1, 0, 0, 1, 0]
    best: tuple[int, int, int, int, np.ndarray] | None = None  # bits, transform, ref, first, y
    candidates: list[tuple[int, int, int, np.ndarray]] = [(RAW, -1, 0, x)]
    if n > 1:
        candidates.append((DELTA, -1, int(x[0]), np.diff(x)))
    for idx, ref in refs:
        rel = x - ref
        candidates.append((REL, idx, 0, rel))
        if n > 1:
            candidates.append((RELD, idx, int(rel[0]), np.diff(rel)))
    for tf, ref_idx, first, y in candidates:
        bits = _spread_bits(y)
        if best is None or bits < best[0]:
            best = (bits, tf, ref_idx, first, y)
            if bits == 0:
                break
    assert best is not None
    bits, tf, ref_idx, first, y = best
    base = int(y.min()) if y.size else 0
    g = 1
    if y.size > 1 and bits < 64:  # a spread of 64 bits wraps in int64: stored modulo 2^64,
        g = int(np.gcd.reduce(y - base)) or 1  # which is exact, but only undivided
    u = (y - base).astype(np.uint64)
    if g > 1:
        u //= np.uint64(g)
    width = _width(int(u.max())) if u.size else 0
    if width:
        out.append(u.astype(_UINT[width]).view(np.uint8).reshape(u.size, width).T.tobytes())
    return [tf, ref_idx, first, base, g, width]


def decode_ints(
    desc: list[Any], n: int, data: memoryview, pos: int, refs: dict[int, np.ndarray]
) -> tuple[np.ndarray, int]:
    """Inverse of ``encode_ints``: (int64 column, new position in ``data``)."""
    tf, ref_idx, first, base, g, width = desc
    m = n - 1 if tf in (DELTA, RELD) else n
    if m <= 0:
        y = np.empty(0, dtype=np.int64)
    elif width == 0:
        y = np.full(m, base, dtype=np.int64)
    else:
        size = m * width
        raw = np.frombuffer(data, dtype=np.uint8, count=size, offset=pos)
        pos += size
        u = raw.reshape(width, m).T.copy().view(_UINT[width]).ravel()
        y = u.astype(np.int64)
        if g != 1:
            y *= g
        if base:
            y += base
    if tf == RAW:
        return y, pos
    if tf == REL:
        return y + refs[ref_idx], pos
    x = np.empty(n, dtype=np.int64)
    if n:
        x[0] = first
        np.cumsum(y, out=x[1:])
        x[1:] += first
    if tf == RELD:
        x += refs[ref_idx]
    return x, pos


def skip_ints(desc: list[Any], n: int, pos: int) -> int:
    """The position in the block's data after the stored bytes of an integer column of ``n``
    values described by ``desc`` (``encode_ints``), without decoding it."""
    tf, _ref, _first, _base, _g, width = desc
    m = n - 1 if tf in (DELTA, RELD) else n
    return pos + m * width if m > 0 else pos


# --- dictionaries ---------------------------------------------------------------------------
def encode_cat(values: list[Any], out: list[bytes], encoder: msgspec.msgpack.Encoder) -> list[Any]:
    """Dictionary-encode hashable ``values``: [dictionary bytes, code column descriptor]."""
    index: dict[Any, int] = {}
    setdefault = index.setdefault
    codes = [setdefault(v, len(index)) for v in values]
    words = encoder.encode(list(index))
    if len(index) == 1:
        return [words, None]
    return [words, encode_ints(np.array(codes, dtype=np.int64), (), out)]


_DECODERS: dict[Any, msgspec.msgpack.Decoder[Any]] = {}


def list_decoder(annotation: Any) -> msgspec.msgpack.Decoder[Any]:
    dec = _DECODERS.get(annotation)
    if dec is None:
        dec = _DECODERS[annotation] = msgspec.msgpack.Decoder(list[annotation])
    return dec


def decode_cat(
    desc: list[Any], n: int, data: memoryview, pos: int, annotation: Any
) -> tuple[Any, int]:
    """-> (list of values, or ``("same", value)`` when the column holds one value; position)."""
    words, code_desc = desc
    values = list_decoder(annotation).decode(words)
    if code_desc is None:
        return ("same", values[0]), pos
    codes, pos = decode_ints(code_desc, n, data, pos, {})
    table = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        table[i] = v
    return table[codes].tolist(), pos
