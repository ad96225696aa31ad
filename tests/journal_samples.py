"""Small replayable journals for tests of damaged recordings (no session needed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tradeterm.core import topics
from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookSnapshot, Side, Trade
from tradeterm.record.header import session_header
from tradeterm.record.journal import JournalReader
from tradeterm.record.journal_writer import JournalWriter

INSTRUMENT = Instrument("sim", "SIM-BTC/USD", "BTC", "USD", Decimal("0.5"), Decimal("0.0001"))
T0 = 1_767_225_600_000_000_000  # 2026-01-01
MS = 1_000_000


def write_sample(
    path: Path,
    blocks: int = 6,
    per_block: int = 200,
    close: bool = True,
    t0: int = T0,
    step: int = MS,
) -> Path:
    """A journal of ``blocks`` blocks of ``per_block`` records each (a book snapshot, then
    trades ``step`` ns apart from ``t0``), replayable with ``tradeterm replay``."""
    iid = INSTRUMENT.id
    w = JournalWriter(path, session_header("record", "sim", [INSTRUMENT], t0))
    seq = 0
    for b in range(blocks):
        msgs: list = []
        for k in range(per_block):
            i = b * per_block + k
            ts = t0 + i * step
            if i == 0:
                msgs.append(BookSnapshot(iid, [(180_000, 10)], [(180_002, 10)], 1, ts, ts))
            else:
                msgs.append(
                    Trade(
                        iid, 180_000 + i % 3, 1 + i % 7, Side.BUY if i % 2 else Side.SELL, i, ts, ts
                    )
                )
        recs = [m.ts_recv for m in msgs]
        names = [
            topics.book(iid) if isinstance(m, BookSnapshot) else topics.trade(iid) for m in msgs
        ]
        w.write_block(list(range(seq + 1, seq + len(msgs) + 1)), recs, names, msgs)
        seq += len(msgs)
    if close:
        w.close({"events": seq})
    return path


def block_offsets(path: Path) -> list[int]:
    with JournalReader(path) as r:
        return [int(o) for o in r.index.offset]


def flip(path: Path, offset: int, out: Path | None = None) -> Path:
    """A copy of ``path`` (or ``path`` itself) with the byte at ``offset`` inverted."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    target = out or path
    target.write_bytes(bytes(data))
    return target
