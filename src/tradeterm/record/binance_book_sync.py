"""The documented Binance snapshot + diff procedure for one symbol, as the importer applies it
(see ``binance_import.py`` for the rules; gaps and dropped diffs go to the import report)."""

from __future__ import annotations

from tradeterm.domain.instruments import Instrument
from tradeterm.domain.market import BookDelta, BookSnapshot
from tradeterm.record.import_report import ImportReport


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
        got = (
            f"pu={delta.prev_update_id}"
            if self.futures and not self.fresh
            else f"U={delta.first_update_id}"
        )
        self._gap(
            f"gap in update ids at receive time {delta.ts_recv} (expected {expected}, got {got})"
        )
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
            if not (
                self._straddles(delta, last)
                if not kept
                else self._continues(delta, kept[-1].last_update_id)
            ):
                where = "first" if not kept else f"after update {kept[-1].last_update_id} the"
                self.report.gaps.append(
                    f"{self.inst.symbol}: the snapshot at update {last} does not connect to the "
                    f"buffered diffs ({where} diff has U={delta.first_update_id}); waiting for "
                    "a later snapshot"
                )
                self.buffer = [d for d in self.buffer if not self._stale(d, last)]
                return None
            kept.append(delta)
        self.buffer = []
        self.synced = True
        self.ever_synced = True
        self.fresh = not kept
        self.last_u = kept[-1].last_update_id if kept else last
        return kept
