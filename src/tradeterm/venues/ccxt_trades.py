"""ccxt's lists of our own trades: every page of ``fetch_my_trades``, and one id for each trade.

**Pages.** An exchange answers ``fetch_my_trades(symbol, since, limit)`` with one page (Binance:
500 by default). ``fetch_all`` asks again from the last trade's timestamp until a page brings
nothing new, as ccxt's own forward pagination does by ``since``/``limit``, with two differences:
ccxt's restarts at the last timestamp + 1 ms, which loses trades that share that millisecond
across a page boundary, so here the next page starts *at* it (the overlap is dropped by id); and
ccxt's stops after 10 calls, here only when the list is exhausted (``MAX_PAGES`` is a guard
against an exchange that ignores ``since``). A full page whose trades all share one millisecond
cannot be paged past by time: that raises ``PagingStuck`` (the reconciliation retries, then
halts) rather than miss a fill.

**Ids.** ``trade_ids`` gives the exchange's trade id where there is one. A trade without one gets
a synthetic id from its content, ``~<order>:<timestamp>:<side>:<price>:<amount>#<n>``, ``n``
numbering identical trades in the order listed, so two different trades never share an id (they
used to become ``"None"`` and collide in deduplication: the second fill was dropped) and the same
trade seen again (another page, the private stream, a restart) gets the same id and is applied
once.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

log = logging.getLogger(__name__)

MAX_PAGES = 1000


class PagingStuck(Exception):
    """A full page of trades in one millisecond: time-based paging cannot get past it."""


def trade_ids(trades: list[dict[str, Any]]) -> list[str]:
    """One id per trade, in order (see the module docstring)."""
    out = []
    counts: dict[str, int] = {}
    for tr in trades:
        given = tr.get("id")
        if given is not None and str(given) not in ("", "None"):
            out.append(str(given))
            continue
        base = (
            f"~{tr.get('order') or ''}:{tr.get('timestamp') or ''}:{tr.get('side') or ''}:"
            f"{_number(tr.get('price'))}:{_number(tr.get('amount'))}"
        )
        n = counts.get(base, 0)
        counts[base] = n + 1
        out.append(f"{base}#{n}")
    return out


def _number(value: Any) -> str:
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value)


async def fetch_all(
    exchange: Any,
    symbol: str,
    since_ms: int | None,
    limit: int | None = None,
    params: dict[str, Any] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Every trade of ``symbol`` from ``since_ms`` on, oldest first, as (id, ccxt trade)."""
    found: dict[str, dict[str, Any]] = {}
    cursor = since_ms
    biggest = 0
    for _ in range(MAX_PAGES):
        page = await exchange.fetch_my_trades(symbol, cursor, limit, dict(params or {}))
        fresh = 0
        for tid, tr in zip(trade_ids(page), page):
            if tid not in found:
                found[tid] = tr
                fresh += 1
        stamps = [int(tr["timestamp"]) for tr in page if tr.get("timestamp") is not None]
        if fresh == 0 or not stamps:
            if (
                page
                and fresh == 0
                and len(page) >= max(biggest, limit or 0, 2)
                and len(stamps) == len(page)
                and set(stamps) == {cursor}
            ):
                raise PagingStuck(
                    f"{symbol}: {len(page)} trades at {cursor} ms fill a whole "
                    "page; paging by time cannot get past them"
                )
            break
        biggest = max(biggest, len(page))
        cursor = max(stamps)  # the next page starts at the last millisecond seen (inclusive)
    else:
        raise PagingStuck(f"{symbol}: still new trades after {MAX_PAGES} pages")
    return sorted(found.items(), key=lambda item: (item[1].get("timestamp") or 0, item[0]))
