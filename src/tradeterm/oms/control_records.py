"""The desk's control records in the store: the kill switch's state with the audit record of
each trip and re-arm, the audit log of the desk's other decisions (live trading confirmed, a
reconciliation's outcome), and each trading day's equity marks (start, peak, last: what the
daily loss and drawdown limits resume from). Rare writes, each durable before it returns
(``save_day`` excepted: a day's marks are written again at the next mark).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradeterm.domain.events import TradingState
from tradeterm.oms.store_conn import StoreConnection
from tradeterm.oms.store_rows import day_from_row, trading_state_from_row


class ControlRecords:
    """``Store.controls``: the kill switch, the audit log and the trading days, on the store's
    connection."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db

    def save_trading_state(
        self, state: TradingState, reason: str, source: str, ts: int, kind: str
    ) -> None:
        """The kill switch's state and its audit record, in one durable transaction."""
        try:
            values = (state.value, reason, source, ts)
            if not self.db.conn.execute(
                "UPDATE trading_state SET state=?, reason=?, source=?, ts=? WHERE id = 1", values
            ).rowcount:
                self.db.conn.execute(
                    "INSERT INTO trading_state (state, reason, source, ts, id) "
                    "VALUES (?, ?, ?, ?, 1)",
                    values,
                )
            self.db.conn.execute(
                "INSERT INTO audit (ts, kind, source, detail) VALUES (?, ?, ?, ?)",
                (ts, kind, source, f"{state.value}: {reason}"),
            )
            self.db.commit_durably()
        except Exception:
            self.db.rollback()
            raise

    def load_trading_state(self) -> tuple[TradingState, str, str, int] | None:
        row = self.db.first("SELECT * FROM trading_state WHERE id = 1")
        return None if row is None else self.db.decoded(trading_state_from_row, [row])[0]

    def audit(self, ts: int, kind: str, source: str, detail: str) -> None:
        try:
            self.db.conn.execute(
                "INSERT INTO audit (ts, kind, source, detail) VALUES (?, ?, ?, ?)",
                (ts, kind, source, detail),
            )
            self.db.commit_durably()
        except Exception:
            self.db.rollback()
            raise

    def load_audit(self, kind_prefix: str = "") -> list[Any]:
        if kind_prefix:  # an exact prefix (LIKE would read "_" as a wildcard)
            return self.db.rows(
                "SELECT * FROM audit WHERE substr(kind, 1, length(?)) = ? ORDER BY id",
                kind_prefix,
                kind_prefix,
            )
        return self.db.rows("SELECT * FROM audit ORDER BY id")

    # --- trading day -----------------------------------------------------------------------
    def save_day(
        self, day: int, start_equity: Decimal, peak_equity: Decimal, last_equity: Decimal, ts: int
    ) -> None:
        values = (str(start_equity), str(peak_equity), str(last_equity), ts, day)
        try:
            if not self.db.conn.execute(
                "UPDATE pnl_days SET start_equity=?, peak_equity=?, "
                "last_equity=?, ts=? WHERE day = ?",
                values,
            ).rowcount:
                self.db.conn.execute(
                    "INSERT INTO pnl_days (start_equity, peak_equity, "
                    "last_equity, ts, day) VALUES (?, ?, ?, ?, ?)",
                    values,
                )
            self.db.commit()
        except Exception:
            self.db.rollback()
            raise

    def load_day(self, day: int) -> tuple[Decimal, Decimal, Decimal | None, int] | None:
        """(start equity, peak equity, last equity, ts) of ``day``."""
        row = self.db.first("SELECT * FROM pnl_days WHERE day = ?", day)
        return None if row is None else self.db.decoded(day_from_row, [row])[0]
