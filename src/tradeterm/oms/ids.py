"""Client order ids: unique, sortable, never reused across restarts.

``<prefix><session:06d>-<n:08d>``, e.g. ``TT000042-00001337``. The session number comes from
the store (``Store.next_session``: a durable counter incremented at every start), so two runs
never share an id even if the first one crashed; the fixed width makes the ids sort as text in
the order they were issued. 20 characters with the default prefix: within every venue's limit
(Binance allows 36).
"""

from __future__ import annotations

from collections.abc import Callable

PER_SESSION = 100_000_000


class ClientOrderIds:
    def __init__(self, prefix: str, session: int, renew: Callable[[], int] | None = None) -> None:
        if not prefix.isalpha():
            raise ValueError(f"client order id prefix must be letters, got {prefix!r}")
        self.prefix = prefix
        self.renew = renew
        self._start(session)

    def _start(self, session: int) -> None:
        if not 0 < session < 1_000_000:
            raise ValueError(f"session number {session} out of range")
        self.session = session
        self.session_prefix = f"{self.prefix}{session:06d}-"
        self.issued = 0

    def next(self) -> str:
        if self.issued + 1 >= PER_SESSION:
            if self.renew is None:
                raise RuntimeError("client order ids exhausted for this session")
            self._start(self.renew())
        self.issued += 1
        return f"{self.session_prefix}{self.issued:08d}"

    def is_ours(self, client_order_id: str) -> bool:
        """Issued by some session of this store (prefix and shape match)."""
        p = len(self.prefix)
        return (
            client_order_id.startswith(self.prefix)
            and len(client_order_id) == p + 15
            and client_order_id[p : p + 6].isdigit()
            and client_order_id[p + 6] == "-"
            and client_order_id[p + 7 :].isdigit()
        )
